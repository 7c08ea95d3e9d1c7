"""The dashboard's day-by-day figures in one read per side.

The totals now and before, the daily series, the networks (and so EMV) and the
company's reach in each slice of the distribution trail are all sums of the same
rows: each side's measures per day and network. Reading those once over the whole
stretch of days the page covers, and adding them up here, replaces a dozen grouped
queries on the same table with two.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from analytics.models import Measures
from analytics.reach import Reach, engagements_of
from analytics.selectors.cached import rollups_read_cached, scope_read_cached
from analytics.selectors.dashboard import NetworkRow, SeriesPoint, measure_sums, sources_for

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

Rows = dict[tuple[date, str], dict[str, int]]


def _metric(measures: dict[str, int], metric: str) -> int:
    if metric == "engagements":
        return engagements_of(measures)
    if metric == "clicks":
        return measures["clicks"]
    return measures["potential_reach"]


def _sum(rows: Rows, start: date, end: date) -> dict[str, int]:
    sums = dict.fromkeys(Measures.MEASURES, 0)
    for (day, _network), measures in rows.items():
        if start <= day <= end:
            for name in Measures.MEASURES:
                sums[name] += measures[name]
    return sums


def _by_network(rows: Rows, start: date, end: date) -> dict[str, dict[str, int]]:
    networks: dict[str, dict[str, int]] = {}
    for (day, network), measures in sorted(rows.items(), key=lambda item: item[0][1]):
        if start <= day <= end:
            sums = networks.setdefault(network, dict.fromkeys(Measures.MEASURES, 0))
            for name in Measures.MEASURES:
                sums[name] += measures[name]
    return networks


@dataclass(frozen=True)
class Daily:
    """Each side's measures per day and network, from `start` to `end`."""

    start: date
    end: date
    company: Rows
    employees: Rows

    def _check(self, start: date, end: date) -> None:
        if start < self.start or end > self.end:
            raise ValueError(f"{start}–{end} is outside the days read ({self.start}–{self.end})")

    def reach(self, start: date, end: date) -> Reach:
        self._check(start, end)
        return Reach.of(company=_sum(self.company, start, end), employees=_sum(self.employees, start, end))

    def company_reach(self, start: date, end: date) -> int:
        self._check(start, end)
        return sum(m["potential_reach"] for (day, _n), m in self.company.items() if start <= day <= end)

    def series(self, filters: Filters) -> list[SeriesPoint]:
        """One point per day of the period (days without activity are zeros)."""
        self._check(filters.start, filters.end)
        values: list[defaultdict[date, int]] = []
        for rows in (self.company, self.employees):
            per_day: defaultdict[date, int] = defaultdict(int)
            for (day, _network), measures in rows.items():
                per_day[day] += _metric(measures, filters.metric)
            values.append(per_day)
        company, employees = values
        points, day = [], filters.start
        while day <= filters.end:
            points.append(SeriesPoint(day, company[day], employees[day]))
            day += timedelta(days=1)
        return points

    def networks(self, start: date, end: date) -> list[NetworkRow]:
        self._check(start, end)
        sides: dict[str, dict[str, dict]] = {}
        for kind, rows in (("company", self.company), ("employees", self.employees)):
            for network, measures in _by_network(rows, start, end).items():
                sides.setdefault(network, {})[kind] = measures
        result = [
            NetworkRow(network, Reach.of(company=kinds.get("company", {}), employees=kinds.get("employees", {})))
            for network, kinds in sides.items()
        ]
        return sorted(result, key=lambda row: -row.reach.combined.potential_reach)

    def emv_counts(self, start: date, end: date) -> dict[str, dict[str, int]]:
        self._check(start, end)
        counts: dict[str, dict[str, int]] = {}
        for rows in (self.company, self.employees):
            for network, measures in _by_network(rows, start, end).items():
                target = counts.setdefault(network, {})
                for name in ("impressions", "likes", "reposts", "replies", "quotes", "clicks"):
                    target[name] = target.get(name, 0) + measures[name]
        return counts


def daily_read(scope: Scope, filters: Filters, *, start: date, end: date) -> Daily:
    """Both sides' rows per day and network from `start` to `end`, with the filters' scope,
    network and topic; the organization's (without a topic) are kept until the rollups change,
    a team's until the rollups or the teams change."""
    if filters.topic_id or not scope.narrowed_to(filters.team_id).is_organization:
        return scope_read_cached(
            scope=scope,
            filters=filters,
            name="daily",
            parts=(start, end),
            compute=lambda: _daily_read(scope, filters, start=start, end=end),
        )
    return rollups_read_cached(
        organization_id=scope.organization_id,
        name="daily",
        parts=(start, end, filters.network or ""),
        compute=lambda: _daily_read(scope, filters, start=start, end=end),
    )


def _daily_read(scope: Scope, filters: Filters, *, start: date, end: date) -> Daily:
    sources = sources_for(scope, filters, start=start, end=end)
    sides = []
    names = Measures.MEASURES
    for rows in (sources.company, sources.employees):
        grouped = rows.values("day", "network").order_by().annotate(**measure_sums())
        sides.append(
            {
                (day, network): dict(zip(names, (int(value or 0) for value in values), strict=True))
                for day, network, *values in grouped.values_list("day", "network", *(f"sum_{n}" for n in names))
            }
        )
    return Daily(start=start, end=end, company=sides[0], employees=sides[1])
