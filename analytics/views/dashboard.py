"""The reach dashboard: combined reach of the company and its people, for managers and comms."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from analytics.forms import METRICS, filters_from, too_small_note
from analytics.reach import DEFINITIONS
from analytics.selectors.amplification import amplified_company_posts
from analytics.selectors.cached import rollups_version_pinned
from analytics.selectors.dashboard import team_too_small
from analytics.selectors.freshness import freshness_for_scope
from analytics.selectors.overview import dashboard_overview
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from config.htmx import HtmxHttpRequest, vary_on_htmx
from employees.access import membership_required
from employees.models import Role


@membership_required(Role.MANAGER, Role.COMMS, Role.ADMIN)
@require_GET
@vary_on_htmx
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    membership = request.membership
    scope = scope_for(membership)
    filters, form = filters_from(request.GET, scope=scope, organization=membership.organization)
    rules = analytics_settings_get(organization_id=membership.organization_id)
    context = {
        "form": form,
        "filters": filters,
        "scope": scope,
        "scope_teams": None if scope.is_organization else list(scope.teams()),
        "rules": rules,
    }
    min_size = team_too_small(scope, filters, rules)
    if min_size is not None:
        # Works-council mode: a team this small shows no figures at all.
        context["too_small"] = too_small_note(min_size)
    else:
        with rollups_version_pinned():
            context.update(_figures(scope, filters, rules=rules, teams_page=request.GET.get("teams_page")))
    template = "analytics/dashboard.html#dashboard-body" if request.htmx else "analytics/dashboard.html"
    return render(request, template, context)


def _figures(scope, filters, *, rules, teams_page) -> dict:
    """Everything the page shows, read under one rollup version (one read of it per page)."""
    return {
        "overview": dashboard_overview(scope=scope, filters=filters, teams_page=teams_page, rules=rules),
        "definitions": DEFINITIONS,
        "metric_label": METRICS.get(filters.metric),
        "freshness": freshness_for_scope(scope=scope.narrowed_to(filters.team_id)),
        "amplified": amplified_company_posts(scope=scope.narrowed_to(filters.team_id), filters=filters),
        # Loaded after the page (it reads each share, not the rollups): see views/dividend.py.
        "dividend_url": f"{reverse('analytics:dividend')}?{urlencode(filters.query())}",
    }
