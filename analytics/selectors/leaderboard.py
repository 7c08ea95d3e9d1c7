"""The leaderboard: points for sharing, engagement and clicks, weighted by how personal
each share's words are, with the weights admins set.

A share posted in the period earns `points per share + engagements × points per
engagement + clicks × points per click` (its engagement and clicks so far), times the
weight of the authenticity verdict stored on it: one's own words count in full, a
suggested caption sent as is or words near-identical to colleagues' count for less.
Summed per person in one query over the period's shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from analytics.models import LeaderboardOptIn
from analytics.selectors.dashboard import member_names, share_metrics_posted
from analytics.selectors.scope import Scope, scope_for
from analytics.selectors.settings import analytics_settings_get

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.models import AnalyticsSettings
    from employees.models import Membership

ENGAGEMENTS = F("peak_likes") + F("peak_reposts") + F("peak_replies") + F("peak_quotes")
# A verdict without a weight of its own (none today) counts in full.
PLAIN = 100


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    member_id: int
    name: str
    shares: int
    engagements: int
    clicks: int
    points: int
    own_words: int = 0  # of the shares, those in the sharer's own words


def verdict_weight(rules: AnalyticsSettings) -> Case:
    """The weight (percent) of each share's verdict, as an SQL expression."""
    return Case(
        *(When(share__twist=verdict, then=Value(weight)) for verdict, weight in rules.weights().items()),
        default=Value(PLAIN),
        output_field=IntegerField(),
    )


def leaderboard_rows(*, scope: Scope, filters: Filters, limit: int | None = None) -> list[LeaderRow]:
    """People ranked by points; equal points share a rank (1, 2, 2, 4)."""
    rules = analytics_settings_get(organization_id=scope.organization_id)
    scope = scope.narrowed_to(filters.team_id)
    shares = share_metrics_posted(scope, filters)
    if rules.works_council:
        # Works-council mode: only the people who chose to be listed.
        opted_in = LeaderboardOptIn.objects.filter(organization_id=scope.organization_id)
        shares = shares.filter(member_id__in=opted_in.values("membership_id"))
    plain = Value(rules.points_per_share) + ENGAGEMENTS * rules.points_per_engagement
    plain = plain + F("clicks") * rules.points_per_click
    rows = (
        shares.values("member_id")
        .order_by()
        .annotate(
            total_shares=Count("share_id"),
            own_words=Count("share_id", filter=Q(share__twist="personal")),
            total_engagements=Sum(ENGAGEMENTS),
            total_clicks=Sum("clicks"),
            # In hundredths of a point: weights are percentages.
            weighted=Sum(plain * verdict_weight(rules), output_field=IntegerField()),
        )
        .filter(weighted__gt=0)
        .order_by("-weighted", "member_id")
    )
    if limit is not None:
        rows = rows[:limit]
    rows = list(rows)
    names = member_names([row["member_id"] for row in rows])
    result, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        # Hundredths to points, halves rounded up (2.5 points show as 3).
        points = (int(row["weighted"] or 0) + 50) // 100
        if points != previous:
            rank, previous = position, points
        result.append(
            LeaderRow(
                rank=rank,
                member_id=row["member_id"],
                name=names.get(row["member_id"], "—"),
                shares=int(row["total_shares"] or 0),
                engagements=int(row["total_engagements"] or 0),
                clicks=int(row["total_clicks"] or 0),
                points=points,
                own_words=int(row["own_words"] or 0),
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
