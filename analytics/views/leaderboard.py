"""The leaderboard: optional, per period and team, among the people a member may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics.forms import filters_from
from analytics.selectors.leaderboard import leaderboard_rows
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from config.htmx import HtmxHttpRequest, vary_on_htmx
from employees.access import membership_required


@membership_required()
@require_GET
@vary_on_htmx
def leaderboard(request: HtmxHttpRequest) -> HttpResponse:
    membership = request.membership
    rules = analytics_settings_get(organization_id=membership.organization_id)
    if not rules.leaderboard_enabled:
        return render(request, "analytics/leaderboard_off.html", status=404)
    scope = scope_for(membership)
    filters, form = filters_from(request.GET, scope=scope, organization=membership.organization)
    for name in ("topic", "metric", "start", "end"):
        del form.fields[name]
    context = {
        "form": form,
        "filters": filters,
        "scope": scope,
        "rows": leaderboard_rows(scope=scope.narrowed_to(filters.team_id), filters=filters, limit=100),
        "rules": rules,
    }
    template = "analytics/leaderboard.html#leaderboard-body" if request.htmx else "analytics/leaderboard.html"
    return render(request, template, context)
