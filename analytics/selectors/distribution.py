"""The distribution index for a scope: now, and over the periods before (the trail)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Sum, Value, When

from analytics.distribution import Distribution
from analytics.selectors.cached import rollups_read_cached, settled_through
from analytics.selectors.dashboard import member_rows, people_ids, sources_for

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.daily import Daily
    from analytics.selectors.scope import Scope

TRAIL_PERIODS = 6
SHORTEST_SLICE = 7


@dataclass(frozen=True)
class TrailPoint:
    start: date
    end: date
    distribution: Distribution


def trail_buckets(filters: Filters, periods: int = TRAIL_PERIODS) -> list[tuple[date, date]]:
    """`periods` slices ending with the period's last day: the period cut in equal parts,
    each at least a week long (a short period's trail reaches back before it)."""
    size = max(SHORTEST_SLICE, math.ceil(filters.length / periods))
    slices = []
    for back in range(periods - 1, -1, -1):
        end = filters.end - timedelta(days=size * back)
        slices.append((end - timedelta(days=size - 1), end))
    return slices


def _bucket_expression(buckets: list[tuple[date, date]]) -> Case:
    return Case(
        *[When(day__gte=start, day__lte=end, then=Value(index)) for index, (start, end) in enumerate(buckets)],
        output_field=IntegerField(),
    )


def distribution_trail(
    *,
    scope: Scope,
    filters: Filters,
    periods: int = TRAIL_PERIODS,
    totals: dict[int, dict[str, int]] | None = None,
    people: set[int] | None = None,
    daily: Daily | None = None,
) -> list[TrailPoint]:
    """The index over slices of the period (oldest first), then over the whole period.

    `totals` (per member over the period), `people` and `daily` (covering the trail's
    days) save reads when the caller has them.
    """
    people = people_ids(scope, filters) if people is None else people
    slices = _distributions(scope, filters, trail_buckets(filters, periods), people, daily)
    if totals is None:
        return slices + _distributions(scope, filters, [(filters.start, filters.end)], people, daily)
    if daily is not None:
        company = daily.company_reach(filters.start, filters.end)
    else:
        company = sources_for(scope, filters).company.aggregate(reach=Sum("potential_reach"))["reach"] or 0
    reaches = {member_id: m["potential_reach"] for member_id, m in totals.items() if m["potential_reach"]}
    return [*slices, TrailPoint(filters.start, filters.end, _distribution(int(company), reaches, people))]


def _distribution(company: int, reaches: dict[int, int], people: set[int]) -> Distribution:
    zeros = len(people - reaches.keys())
    return Distribution(company, tuple(sorted(reaches.values(), reverse=True)) + (0,) * zeros)


def _distributions(
    scope: Scope, filters: Filters, buckets: list[tuple[date, date]], people: set[int], daily: Daily | None
) -> list[TrailPoint]:
    wide = replace(filters, start=buckets[0][0], end=buckets[-1][1])
    if daily is not None:
        company = {index: daily.company_reach(start, end) for index, (start, end) in enumerate(buckets)}
    else:
        company = dict(
            sources_for(scope, wide)
            .company.annotate(bucket=_bucket_expression(buckets))
            .values("bucket")
            .order_by("bucket")
            .annotate(reach=Sum("potential_reach"))
            .values_list("bucket", "reach")
        )
    per_member = _member_reaches(scope, wide, buckets)
    return [
        TrailPoint(start, end, _distribution(int(company.get(index) or 0), per_member[index], people))
        for index, (start, end) in enumerate(buckets)
    ]


def _member_reaches(scope: Scope, wide: Filters, buckets: list[tuple[date, date]]) -> dict[int, dict[int, int]]:
    """Each slice's reach per member; the organization's are cached as its settled days'
    and its last few days' (see cached.rollups_read_settled), and put together."""
    if wide.topic_id or not scope.narrowed_to(wide.team_id).is_organization:
        return _reaches_read(scope, wide, buckets)
    return rollups_read_cached(
        organization_id=scope.organization_id,
        name="member-reaches-period",
        parts=(wide.network or "", *(f"{start}/{end}" for start, end in buckets)),
        compute=lambda: _organization_reaches(scope, wide, buckets),
    )


def _organization_reaches(scope: Scope, wide: Filters, buckets: list[tuple[date, date]]) -> dict[int, dict[int, int]]:
    last = settled_through(wide)
    settled = [(start, min(end, last)) if start <= last else None for start, end in buckets]
    fresh = [(max(start, last + timedelta(days=1)), end) if end > last else None for start, end in buckets]
    result: dict[int, dict[int, int]] = {index: {} for index in range(len(buckets))}
    parts = []
    if any(settled):
        parts.append(
            rollups_read_cached(
                organization_id=scope.organization_id,
                name="member-reaches",
                parts=(wide.network or "", *(f"{piece[0]}/{piece[1]}" if piece else "-" for piece in settled)),
                compute=lambda: _reaches_read(scope, wide, settled),
                settled=True,
            )
        )
    if any(fresh):
        parts.append(
            rollups_read_cached(
                organization_id=scope.organization_id,
                name="member-reaches-recent",
                parts=(wide.network or "", *(f"{piece[0]}/{piece[1]}" if piece else "-" for piece in fresh)),
                compute=lambda: _reaches_read(scope, wide, fresh),
            )
        )
    for part in parts:
        for index, reaches in part.items():
            target = result[index]
            for member_id, reach in reaches.items():
                target[member_id] = target.get(member_id, 0) + reach
    return result


def _reaches_read(scope: Scope, wide: Filters, pieces: list[tuple[date, date] | None]) -> dict[int, dict[int, int]]:
    """Reach per member in each piece of days (None: no days), in one grouped read."""
    per_member: dict[int, dict[int, int]] = {index: {} for index in range(len(pieces))}
    present = [piece for piece in pieces if piece]
    if not present:
        return per_member
    days = replace(wide, start=min(start for start, _end in present), end=max(end for _start, end in present))
    bucket = Case(
        *[When(day__gte=piece[0], day__lte=piece[1], then=Value(index)) for index, piece in enumerate(pieces) if piece],
        output_field=IntegerField(),
    )
    rows = (
        # Reach is booked on sharing days only: about half the rows carry none.
        member_rows(scope, days)
        .filter(potential_reach__gt=0)
        .annotate(bucket=bucket)
        .values("bucket", "member_id")
        .order_by()
        .annotate(reach=Sum("potential_reach"))
        .values_list("bucket", "member_id", "reach")
    )
    for index, member_id, reach in rows:
        if index is not None and reach:
            per_member[index][member_id] = int(reach)
    return per_member
