"""Bulk loading helpers: COPY, server-side generation, and index handling around a load."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

# Tables loaded in bulk: their secondary indexes are dropped before and built after.
BIG_TABLES = (
    "advocacy_share",
    "advocacy_trackedlink",
    "advocacy_click",
    "analytics_engagementsnapshot",
    "analytics_sharemetrics",
    "analytics_organizationday",
    "analytics_memberday",
    "analytics_postday",
    "analytics_postmemberday",
    "analytics_audiencesnapshot",
    "analytics_audienceday",
)

# Uniform numbers in [0, 1) from (id, salt): deterministic, so that two passes over the
# same rows (e.g. the snapshots and their rollup deltas) agree exactly.
UNIFORM_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.u(x bigint, salt bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(x, salt) & 4503599627370495)::double precision / 4503599627370496.0 $$
"""
# Short codes like the platform's: 8 characters of [a-zA-Z0-9], a bijection of the id.
BASE62_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.code62(n bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT string_agg(
       substr('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
              (((n * 861199752481 + 97) % 218340105584896) / (62::bigint ^ i)::bigint % 62)::int + 1, 1),
       '' ORDER BY i)
   FROM generate_series(0, 7) AS i $$
"""


def execute(sql: str, params: Sequence | dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: Sequence | dict | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def rows(sql: str, params: Sequence | dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_rows(table: str, columns: Sequence[str], data: Iterable[Sequence]) -> int:
    """COPY rows into a table; returns how many were written."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {table} ({quoted}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in data:
            copy.write_row(row)
            count += 1
    return count


def prepare_session() -> None:
    """Settings for this session only: a bulk load, not a workload to keep safe."""
    execute("SET synchronous_commit = off")
    execute("SET work_mem = '256MB'")
    execute("SET maintenance_work_mem = '1GB'")
    execute(UNIFORM_FUNCTION)
    execute(BASE62_FUNCTION)


def is_superuser() -> bool:
    return scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is True


@contextmanager
def foreign_key_checks_off() -> Iterator[None]:
    """Skip the deferred foreign-key triggers while loading rows that are consistent by construction."""
    if not is_superuser():
        yield
        return
    execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        execute("SET session_replication_role = origin")


def secondary_indexes(tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no constraint."""
    return rows(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        ORDER BY i.tablename, i.indexname
        """,
        [list(tables)],
    )


@contextmanager
def indexes_dropped(tables: Sequence[str], timer: StepTimer) -> Iterator[None]:
    """Drop the tables' secondary indexes for the load, and build them again after it.

    Also when the load fails: a database left without them would be seeded again without
    them (the definitions are read from the database itself) and measured without them.
    """
    definitions = secondary_indexes(tables)
    for name, _definition in definitions:
        execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with timer.step(f"{len(definitions)} secondary indexes"):
            for _name, definition in definitions:
                execute(definition)


def reset_sequences(tables: Iterable[str]) -> None:
    for table in tables:
        execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))")


class StepTimer:
    """Logs each step with its duration and keeps them for the seeding report."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.steps: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        elapsed = time.monotonic() - started
        self.steps[name] = round(elapsed, 2)
        self.log(f"{name}: {elapsed:.1f}s")
