"""The leaderboard: points for sharing, engagement and clicks, with weights admins set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Sum

from analytics.models import LeaderboardOptIn
from analytics.selectors.dashboard import ENGAGEMENT, member_names, member_rows
from analytics.selectors.scope import Scope, scope_for
from analytics.selectors.settings import analytics_settings_get

if TYPE_CHECKING:
    from analytics.forms import Filters
    from employees.models import Membership


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    member_id: int
    name: str
    shares: int
    engagements: int
    clicks: int
    points: int


def leaderboard_rows(*, scope: Scope, filters: Filters, limit: int | None = None) -> list[LeaderRow]:
    """People ranked by points; equal points share a rank (1, 2, 2, 4)."""
    rules = analytics_settings_get(organization_id=scope.organization_id)
    rows = (
        member_rows(scope, filters)
        .values("member_id")
        .order_by()
        .annotate(
            total_shares=Sum("shares"),
            total_engagements=Sum(ENGAGEMENT),
            total_clicks=Sum("clicks"),
            points=Sum(
                F("shares") * rules.points_per_share
                + ENGAGEMENT * rules.points_per_engagement
                + F("clicks") * rules.points_per_click
            ),
        )
        .filter(points__gt=0)
        .order_by("-points", "member_id")
    )
    if rules.works_council:
        # Works-council mode: only the people who chose to be listed.
        opted_in = LeaderboardOptIn.objects.filter(organization_id=scope.organization_id)
        rows = rows.filter(member_id__in=opted_in.values("membership_id"))
    if limit is not None:
        rows = rows[:limit]
    rows = list(rows)
    names = member_names([row["member_id"] for row in rows])
    result, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        if row["points"] != previous:
            rank, previous = position, row["points"]
        result.append(
            LeaderRow(
                rank=rank,
                member_id=row["member_id"],
                name=names.get(row["member_id"], "—"),
                shares=int(row["total_shares"] or 0),
                engagements=int(row["total_engagements"] or 0),
                clicks=int(row["total_clicks"] or 0),
                points=int(row["points"] or 0),
            )
        )
    return result


@dataclass(frozen=True)
class Position:
    rank: int | None
    of: int
    points: int


def leaderboard_position(*, membership: Membership, filters: Filters) -> Position:
    """Where a person stands among the people they may see on the leaderboard."""
    rows = leaderboard_rows(scope=scope_for(membership), filters=filters)
    for row in rows:
        if row.member_id == membership.id:
            return Position(row.rank, len(rows), row.points)
    return Position(None, len(rows), 0)
