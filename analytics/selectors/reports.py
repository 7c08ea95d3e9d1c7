"""The per-post report: one post's reach over time and its shares, within the member's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum

from analytics.models import PostDay, PostMemberDay, ShareMetrics
from analytics.reach import Reach
from analytics.selectors.dashboard import (
    METRIC_EXPRESSIONS,
    SeriesPoint,
    measure_sums,
    measures_of,
    member_names,
)
from analytics.selectors.scope import member_ids_in

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope
    from content.models import Post


def _rows(scope: Scope, filters: Filters, post: Post) -> tuple[QuerySet, Q]:
    scope = scope.narrowed_to(filters.team_id)
    where = {
        "organization_id": scope.organization_id,
        "post_id": post.id,
        "day__gte": filters.start,
        "day__lte": filters.end,
    }
    if filters.network:
        where["network"] = filters.network
    if scope.is_organization:
        return PostDay.objects.filter(**where), Q(is_company=True)
    rows = PostMemberDay.objects.filter(Q(member_id=0) | Q(member_id__in=member_ids_in(scope.team_ids)), **where)
    return rows, Q(member_id=0)


def post_reach(*, scope: Scope, filters: Filters, post: Post) -> Reach:
    rows, company = _rows(scope, filters, post)
    return Reach.of(
        company=measures_of(rows.filter(company).aggregate(**measure_sums())),
        employees=measures_of(rows.exclude(company).aggregate(**measure_sums())),
    )


def post_series(*, scope: Scope, filters: Filters, post: Post) -> list[SeriesPoint]:
    from datetime import timedelta

    rows, company = _rows(scope, filters, post)
    expression = METRIC_EXPRESSIONS.get(filters.metric, METRIC_EXPRESSIONS["potential_reach"])
    values = []
    for part in (rows.filter(company), rows.exclude(company)):
        values.append(dict(part.values("day").order_by("day").annotate(v=Sum(expression)).values_list("day", "v")))
    points, day = [], filters.start
    while day <= filters.end:
        points.append(SeriesPoint(day, int(values[0].get(day) or 0), int(values[1].get(day) or 0)))
        day += timedelta(days=1)
    return points


@dataclass(frozen=True)
class ShareLine:
    metrics: ShareMetrics
    sharer: str


def post_share_lines(*, scope: Scope, filters: Filters, post: Post) -> list[ShareLine]:
    """The post's posted shares the member may see: the company's and their teams' people's."""
    scope = scope.narrowed_to(filters.team_id)
    shares = ShareMetrics.objects.filter(organization_id=scope.organization_id, post_id=post.id)
    if filters.network:
        shares = shares.filter(network=filters.network)
    if not scope.is_organization:
        shares = shares.filter(Q(member_id=0) | Q(member_id__in=member_ids_in(scope.team_ids)))
    shares = list(shares.select_related("share__profile").order_by("-posted_at")[:1000])
    names = member_names([line.member_id for line in shares if line.member_id])
    return [ShareLine(line, names.get(line.member_id, "") if line.member_id else "") for line in shares]
