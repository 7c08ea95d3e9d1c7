"""Check the seeded rollups against the platform's own rebuild from the raw rows.

`rollups_rebuild` recomputes every rollup and each share's metrics in Python from the
shares, snapshots and clicks; the seeder's SQL must give the very same rows. Meant for
the small preset (the rebuild reads every snapshot through the ORM).
"""

from __future__ import annotations

from analytics.services.rebuild import rollups_rebuild
from bench.seeding.db import execute, scalar
from bench.seeding.metrics import MEASURE_LIST
from bench.seeding.tables import T

TABLES = {
    f"{T.postmemberday}": "organization_id, day, network, post_id, member_id",
    f"{T.postday}": "organization_id, day, network, post_id, is_company",
    f"{T.memberday}": "organization_id, day, network, member_id",
    f"{T.organizationday}": "organization_id, day, network, is_company",
    f"{T.sharemetrics}": "share_id",
}
METRIC_COLUMNS = (
    "likes, reposts, replies, quotes, impressions, peak_likes, peak_reposts, peak_replies, peak_quotes, "
    "peak_impressions, clicks, unique_clicks"
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
