"""The organization dashboard for 90 days: its render time against hand-written SQL for
the same figures, and a check that both give the same figures."""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

import psycopg
from django.conf import settings
from django.db import connection

from analytics.emv import emv_compute, rates_with_defaults
from analytics.forms import Filters, organization_today
from analytics.selectors.overview import dashboard_overview
from analytics.selectors.scope import Scope
from analytics.services.rollups import rollups_version_bump
from bench.parts import dashboard_sql as hand
from bench.parts.web import fetch, headers_for, queries_of
from employees.models import Organization

DAYS = 90
MEASURES = hand.MEASURES


def period_for(organization_id: int) -> hand.Period:
    organization = Organization.objects.get(pk=organization_id)
    today = organization_today(organization)
    return hand.Period(organization_id, today - timedelta(days=DAYS - 1), today)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"] or None
    )


def hand_sql_times(period: hand.Period, runs: int) -> tuple[list[float], dict]:
    with psycopg.connect(_dsn()) as conn, conn.cursor() as cursor:
        # These statements' cost estimates cross jit_above_cost, and JIT compiling them
        # would take longer (~1.5 s) than running them; the platform's own stay below it.
        cursor.execute("SET jit = off")
        results = hand.run_all(cursor, period)  # warm: plans and pages
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            results = hand.run_all(cursor, period)
            times.append((time.perf_counter() - started) * 1000)
        per_statement = {}
        for name, statement in hand.STATEMENTS.items():
            started = time.perf_counter()
            cursor.execute(statement, hand.parameters(period))
            cursor.fetchall()
            per_statement[name] = round((time.perf_counter() - started) * 1000, 2)
    return times, {"results": results, "per_statement_ms": per_statement}


# -- the same figures from both sides ---------------------------------------------------


def _side(values) -> dict[str, int]:
    return {name: int(value or 0) for name, value in zip(MEASURES, values, strict=True)}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def figures_from_sql(results: dict, period: hand.Period) -> dict:
    totals = {(row[0], row[1]): _side(row[2:]) for row in results["totals"]}
    empty = dict.fromkeys(MEASURES, 0)
    series = {_day(row[0]): (int(row[1] or 0), int(row[2] or 0)) for row in results["series"]}
    networks: dict[str, dict] = {}
    for row in results["networks"]:
        sides = networks.setdefault(row[0], {"company": empty, "employees": empty})
        sides["company" if row[1] else "employees"] = _side(row[2:])
    counts = {
        network: {name: sides["company"][name] + sides["employees"][name] for name in MEASURES}
        for network, sides in networks.items()
    }
    currency, rates = results["settings"] or ("EUR", {})
    emv = emv_compute(counts=counts, rates=rates_with_defaults(rates or {}), currency=currency)
    days, day = [], period.start
    while day <= period.end:
        days.append((day, *series.get(day, (0, 0))))
        day += timedelta(days=1)
    trail = []
    for _n, start, end, company, employees, people, weighted in results["trail"]:
        total = int(company) + int(employees)
        gini = hand.gini_from(int(people), int(employees), int(weighted))
        share = None if not total else round(int(employees) / total, 9)
        trail.append((_day(start), _day(end), share, None if gini is None else round(1 - gini, 9)))
    audience_day, company_followers, employee_followers = results["audience"] or (None, 0, 0)
    audience_day = _day(audience_day)
    return {
        "reach": {side: totals.get((side == "company", True), empty) for side in ("company", "employees")},
        "previous": {side: totals.get((side == "company", False), empty) for side in ("company", "employees")},
        "series": days,
        "networks": networks,
        "emv_total": str(emv.total),
        "top_posts": [(row[0], int(row[2]), int(row[3])) for row in results["top_posts"]],
        "top_sharers": [tuple(row) for row in results["top_sharers"]],
        "teams": [(row[0], int(row[1]), int(row[2]), _side(row[3:])) for row in results["teams"]],
        "adoption": tuple(int(value) for value in results["adoption"]),
        "audience": (
            audience_day if audience_day and audience_day >= period.start else None,
            int(company_followers) if audience_day and audience_day >= period.start else 0,
            int(employee_followers) if audience_day and audience_day >= period.start else 0,
        ),
        "trail": trail,
    }


def _measures(side) -> dict[str, int]:
    return {name: int(getattr(side, name)) for name in MEASURES}


def figures_from_platform(overview) -> dict:
    reach = {"company": _measures(overview.reach.company), "employees": _measures(overview.reach.employees)}
    previous = {"company": _measures(overview.previous.company), "employees": _measures(overview.previous.employees)}
    return {
        "reach": reach,
        "previous": previous,
        "series": [(point.day, point.company, point.employees) for point in overview.series],
        "networks": {
            row.network: {"company": _measures(row.reach.company), "employees": _measures(row.reach.employees)}
            for row in overview.networks
        },
        "emv_total": str(overview.emv.total),
        "top_posts": [
            (
                row.post_id,
                row.reach.combined.engagements + row.reach.combined.clicks,
                row.reach.combined.potential_reach,
            )
            for row in overview.top_posts
        ],
        "top_sharers": [(row.member_id, row.name) for row in overview.top_sharers],
        "teams": [(row.team_id, row.people, row.active, _measures(row.side)) for row in overview.teams],
        "adoption": (overview.adoption.employees, overview.adoption.connected, overview.adoption.active),
        "audience": (overview.audience.day, overview.audience.company, overview.audience.employees),
        "trail": [
            (
                point.start,
                point.end,
                None if point.distribution.employee_share is None else round(point.distribution.employee_share, 9),
                None if point.distribution.evenness is None else round(point.distribution.evenness, 9),
            )
            for point in overview.trail
        ],
    }


def differences(ours: dict, theirs: dict) -> list[str]:
    return [key for key in ours if ours[key] != theirs.get(key)]


def _selectors_after(scope: Scope, filters: Filters, *, runs: int, settled: bool) -> list[float]:
    """The selectors' times, each right after the rollups changed as a write does (a
    version bump: the rows themselves are left as seeded)."""
    times = []
    for _ in range(runs):
        ids = [scope.organization_id]
        rollups_version_bump(organization_ids=ids, settled_ids=ids if settled else ())
        started = time.perf_counter()
        dashboard_overview(scope=scope, filters=filters)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(*, base_url: str, session_key: str, organization_id: int, runs: int) -> dict:
    period = period_for(organization_id)
    path = f"/analytics/?days={DAYS}"
    headers = headers_for(session_key)
    status, body, _seconds = fetch(base_url + path, headers)
    if status != 200 or "dashboard-body" not in body:
        raise RuntimeError(f"the dashboard answered {status}")
    for _ in range(3):
        fetch(base_url + path, headers)
    page_times = [fetch(base_url + path, headers)[2] * 1000 for _ in range(runs)]

    queries = queries_of(path, session_key)
    organization = Organization.objects.get(pk=organization_id)
    filters = Filters(start=period.start, end=period.end, days=DAYS, timezone=organization.timezone)
    scope = Scope(organization_id, None)
    selector_times = []
    for _ in range(runs):
        started = time.perf_counter()
        overview = dashboard_overview(scope=scope, filters=filters)
        selector_times.append((time.perf_counter() - started) * 1000)
    # The page above is read while the rollups stay as they are. In production they
    # change every few minutes: the selectors again right after a write to today (the
    # common case) and after a change to a settled day (nothing cached applies).
    after_write = _selectors_after(scope, filters, runs=max(3, runs // 3), settled=False)
    cold = _selectors_after(scope, filters, runs=max(3, runs // 3), settled=True)
    connection.close()

    sql_times, sql = hand_sql_times(period, runs)
    ours, theirs = figures_from_sql(sql["results"], period), figures_from_platform(overview)
    mismatched = differences(ours, theirs)
    page_p50, sql_p50 = statistics.median(page_times), statistics.median(sql_times)
    return {
        "period": f"{period.start.isoformat()} – {period.end.isoformat()} ({DAYS} days)",
        "p50_ms": round(page_p50, 1),
        "p95_ms": round(_percentile(page_times, 0.95), 1),
        "sql_p50_ms": round(sql_p50, 2),
        "ratio": round(page_p50 / sql_p50, 2) if sql_p50 else None,
        "selectors_p50_ms": round(statistics.median(selector_times), 1),
        "selectors_after_a_write_today_p50_ms": round(statistics.median(after_write), 1),
        "selectors_cold_p50_ms": round(statistics.median(cold), 1),
        "queries": len(queries),
        "query_ms_total": round(sum(query["ms"] for query in queries), 1),
        "slowest_queries": sorted(queries, key=lambda query: -query["ms"])[:5],
        "hand_sql_statements": len(hand.STATEMENTS),
        "hand_sql_per_statement_ms": sql["per_statement_ms"],
        "figures_match": not mismatched,
        "figures_mismatched": mismatched,
        "runs": runs,
        "page_bytes": len(body.encode()),
    }


def cold_and_warm(*, base_url: str, session_key: str, organization_id: int, runs: int) -> dict:
    """The dashboard page (90 days) as its viewer gets it, sequential requests:

    - cold: each request right after a rollup write that touches a settled day (the
      version bump every write makes; nothing cached applies, as after a rebuild);
    - after a write to today: each request right after the common write (recent days);
    - warm: requests with the rollups unchanged since the previous one.
    """
    path = f"/analytics/?days={DAYS}"
    headers = headers_for(session_key)
    status, body, _seconds = fetch(base_url + path, headers)
    if status != 200 or "dashboard-body" not in body:
        raise RuntimeError(f"the dashboard answered {status}")
    ids = [organization_id]

    def timed(bump: str | None) -> float:
        if bump is not None:
            rollups_version_bump(organization_ids=ids, settled_ids=ids if bump == "settled" else ())
        return fetch(base_url + path, headers)[2] * 1000

    cold = [timed("settled") for _ in range(runs)]
    today = [timed("today") for _ in range(runs)]
    timed(None)
    warm = [timed(None) for _ in range(runs)]
    connection.close()

    def summary(values: list[float]) -> dict:
        return {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1),
        }

    cold_s, today_s, warm_s = summary(cold), summary(today), summary(warm)
    return {
        "runs": runs,
        "cold_p50_ms": cold_s["p50_ms"],
        "cold_p95_ms": cold_s["p95_ms"],
        "after_a_write_today_p50_ms": today_s["p50_ms"],
        "after_a_write_today_p95_ms": today_s["p95_ms"],
        "warm_p50_ms": warm_s["p50_ms"],
        "warm_p95_ms": warm_s["p95_ms"],
        "page_bytes": len(body.encode()),
        "measured_as": "sequential requests (closed loop, one at a time) through gunicorn",
    }
