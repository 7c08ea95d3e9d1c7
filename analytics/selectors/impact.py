"""My impact: one person's figures, from their rollup rows and their own shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum

from analytics.models import LeaderboardOptIn, MemberDay, ShareMetrics
from analytics.reach import Side
from analytics.selectors.dashboard import METRIC_EXPRESSIONS, SeriesPoint, measure_sums, measures_of

if TYPE_CHECKING:
    from datetime import date

    from analytics.forms import Filters
    from analytics.selectors.dashboard import SharerRow
    from analytics.selectors.leaderboard import LeaderRow
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


@dataclass(frozen=True)
class SeenByManagers:
    """One person's figures as their managers and comms see them on the dashboard, in its
    CSV exports and on the leaderboard, read with the very selectors those use."""

    sharer: SharerRow | None
    leader: LeaderRow | None
    leaderboard_shown: bool
    opted_in: bool


def seen_by_managers(*, membership: Membership, filters: Filters, rules) -> SeenByManagers:
    from analytics.selectors.dashboard import sharer_row
    from analytics.selectors.leaderboard import leaderboard_rows
    from analytics.selectors.scope import Scope

    organization = Scope(membership.organization_id, None)
    sharer = sharer_row(organization, filters, member_id=membership.id)
    leader = None
    if rules.leaderboard_enabled:
        leader = next(
            (row for row in leaderboard_rows(scope=organization, filters=filters) if row.member_id == membership.id),
            None,
        )
    return SeenByManagers(
        sharer=sharer,
        leader=leader,
        leaderboard_shown=rules.leaderboard_enabled,
        opted_in=LeaderboardOptIn.objects.filter(
            organization_id=membership.organization_id, membership_id=membership.id
        ).exists()
        if rules.works_council
        else False,
    )
