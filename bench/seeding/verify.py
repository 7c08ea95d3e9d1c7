"""Checks of a seeding: the team tree's size and depth, and the rollups.

`team_tree_problems` compares the team tree with the parameters (cheap; seed_scale runs
it after every seeding). `rollups_rebuild` recomputes every rollup and each share's
metrics in Python from the shares, snapshots and clicks; the seeder's SQL must give the
very same rows. Meant for the small preset (the rebuild reads every snapshot through the ORM).
"""

from __future__ import annotations

from django.apps import apps

from analytics.models import Measures
from analytics.services.rebuild import rollups_rebuild
from bench.seeding.db import execute, scalar
from bench.seeding.db import rows as rows_of
from bench.seeding.metrics import MEASURE_LIST
from bench.seeding.params import SeedParams
from bench.seeding.people import team_level_sizes
from bench.seeding.tables import T


def _key(label: str) -> str:
    """The columns of the model's key (its unique constraint named `*_key`, or its primary key)."""
    meta = apps.get_model(label)._meta
    names = next((c.fields for c in meta.constraints if c.name.endswith("_key")), [meta.pk.name])
    return ", ".join(meta.get_field(name).column for name in names)


TABLES = {
    apps.get_model(label)._meta.db_table: _key(label)
    for label in (
        "analytics.PostMemberDay",
        "analytics.PostDay",
        "analytics.MemberDay",
        "analytics.OrganizationDay",
        "analytics.ShareMetrics",
    )
}
# A share's figures: the rollups' engagement measures it carries, and their peaks.
METRIC_COLUMNS = ", ".join(
    field.column
    for field in apps.get_model("analytics.ShareMetrics")._meta.concrete_fields
    if field.name in Measures.MEASURES or field.name.startswith("peak_")
)


def rollups_differences() -> dict[str, int]:
    """Rows that differ between the seeded tables and the rebuilt ones, per table."""
    for table, key in TABLES.items():
        columns = METRIC_COLUMNS if table == f"{T.sharemetrics}" else MEASURE_LIST
        execute(f"DROP TABLE IF EXISTS seeded_{table}")
        execute(f"CREATE TEMP TABLE seeded_{table} AS SELECT {key}, {columns} FROM {table}")
    rollups_rebuild()
    differences = {}
    for table, key in TABLES.items():
        columns = METRIC_COLUMNS if table == f"{T.sharemetrics}" else MEASURE_LIST
        rebuilt = f"SELECT {key}, {columns} FROM {table}"
        seeded = f"SELECT {key}, {columns} FROM seeded_{table}"
        differences[table] = scalar(
            f"SELECT (SELECT count(*) FROM ({rebuilt} EXCEPT ALL {seeded}) a) "
            f"+ (SELECT count(*) FROM ({seeded} EXCEPT ALL {rebuilt}) b)"
        )
        execute(f"DROP TABLE seeded_{table}")
    return differences


def team_tree(organization_id: int) -> dict[str, int]:
    """The organization's team count and depth (levels from a root to the deepest leaf), and
    the teams not reachable from a root (a cycle or a parent in another organization)."""
    row = rows_of(
        f"""
        WITH RECURSIVE tree(id, level) AS (
            SELECT id, 1 FROM {T.team} WHERE organization_id = %(org)s AND parent_id IS NULL
            UNION ALL
            SELECT t.id, tree.level + 1 FROM {T.team} t JOIN tree ON t.parent_id = tree.id
            WHERE t.organization_id = %(org)s
        )
        SELECT (SELECT count(*) FROM {T.team} WHERE organization_id = %(org)s),
               (SELECT coalesce(max(level), 0) FROM tree),
               (SELECT count(*) FROM {T.team} WHERE organization_id = %(org)s) - (SELECT count(*) FROM tree)
        """,
        {"org": organization_id},
    )[0]
    return {"teams": row[0], "depth": row[1], "unreachable": row[2]}


def team_tree_problems(params: SeedParams, organization_id: int) -> list[str]:
    """What differs between the seeded team tree and the one the parameters ask for."""
    found = team_tree(organization_id)
    expected_teams = params.teams or sum(team_level_sizes(params))
    problems = []
    if found["teams"] != expected_teams:
        problems.append(f"{found['teams']} teams, expected {expected_teams}")
    if found["depth"] != params.team_depth:
        problems.append(f"depth {found['depth']}, expected {params.team_depth}")
    if found["unreachable"]:
        problems.append(f"{found['unreachable']} teams not below any root team")
    return problems
