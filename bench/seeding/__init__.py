"""Fill a dedicated PostgreSQL database with a company at scale (see `manage.py seed_scale`).

Small tables are written with COPY from Python; shares, links, clicks, snapshots and
rollups are generated inside PostgreSQL (INSERT … SELECT over generate_series), with
secondary indexes dropped during the load and foreign-key triggers off (the rows are
consistent by construction). What was seeded is recorded in the `bench_seed` table,
which the benchmark reads to find its people and to label its results.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from bench.seeding import activity, content, db, metrics, people, verify
from bench.seeding.params import SeedParams
from bench.seeding.tables import T

# Tables the platform creates on migrate and needs as they are.
KEEP = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
RECORD_TABLE = "bench_seed"


class SeedRefused(Exception):
    """The database is not one this seeder may overwrite."""


class SeedFailed(Exception):
    """The seeded rows are not what the parameters asked for (the seeding stays unfinished)."""


@dataclass
class SeedResult:
    params: SeedParams
    counts: dict
    seconds: float
    steps: dict[str, float]


def recorded(*, finished: bool = True) -> dict | None:
    """What the last seeding wrote (parameters, counts, people), or None.

    With `finished=False`, also a seeding that started and did not finish.
    """
    if RECORD_TABLE not in connection.introspection.table_names():
        return None
    row = db.rows(f"SELECT params, counts, roles, timings, seeded_at FROM {RECORD_TABLE} WHERE id = 1")
    if not row or (finished and row[0][4] is None):
        return None
    # Django's PostgreSQL backend hands jsonb over as text (its JSONField decodes it).
    params, counts, roles, timings = (json.loads(value) if isinstance(value, str) else value for value in row[0][:4])
    return {"params": params, "counts": counts, "roles": roles, "timings": timings, "seeded_at": row[0][4]}


def _check_target() -> None:
    if connection.vendor != "postgresql":
        raise SeedRefused("seed_scale loads PostgreSQL only (set DATABASE_URL to a dedicated PostgreSQL database)")
    has_data = db.scalar(f"SELECT EXISTS (SELECT 1 FROM {T.organization})")
    if has_data and recorded(finished=False) is None:
        raise SeedRefused(
            f"database {connection.settings_dict['NAME']!r} holds organizations this seeder did not make; "
            "it only overwrites an empty database or one it seeded before"
        )


def _truncate() -> None:
    tables = [name for name in connection.introspection.django_table_names(only_existing=True) if name not in KEEP]
    existing = set(connection.introspection.table_names())
    tables = [name for name in tables if name in existing]
    db.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def seed(params: SeedParams, log: Callable[[str], None]) -> SeedResult:
    _check_target()
    started = time.monotonic()
    timer = db.StepTimer(log)
    rng = random.Random(params.seed)  # noqa: S311 - made-up data, not secrets
    now = timezone.now().replace(microsecond=0)
    db.prepare_session()
    with timer.step("truncate"):
        # Marked as begun, so that a seeding that fails half-way may be run again.
        _record(params, counts={}, roles={}, timings={}, finished=False)
        _truncate()
    counts: dict[str, int] = {}
    with db.foreign_key_checks_off(), db.indexes_dropped(db.BIG_TABLES, timer):
        with timer.step("people and profiles (COPY)"):
            crowd = people.seed_people(params, now, rng)
        with timer.step("posts (COPY)"):
            posts = content.seed_content(params, crowd, now, rng)
        with timer.step("shares and tracked links"):
            counts |= activity.seed_shares(params, crowd, rng)
        with timer.step("clicks"):
            counts["clicks"] = activity.seed_clicks(params)
        with timer.step("engagement snapshots"):
            counts |= metrics.seed_snapshots(params, now)
        with timer.step("share metrics"):
            counts["share_metrics"] = metrics.seed_share_metrics(now)
        with timer.step("rollups"):
            counts |= metrics.seed_rollups()
        with timer.step("audience"):
            counts["audience_snapshots"] = metrics.seed_audience(params, now)
    tables = connection.introspection.django_table_names(only_existing=True)
    existing = set(connection.introspection.table_names())
    db.reset_sequences(name for name in tables if name in existing and name not in KEEP and _has_identity(name))
    with timer.step("vacuum analyze"):
        db.execute("VACUUM (ANALYZE)")
    counts |= {
        "employees": len(crowd.members),
        "posts": posts.posts,
        "shares": db.scalar(f"SELECT count(*) FROM {T.share}"),
        "tracked_links": db.scalar(f"SELECT count(*) FROM {T.trackedlink}"),
        "profiles": db.scalar(f"SELECT count(*) FROM {T.socialprofile}"),
        "teams": db.scalar(f"SELECT count(*) FROM {T.team}"),
    }
    tree = verify.team_tree(crowd.organization_id)
    counts["team_depth"] = tree["depth"]
    problems = verify.team_tree_problems(params, crowd.organization_id)
    if problems:
        raise SeedFailed(f"the seeded team tree is not the one asked for: {'; '.join(problems)}")
    seconds = round(time.monotonic() - started, 1)
    roles = {
        "organization_id": crowd.organization_id,
        "admin_member_id": crowd.admin_id,
        "comms_member_id": crowd.comms_id,
        "manager_member_id": crowd.manager_id,
        "heaviest_sharer_member_id": db.scalar(
            f"SELECT member_id FROM {T.share} WHERE member_id IS NOT NULL "
            "GROUP BY member_id ORDER BY count(*) DESC LIMIT 1"
        ),
    }
    _record(params, counts=counts, roles=roles, timings={**timer.steps, "total": seconds}, finished=True)
    return SeedResult(params, counts, seconds, timer.steps)


def _has_identity(table: str) -> bool:
    return bool(
        db.scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'id' "
            "AND (is_identity = 'YES' OR column_default LIKE 'nextval%%'))",
            [table],
        )
    )


def _record(params: SeedParams, *, counts: dict, roles: dict, timings: dict, finished: bool) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (id int PRIMARY KEY, params jsonb, counts jsonb, roles jsonb, "
        "timings jsonb, seeded_at timestamptz)"
    )
    db.execute(
        f"INSERT INTO {RECORD_TABLE} VALUES (1, %s, %s, %s, %s, CASE WHEN %s THEN now() END) "
        "ON CONFLICT (id) DO UPDATE SET params = excluded.params, counts = excluded.counts, roles = excluded.roles, "
        "timings = excluded.timings, seeded_at = excluded.seeded_at",
        [json.dumps(params.as_dict()), json.dumps(counts), json.dumps(roles), json.dumps(timings), finished],
    )
