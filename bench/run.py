"""Run every benchmark against the seeded database and write its results and report.

    python -m bench.run [--small]      (bench/run.sh seeds first; `make bench` calls that)

Order: the web server under load (ceiling, feed, redirect), the dashboard, then the
local Bluesky network for push (Celery workers) and pull. Each part's failure is
recorded and the others still run.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import environment

HERE = Path(__file__).resolve().parent
LOG_DIR = HERE.parent / "var" / "bench"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="label the run as the small preset; push 200 shares")
    parser.add_argument("--large", action="store_true", help="label the run as the large preset (50,000 employees)")
    parser.add_argument("--seconds", type=int, default=15, help="measured seconds per load run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved load rounds per page (median kept)")
    parser.add_argument("--push-shares", type=int, help="shares to push (default 1000, 200 with --small)")
    parser.add_argument("--live-rate", type=float, default=1000, help="share to live: shares a minute (open loop)")
    parser.add_argument("--live-seconds", type=float, default=60, help="share to live: seconds of arrivals")
    parser.add_argument("--dashboard-runs", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=[], help="web, dashboard, push, pull (default: all)")
    parser.add_argument(
        "--out",
        help="results path (default bench/results.json with --large, results-small.json with --small, "
        "results-default.json otherwise)",
    )
    return parser.parse_args(argv)


def _part(results: dict, name: str, function, *args, **kwargs):
    started = time.monotonic()
    print(f"[bench] {name} …", flush=True)
    try:
        value = function(*args, **kwargs)
    except Exception as error:
        traceback.print_exc()
        results.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
        return None
    print(f"[bench] {name} done in {time.monotonic() - started:.0f}s", flush=True)
    return value


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    environment.apply()
    import django

    django.setup()
    # The adapters' request log would drown the progress lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bench import report
    from bench.load import LoadShape
    from bench.machine import describe
    from bench.seeding import recorded

    seeding = recorded()
    if seeding is None:
        print("The database is not seeded: run `manage.py seed_scale` (bench/run.sh does).", file=sys.stderr)
        return 2
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    shape = LoadShape(threads=args.threads, connections=args.connections, seconds=args.seconds)
    from bench.seeding.params import SeedParams

    params = SeedParams.from_dict(seeding["params"])
    results: dict = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "small": args.small,
        "preset": "small" if args.small else "large" if args.large else "default",
        "data": {
            "label": params.label(),
            "params": seeding["params"],
            "counts": seeding["counts"],
            "seed_seconds": seeding["timings"].get("total"),
            "seed_steps": {k: v for k, v in seeding["timings"].items() if k != "total"},
            "seeded_at": str(seeding["seeded_at"]),
        },
        "machine": describe(),
        "load": {
            "threads": shape.threads,
            "connections": shape.connections,
            "seconds": shape.seconds,
            "rounds": args.rounds,
        },
    }
    only = set(args.only) or {"web", "dashboard", "push", "pull"}
    roles = seeding["roles"]
    _flush_queue()
    from bench.steps import bluesky_parts, web_parts

    web_parts(results, roles, shape, only, args, LOG_DIR, _part)
    if only & {"push", "pull"}:
        results["settled_before_push"] = _part(results, "ingest the web part's clicks", _settle_clicks)
        bluesky_parts(results, only, args, LOG_DIR, _part)
    from bench.machine import load_average

    results["machine"]["load_average_at_end"] = load_average()
    _summarise(results)
    # The 50,000-employee run is the headline (results.json): the targets are set for it.
    suffix = "-small" if args.small else "" if args.large else "-default"
    out = Path(args.out) if args.out else HERE / f"results{suffix}.json"
    markdown = out.with_name(f"RESULTS{suffix}.md")
    report.write(results, out, markdown)
    print(f"[bench] wrote {out} and {markdown}")
    for verdict in results["targets"]:
        mark = "met   " if verdict["met"] else "MISSED"
        print(f"[bench] {mark} {verdict['target']}: {verdict['value']} {verdict['by']}")
    return 1 if results.get("errors") else 0


def _flush_queue() -> None:
    """The benchmark's Redis database starts empty: no task left from an earlier run."""
    import os

    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def _settle_clicks() -> dict:
    """Ingest the clicks the web part recorded into the rollups before the push is timed.

    In production beat ingests clicks every few minutes as they come; here the redirect
    runs leave tens of thousands at once, and the first rollup run the push queues (a
    share posted) would ingest them inside the push's timed window (41 s of 66 s in the
    first --large run). The queued rollup runs go with the queue's flush.
    """
    from datetime import timedelta

    from django.utils import timezone

    from advocacy.models import Click
    from analytics.services.rollups import CLICK_LAG, rollups_update

    latest = Click.objects.order_by("-id").values_list("at", flat=True).first()
    waited = 0.0
    if latest is not None:
        # Clicks are ingested once they are CLICK_LAG old.
        waited = max((latest + CLICK_LAG + timedelta(seconds=1) - timezone.now()).total_seconds(), 0.0)
        time.sleep(waited)
    started = time.monotonic()
    result = rollups_update()
    seconds = time.monotonic() - started
    _flush_queue()
    return {
        "clicks_ingested": result.clicks,
        "shares_enrolled": result.enrolled,
        "seconds": round(seconds, 1),
        "waited_seconds": round(waited, 1),
    }


def _summarise(results: dict) -> None:
    """The headline keys (feed.ratio, redirect.clicks_lost, memory.*, …) from the parts' details."""
    feed = results.get("feed")
    # Each page against the minimal view requested the same way: the feed with the same
    # session cookie (so both pay for the session, user and membership), the redirect without.
    if feed and feed.get("load") and feed.get("ceiling_logged_in"):
        feed["ratio"] = round(feed["load"]["rps"] / feed["ceiling_logged_in"]["rps"], 3)
        feed["p50_ms"], feed["p95_ms"] = feed["load"]["p50_ms"], feed["load"]["p95_ms"]
        feed["rps"], feed["ceiling_rps"] = feed["load"]["rps"], feed["ceiling_logged_in"]["rps"]
        if feed.get("ceiling"):
            feed["ratio_vs_anonymous_ceiling"] = round(feed["load"]["rps"] / feed["ceiling"]["rps"], 3)
        # The fair peer: a minimal signed-in page on the same base layout.
        if feed.get("ceiling_layout"):
            feed["ratio_layout"] = round(feed["load"]["rps"] / feed["ceiling_layout"]["rps"], 3)
    redirect = results.get("redirect")
    if redirect and redirect.get("load") and feed and feed.get("ceiling"):
        redirect["ratio"] = round(redirect["load"]["rps"] / feed["ceiling"]["rps"], 3)
        redirect["p50_ms"], redirect["p95_ms"] = redirect["load"]["p50_ms"], redirect["load"]["p95_ms"]
        redirect["rps"] = redirect["load"]["rps"]
        for key in ("clicks_sent", "clicks_answered", "clicks_recorded"):
            redirect[key] = redirect["load"][key]
        # Every redirect the server answered must have its click stored.
        redirect["clicks_lost"] = max(redirect["clicks_answered"] - redirect["clicks_recorded"], 0)
        # Requests wrk had generated when it stopped that never reached the server.
        redirect["clicks_never_delivered"] = redirect["clicks_sent"] - redirect["clicks_answered"]
    results["scale"] = {"employees": results["data"]["params"]["employees"], "preset": results.get("preset")}
    pull = results.get("pull")
    if pull and "api_calls" in pull:
        pull["extra_calls"] = pull["api_calls"] - pull["expected_calls"]
    memory = results.setdefault("memory", {})
    web = memory.get("web_processes_mb") or {}
    workers = {k: v for k, v in web.items() if k != "main"}
    if workers:
        memory["web_rss_mb"] = round(max(workers.values()), 1)
        memory["web_workers_mb"] = [round(v, 1) for v in workers.values()]
        memory["web_master_mb"] = round(web.get("main", 0), 1)
    celery = memory.get("worker_processes") or {}
    if celery:
        everything = [value for peaks in celery.values() for value in peaks.values()]
        memory["worker_rss_mb"] = round(max(everything), 1)
        memory["worker_processes_mb"] = {
            name: {k: round(v, 1) for k, v in peaks.items()} for name, peaks in celery.items()
        }


if __name__ == "__main__":
    sys.exit(main())
