"""The distribution index for a scope: now, and over the periods before (the trail).

Every span's figures (the trail's slices and the whole period) come from one SQL
statement: each person's reach per span is summed in the database, ranked with window
functions, and only the figures leave it (Gini from the rank-weighted sum, the senders,
the top 3 %'s part, the entropy); never a row per person. People who reached no one
count as zeros: the scope's active employees without reach in the span.

The SQL is written for PostgreSQL and SQLite alike (the embedded default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Sum

from analytics.distribution import TOP_PERCENT, Distribution
from analytics.selectors.cached import scope_read_cached
from analytics.selectors.dashboard import member_rows, sources_for
from analytics.selectors.scope import employees_in
from analytics.selectors.sql import queryset_sql

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


def distribution_trail(
    *, scope: Scope, filters: Filters, periods: int = TRAIL_PERIODS, daily: Daily | None = None
) -> list[TrailPoint]:
    """The index over slices of the period (oldest first), then over the whole period.

    `daily` (covering the trail's days) saves the company's read when the caller has it.
    """
    spans = [*trail_buckets(filters, periods), (filters.start, filters.end)]
    company = _company_reaches(scope, filters, spans, daily)
    employees = scope_read_cached(
        scope=scope,
        filters=filters,
        name="distribution",
        # The spans follow from the filters' days and the number of periods.
        parts=(periods,),
        compute=lambda: _employee_figures(scope, filters, spans),
    )
    return [
        TrailPoint(start, end, replace(employees[index], company_reach=company[index]))
        for index, (start, end) in enumerate(spans)
    ]


def _company_reaches(scope: Scope, filters: Filters, spans: list[tuple[date, date]], daily: Daily | None) -> list[int]:
    if daily is not None:
        return [daily.company_reach(start, end) for start, end in spans]
    first, last = min(start for start, _end in spans), max(end for _start, end in spans)
    rows = sources_for(scope, filters, start=first, end=last).company.values("day").order_by("day")
    by_day = dict(rows.annotate(reach=Sum("potential_reach")).values_list("day", "reach"))
    return [sum(int(reach or 0) for day, reach in by_day.items() if start <= day <= end) for start, end in spans]


def _employee_figures(scope: Scope, filters: Filters, spans: list[tuple[date, date]]) -> list[Distribution]:
    """The employees' figures of each span (company reach left at 0), in one statement."""
    wide = replace(filters, start=min(start for start, _end in spans), end=max(end for _start, end in spans))
    # Reach is booked on sharing days only: about half the rows carry none.
    activity = member_rows(scope, wide).filter(potential_reach__gt=0).order_by()
    activity_sql, activity_params = queryset_sql(
        activity.values_list("member_id", "day", "potential_reach"),
        empty="SELECT CAST(NULL AS BIGINT), CAST(NULL AS DATE), CAST(NULL AS BIGINT)",
    )
    people_sql, people_params = queryset_sql(
        employees_in(scope.narrowed_to(filters.team_id)).order_by().values("id"), empty="SELECT CAST(NULL AS BIGINT)"
    )
    spans_sql = ", ".join(["(%s, %s, %s)"] * len(spans))
    spans_params = [value for index, (start, end) in enumerate(spans) for value in (index, start, end)]
    real = "DOUBLE PRECISION"
    sql = f"""
WITH spans (span, start_day, end_day) AS (VALUES {spans_sql}),
activity (member_id, day, reach) AS ({activity_sql}),
people (id) AS ({people_sql}),
reaches AS (
    SELECT spans.span, activity.member_id, SUM(activity.reach) AS reach
    FROM activity JOIN spans ON activity.day >= spans.start_day AND activity.day <= spans.end_day
    GROUP BY spans.span, activity.member_id
),
ranked AS (
    SELECT span, reach,
        ROW_NUMBER() OVER (PARTITION BY span ORDER BY reach) AS upward,
        ROW_NUMBER() OVER (PARTITION BY span ORDER BY reach DESC) AS downward,
        CASE WHEN member_id IN (SELECT id FROM people) THEN 1 ELSE 0 END AS employed
    FROM reaches
),
sums AS (
    SELECT span, COUNT(*) AS senders, SUM(reach) AS total, SUM(upward * reach) AS weighted,
        SUM(CAST(reach AS {real}) * LN(CAST(reach AS {real}))) AS x_log_x, SUM(employed) AS employed
    FROM ranked GROUP BY span
),
counted AS (
    SELECT spans.span, COALESCE(sums.senders, 0) AS senders, COALESCE(sums.total, 0) AS total,
        COALESCE(sums.weighted, 0) AS weighted, COALESCE(sums.x_log_x, 0) AS x_log_x,
        COALESCE(sums.senders, 0) + (SELECT COUNT(*) FROM people) - COALESCE(sums.employed, 0) AS employees
    FROM spans LEFT JOIN sums ON sums.span = spans.span
),
topped AS (
    SELECT counted.span, counted.senders, counted.total, counted.weighted, counted.x_log_x, counted.employees,
        COALESCE(SUM(CASE WHEN ranked.downward <= (counted.employees * %s + 99) / 100 OR ranked.downward = 1
            THEN ranked.reach ELSE 0 END), 0) AS top
    FROM counted LEFT JOIN ranked ON ranked.span = counted.span
    GROUP BY counted.span, counted.senders, counted.total, counted.weighted, counted.x_log_x, counted.employees
),
figured AS (
    SELECT span, senders, total, employees, top, x_log_x,
        CASE WHEN total = 0 OR employees = 0 THEN NULL WHEN employees = 1 THEN 0.0
            ELSE (2 * CAST(weighted + (employees - senders) * total AS {real}) / CAST(employees * total AS {real})
                - CAST(employees + 1 AS {real}) / employees) * employees / (employees - 1)
        END AS gini
    FROM topped
)
SELECT span, total, employees, senders,
    CASE WHEN gini IS NULL THEN NULL WHEN gini < 0 THEN 1.0 WHEN gini > 1 THEN 0.0 ELSE 1 - gini END,
    CASE WHEN total = 0 OR employees < 2 THEN NULL
        ELSE (LN(CAST(total AS {real})) - x_log_x / total) / LN(CAST(employees AS {real})) END,
    CASE WHEN total = 0 THEN NULL ELSE CAST(top AS {real}) / total END
FROM figured ORDER BY span"""  # noqa: S608 - the SQL of our own querysets, and our own names
    with connection.cursor() as cursor:
        cursor.execute(sql, [*spans_params, *activity_params, *people_params, TOP_PERCENT])
        rows = cursor.fetchall()
    return [
        Distribution(
            company_reach=0,
            employee_reach=int(total),
            employees=int(employees),
            senders=int(senders),
            evenness=None if evenness is None else float(evenness),
            entropy=None if entropy is None else float(entropy),
            top_share=None if top is None else float(top),
        )
        for _span, total, employees, senders, evenness, entropy, top in rows
    ]
