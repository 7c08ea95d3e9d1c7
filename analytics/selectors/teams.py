"""The dashboard's team table, aggregated in the database.

Each team counts the people of every team below it (a recursive walk down the team
tree, per team of the scope), once each however many of those teams they are in; its
figures are the sums of those people's rollup rows over the period (`GROUP BY` team).
Only the page of teams shown is summed; the sizes that decide which teams works-council
mode hides are counted for every team, which reads team links only.

The SQL is written for PostgreSQL and SQLite alike (the embedded default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection

from analytics.models import Measures
from analytics.reach import Side
from analytics.selectors.cached import scope_read_cached
from analytics.selectors.sql import queryset_sql
from employees.models import Membership, Team

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

TEAMS_PER_PAGE = 25


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    people: int
    active: int
    side: Side


def _sizes_sql(scope: Scope) -> tuple[str, list]:
    """`sizes(id, name, people)` for every team of the scope, and `people(root_id,
    membership_id)`: who each of them counts."""
    team = Team._meta.db_table
    link = Membership.teams.through._meta.db_table
    roots, params = "", [scope.organization_id]
    if scope.team_ids is not None:
        # Ids of the scope (integers read from the database), never input.
        ids = sorted(int(team_id) for team_id in scope.team_ids) or [0]
        roots = f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql = f"""
WITH RECURSIVE below (root_id, team_id) AS (
    SELECT id, id FROM {team} WHERE organization_id = %s{roots}
    UNION
    SELECT below.root_id, child.id FROM below JOIN {team} child ON child.parent_id = below.team_id
),
people AS (
    SELECT DISTINCT below.root_id, link.membership_id
    FROM below JOIN {link} link ON link.team_id = below.team_id
),
sizes AS (
    SELECT team.id, team.name, COUNT(people.membership_id) AS people
    FROM {team} team JOIN below ON below.root_id = team.id AND below.team_id = team.id
    LEFT JOIN people ON people.root_id = team.id
    GROUP BY team.id, team.name
)"""  # noqa: S608
    return sql, params


def team_counts(scope: Scope, *, min_size: int | None) -> tuple[int, int]:
    """(teams shown, teams hidden for being smaller than `min_size`)."""
    sizes, params = _sizes_sql(scope)
    sql = f"{sizes} SELECT COALESCE(SUM(CASE WHEN people >= %s THEN 1 ELSE 0 END), 0), COUNT(*) FROM sizes"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, min_size or 0])
        shown, total = cursor.fetchone()
    return int(shown), int(total) - int(shown)


def team_rows(
    scope: Scope, filters: Filters, *, min_size: int | None, offset: int = 0, limit: int | None = None
) -> list[TeamRow]:
    """The teams of at least `min_size` people, by name, with their figures; `limit`
    teams from `offset` (every one without `limit`)."""
    from analytics.selectors.dashboard import measure_sums, member_rows

    sizes, params = _sizes_sql(scope)
    # The employees' sums per person over the period, as the rest of the dashboard reads them.
    names = Measures.MEASURES
    zeros = ", ".join(f"0 AS sum_{name}" for name in names)
    sums_sql, sums_params = queryset_sql(
        member_rows(scope, filters).values("member_id").order_by().annotate(**measure_sums()),
        empty=f"SELECT CAST(NULL AS BIGINT) AS member_id, {zeros}",
    )
    page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    columns = ", ".join(f"COALESCE(SUM(sums.sum_{name}), 0)" for name in names)
    sql = f"""{sizes},
sums AS ({sums_sql}),
page AS (SELECT id, name, people FROM sizes WHERE people >= %s ORDER BY name, id{page})
SELECT page.id, page.name, page.people, COALESCE(SUM(CASE WHEN sums.sum_shares > 0 THEN 1 ELSE 0 END), 0), {columns}
FROM page
LEFT JOIN people ON people.root_id = page.id
LEFT JOIN sums ON sums.member_id = people.membership_id
GROUP BY page.id, page.name, page.people
ORDER BY page.name, page.id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *sums_params, min_size or 0])
        rows = cursor.fetchall()
    return [
        TeamRow(
            team_id,
            name,
            int(people),
            int(active),
            Side.of(dict(zip(names, (int(value) for value in values), strict=True))),
        )
        for team_id, name, people, active, *values in rows
    ]


class TeamPages:
    """The team table for django's Paginator: counted once, each page read on its own,
    both kept in the cache until the rollups or the organization's people and teams change."""

    def __init__(self, scope: Scope, filters: Filters, *, min_size: int | None) -> None:
        self.scope, self.filters, self.min_size = scope, filters, min_size
        self._counts: tuple[int, int] | None = None

    def _counted(self) -> tuple[int, int]:
        if self._counts is None:
            self._counts = scope_read_cached(
                scope=self.scope,
                filters=self.filters,
                name="team-counts",
                parts=(self.min_size or 0,),
                compute=lambda: team_counts(self.scope, min_size=self.min_size),
                # Team sizes read team links only: a rollup write leaves them as they were.
                rollups=False,
            )
        return self._counts

    def count(self) -> int:
        return self._counted()[0]

    @property
    def hidden(self) -> int:
        return self._counted()[1]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[TeamRow]:
        if not isinstance(index, slice):
            raise TypeError("team pages are read by slices")
        start, limit = index.start or 0, index.stop - (index.start or 0)
        return scope_read_cached(
            scope=self.scope,
            filters=self.filters,
            name="team-rows",
            parts=(self.min_size or 0, start, limit),
            compute=lambda: team_rows(self.scope, self.filters, min_size=self.min_size, offset=start, limit=limit),
        )
