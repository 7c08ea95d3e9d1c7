"""My impact: one person's figures, from their rollup rows and their own shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum

from analytics.models import MemberDay, ShareMetrics
from analytics.reach import Side
from analytics.selectors.dashboard import METRIC_EXPRESSIONS, SeriesPoint, measure_sums, measures_of

if TYPE_CHECKING:
    from datetime import date

    from analytics.forms import Filters
    from employees.models import Membership


def _rows(membership: Membership, filters: Filters) -> QuerySet[MemberDay]:
    rows = MemberDay.objects.filter(
        organization_id=membership.organization_id,
        member_id=membership.id,
        day__gte=filters.start,
        day__lte=filters.end,
    )
    if filters.network:
        rows = rows.filter(network=filters.network)
    return rows


def member_side(*, membership: Membership, filters: Filters) -> Side:
    return Side.of(measures_of(_rows(membership, filters).aggregate(**measure_sums())))


def member_series(*, membership: Membership, filters: Filters) -> list[SeriesPoint]:
    from datetime import timedelta

    expression = METRIC_EXPRESSIONS.get(filters.metric, METRIC_EXPRESSIONS["potential_reach"])
    values: dict[date, int] = dict(
        _rows(membership, filters).values("day").order_by("day").annotate(v=Sum(expression)).values_list("day", "v")
    )
    points, day = [], filters.start
    while day <= filters.end:
        points.append(SeriesPoint(day, 0, int(values.get(day) or 0)))
        day += timedelta(days=1)
    return points


def member_share_metrics(*, membership: Membership, filters: Filters) -> QuerySet[ShareMetrics]:
    """The member's shares posted in the period, newest first, with their latest readings."""
    start, end = filters.moments()
    shares = ShareMetrics.objects.filter(
        organization_id=membership.organization_id, member_id=membership.id, posted_at__gte=start, posted_at__lt=end
    )
    if filters.network:
        shares = shares.filter(network=filters.network)
    return shares.select_related("share__post", "share__profile").order_by("-posted_at")
