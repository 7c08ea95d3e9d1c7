"""The per-post report."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics import charts
from analytics.forms import METRICS, filters_from, too_small_note
from analytics.selectors.dashboard import team_too_small
from analytics.selectors.reports import post_reach, post_series, post_share_lines
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from config.htmx import HtmxHttpRequest, vary_on_htmx
from content.models import Post
from employees.access import get_scoped_or_404, membership_required
from employees.models import Role


@membership_required(Role.MANAGER, Role.COMMS, Role.ADMIN)
@require_GET
@vary_on_htmx
def post_report(request: HtmxHttpRequest, post_id: int) -> HttpResponse:
    membership = request.membership
    post = get_scoped_or_404(Post.objects.all(), membership, pk=post_id)
    scope = scope_for(membership)
    data = request.GET
    if not any(data.get(name) for name in ("days", "start", "end")):
        data = data.copy()
        data["days"] = "90"
    filters, form = filters_from(data, scope=scope, organization=membership.organization)
    del form.fields["topic"]
    min_size = team_too_small(scope, filters, analytics_settings_get(organization_id=membership.organization_id))
    if min_size is not None:
        # Works-council mode: a team this small shows no figures at all.
        context = {"post": post, "form": form, "filters": filters, "too_small": too_small_note(min_size)}
        template = "analytics/post_report.html#report-body" if request.htmx else "analytics/post_report.html"
        return render(request, template, context)
    series = post_series(scope=scope, filters=filters, post=post)
    context = {
        "post": post,
        "form": form,
        "filters": filters,
        "reach": post_reach(scope=scope, filters=filters, post=post),
        "chart": charts.stacked_bars(series),
        "metric_label": METRICS.get(filters.metric),
        "lines": post_share_lines(scope=scope, filters=filters, post=post),
    }
    template = "analytics/post_report.html#report-body" if request.htmx else "analytics/post_report.html"
    return render(request, template, context)
