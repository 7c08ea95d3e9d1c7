"""Check the seeded rollups against the platform's own rebuild from the raw rows.

`rollups_rebuild` recomputes every rollup and each share's metrics in Python from the
shares, snapshots and clicks; the seeder's SQL must give the very same rows. Meant for
the small preset (the rebuild reads every snapshot through the ORM).
"""

from __future__ import annotations

from django.apps import apps

from analytics.models import Measures
from analytics.services.rebuild import rollups_rebuild
from bench.seeding.db import execute, scalar
from bench.seeding.metrics import MEASURE_LIST
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
