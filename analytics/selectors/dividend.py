"""The twist dividend's data: each employee share's verdict and figures, in one read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, F, IntegerField, When

from analytics.dividend import Dividend, dividend_compute
from analytics.selectors.dashboard import share_metrics_posted

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

# A period's employee shares; far more than any organization's month, and a bound.
MAX_SHARES = 50_000


def dividend_rows(*, scope: Scope, filters: Filters) -> list[tuple[str, int | None, int, int | None]]:
    """(verdict, engagements or None where the network gives none, clicks, potential reach)
    of the employees' shares posted in the period the member may see."""
    scope = scope.narrowed_to(filters.team_id)
    rows = share_metrics_posted(scope, filters)
    engagements = Case(
        When(measured=True, then=F("peak_likes") + F("peak_reposts") + F("peak_replies") + F("peak_quotes")),
        default=None,
        output_field=IntegerField(),
    )
    return list(
        rows.annotate(engagements=engagements)
        .order_by("share_id")
        .values_list("share__twist", "engagements", "clicks", "share__followers_at_share")[:MAX_SHARES]
    )


def twist_dividend(*, scope: Scope, filters: Filters) -> Dividend:
    return dividend_compute(dividend_rows(scope=scope, filters=filters))
