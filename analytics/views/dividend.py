"""The twist dividend: the dashboard loads it as its own section, after the page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from advocacy.models import Share
from analytics.forms import filters_from, too_small_note
from analytics.selectors.dashboard import team_too_small
from analytics.selectors.dividend import twist_dividend
from analytics.selectors.scope import scope_for
from analytics.selectors.settings import analytics_settings_get
from config.htmx import HtmxHttpRequest, vary_on_htmx
from employees.access import membership_required
from employees.models import Role


def _times(value: float) -> str:
    return f"{number_format(value, 1)}×"


def dividend_sentence(comparison) -> str:
    """Says own words earned more only when the whole interval lies above 1."""
    counts = {"own": comparison.own, "copied": comparison.copied}
    if comparison.supported:
        return _(
            "Own words earned %(ratio)s the engagement of copied words (95%% interval %(low)s to %(high)s; "
            "%(own)s shares in own words, %(copied)s in copied words)."
        ) % {
            "ratio": _times(comparison.ratio),
            "low": _times(comparison.low),
            "high": _times(comparison.high),
            **counts,
        }
    if comparison.enough:
        return _(
            "Not enough shares yet to say that own words earn more: the 95%% interval, %(low)s to %(high)s, "
            "does not lie above 1× (%(own)s shares in own words, %(copied)s in copied words)."
        ) % {"low": _times(comparison.low), "high": _times(comparison.high), **counts}
    return _("Not enough shares yet (%(own)s shares in own words, %(copied)s in copied words).") % counts


@membership_required(Role.MANAGER, Role.COMMS, Role.ADMIN)
@require_GET
@vary_on_htmx
def dividend(request: HtmxHttpRequest) -> HttpResponse:
    membership = request.membership
    scope = scope_for(membership)
    filters, _form = filters_from(request.GET, scope=scope, organization=membership.organization)
    min_size = team_too_small(scope, filters, analytics_settings_get(organization_id=membership.organization_id))
    if min_size is not None:
        # Works-council mode: a team this small shows no figures at all.
        return HttpResponse(
            format_html(
                '<section class="card" id="twist-dividend"><p class="empty">{}</p></section>', too_small_note(min_size)
            )
        )
    result = twist_dividend(scope=scope, filters=filters)
    labels = dict(Share.Twist.choices)
    context = {
        "filters": filters,
        "dividend": result,
        "groups": [(labels.get(group.verdict, group.verdict), group) for group in result.groups],
        "sentence": dividend_sentence(result.engagement),
    }
    template = "analytics/dividend.html#dividend-section" if request.htmx else "analytics/dividend.html"
    return render(request, template, context)
