"""My impact: what one person's shares added to the organization's reach."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics import charts
from analytics.forms import METRICS, filters_from
from analytics.reach import DEFINITIONS
from analytics.selectors.authored import authored_reach
from analytics.selectors.freshness import freshness_for_member
from analytics.selectors.impact import member_series, member_share_metrics, member_side, seen_by_managers
from analytics.selectors.leaderboard import leaderboard_position
from analytics.selectors.profiles import member_profiles
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from analytics.services.opt_in import leaderboard_opt_in_set
from config.htmx import HtmxHttpRequest, vary_on_htmx
from employees.access import membership_required


@membership_required()
@require_GET
@vary_on_htmx
def my_impact(request: HtmxHttpRequest) -> HttpResponse:
    membership = request.membership
    filters, form = filters_from(
        request.GET, scope=scope_for(membership), organization=membership.organization, teams=False
    )
    del form.fields["topic"]
    rules = analytics_settings_get(organization_id=membership.organization_id)
    series = member_series(membership=membership, filters=filters)
    page = Paginator(member_share_metrics(membership=membership, filters=filters), 20).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "side": member_side(membership=membership, filters=filters),
        "chart": charts.stacked_bars(series),
        "metric_label": METRICS.get(filters.metric),
        "page": page,
        "profiles": member_profiles(membership=membership, filters=filters),
        "definitions": DEFINITIONS,
        "rules": rules,
        "authored": authored_reach(membership=membership, filters=filters),
        "freshness": freshness_for_member(membership=membership),
        "position": leaderboard_position(membership=membership, filters=filters) if rules.leaderboard_enabled else None,
        "seen": seen_by_managers(membership=membership, filters=filters, rules=rules),
    }
    template = "analytics/my_impact.html#impact-body" if request.htmx else "analytics/my_impact.html"
    return render(request, template, context)


@membership_required()
@require_POST
def leaderboard_opt_in(request) -> HttpResponse:
    """Works-council mode: a person chooses for themselves whether the leaderboard lists them."""
    listed = request.POST.get("listed") == "on"
    leaderboard_opt_in_set(membership=request.membership, listed=listed, actor=request.user)
    if listed:
        messages.success(request, _("You are listed on the leaderboard."))
    else:
        messages.success(request, _("You are no longer listed on the leaderboard."))
    return redirect("analytics:my_impact")
