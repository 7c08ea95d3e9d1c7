"""The two halves of a run: the web server under load, then the local Bluesky network."""

from __future__ import annotations

from pathlib import Path

from bench.load import LoadShape
from bench.servers import ACCESS_LOG, WEB_WORKERS, start_celery_worker, start_gunicorn


def web_parts(results: dict, roles: dict, shape: LoadShape, only: set[str], args, log_dir: Path, part) -> None:
    if not only & {"web", "dashboard"}:
        return
    from bench.parts import dashboard
    from bench.parts.web import WebBench, session_for

    server = start_gunicorn(log_dir)
    base = server.url
    results["web"] = {"workers": WEB_WORKERS, "base_url": base}
    try:
        bench = WebBench(base, log_dir / ACCESS_LOG, shape)
        employee = session_for(roles["heaviest_sharer_member_id"])
        if "web" in only:
            part(results, "web load", _web_load, results, bench, roles, employee, args, log_dir)
        if "dashboard" in only:
            comms = session_for(roles["comms_member_id"])
            results["dashboard"] = part(
                results,
                "dashboard",
                dashboard.measure,
                base_url=base,
                session_key=comms,
                organization_id=roles["organization_id"],
                runs=args.dashboard_runs,
            ) or {"skipped": results.get("errors", {}).get("dashboard", "failed")}
            manager = session_for(roles["manager_member_id"])
            for name, session in (("org", comms), ("manager", manager)):
                measured = part(
                    results,
                    f"dashboard cold and warm ({name})",
                    dashboard.cold_and_warm,
                    base_url=base,
                    session_key=session,
                    organization_id=roles["organization_id"],
                    runs=args.dashboard_runs,
                )
                results["dashboard"][name] = measured or {"skipped": "failed"}
            results["dashboard"]["manager"]["member_id"] = roles["manager_member_id"]
        results.setdefault("memory", {})["web_processes_mb"] = server.peaks()
    finally:
        server.stop()


def _web_load(results: dict, bench, roles: dict, employee: str, args, log_dir: Path) -> None:
    """Ceiling, feed and redirect, in interleaved rounds: a disturbance hits all alike."""
    from bench.parts.web import median_round, queries_of, write_codes, write_feed_visits

    pages = {
        "ceiling": ("/bench/ceiling/", None, "Item 10"),
        "ceiling_logged_in": ("/bench/ceiling/", employee, "Item 10"),
        # The fair peer of the feed: a minimal page on the same base layout, signed in.
        "ceiling_layout": ("/bench/layout/", employee, "Item 10"),
        # One member's first page: the heaviest sharer (the most "shared by me" to find).
        "feed_heaviest": ("/feed/", employee, 'id="feed-posts"'),
    }
    sizes = {name: bench.check(path, session, contains=text) for name, (path, session, text) in pages.items()}
    # The feed as the organization sees it: many members, several pages each.
    visits = log_dir / "feed-visits.txt"
    sample = write_feed_visits(visits, roles["organization_id"])
    bench.feed_many(visits, seconds=bench.shape.warmup_seconds)
    codes = log_dir / "codes.txt"
    codes_sampled = write_codes(codes, roles["organization_id"])
    bench.redirect_warm(codes)
    rounds: dict[str, list] = {name: [] for name in [*pages, "feed", "redirect"]}
    for number in range(args.rounds):
        print(f"[bench]   round {number + 1} of {args.rounds}", flush=True)
        for name, (path, session, _text) in pages.items():
            rounds[name].append(bench.measure(path, session))
        rounds["feed"].append(bench.feed_many(visits))
        rounds["redirect"].append(bench.redirect(codes))
    query_list = queries_of("/feed/", employee)
    feed_load = median_round(rounds["feed"])
    # Open loop at half the feed's measured (closed-loop) capacity, over the same visits.
    open_loop = bench.feed_many_open_loop(visits, rate=feed_load["rps"] / 2, seconds=args.seconds)
    heaviest_load = median_round(rounds["feed_heaviest"]) | {"bytes_per_response": sizes["feed_heaviest"]}
    burst = bench.redirect_burst(codes, hits=1000, seconds=1.0)
    results["feed"] = {
        "visits": sample
        | {
            "how": "each request a random (member, page) of the sample, pages 1 to 3 alike, "
            "each with its member's session"
        },
        "member_id": roles["heaviest_sharer_member_id"],
        "ceiling": median_round(rounds["ceiling"]) | {"bytes_per_response": sizes["ceiling"]},
        "ceiling_logged_in": median_round(rounds["ceiling_logged_in"]),
        "ceiling_logged_in_queries": len(queries_of("/bench/ceiling/", employee)),
        "ceiling_layout": median_round(rounds["ceiling_layout"]) | {"bytes_per_response": sizes["ceiling_layout"]},
        "ceiling_layout_queries": len(queries_of("/bench/layout/", employee)),
        "open_loop": open_loop,
        "load": feed_load,
        "heaviest_sharer": {
            "load": heaviest_load,
            "ratio_layout": round(heaviest_load["rps"] / median_round(rounds["ceiling_layout"])["rps"], 3),
        },
        "queries": len(query_list),
        "query_list": query_list,
        "query_ms_total": round(sum(query["ms"] for query in query_list), 2),
    }
    results["redirect"] = {
        "codes_sampled": codes_sampled,
        "queries": len(queries_of("/l/" + codes.read_text().split()[0], None)),
        "load": median_round(rounds["redirect"]),
        "burst": burst,
    }


def bluesky_parts(results: dict, only: set[str], args, log_dir: Path, part) -> None:
    from bench.parts import pull, push
    from bench.parts.bluesky import organization_fresh
    from harness.bluesky import LocalBlueskyNetwork

    network = part(results, "local Bluesky network", LocalBlueskyNetwork().start)
    if network is None:
        reason = results["errors"]["local Bluesky network"]
        results["push"] = results["pull"] = {"skipped": f"the local Bluesky network did not start: {reason}"}
        return
    try:
        push_org = organization_fresh("push-bench", "Push benchmark")
        shares = args.push_shares or (200 if args.small else 1000)
        measured = part(results, "push", push.measure, network, push_org, shares=shares, log_dir=log_dir)
        results["push"] = measured or {"skipped": results.get("errors", {}).get("push", "failed")}
        if measured:
            results.setdefault("memory", {})["worker_processes"] = {
                "one process": measured["single"]["worker_peak_rss_mb"],
                "deployed (--concurrency=2)": measured["deployed"]["worker_peak_rss_mb"],
            }
        if "push" in only and measured:
            live = part(results, "share to live", _share_to_live, network, args, log_dir)
            results["push"]["share_to_live"] = live or {"skipped": results.get("errors", {}).get("share to live")}
            if live:
                results["push"]["share_to_live_p95_s"] = live["p95_s"]
        if "pull" in only:
            pull_org = organization_fresh("pull-bench", "Pull benchmark")
            results["pull"] = part(
                results,
                "pull",
                pull.measure,
                pull_org,
                shares_per_double=200 if args.small else 1000,
                bench_org_ids=[push_org.id, pull_org.id],
                network=network,
            ) or {"skipped": results.get("errors", {}).get("pull", "failed")}
    finally:
        network.stop()


def _share_to_live(network, args, log_dir: Path) -> dict:
    """Shares through the composer at a constant rate: gunicorn and a worker as deployed."""
    from bench.parts import live
    from bench.parts.bluesky import organization_fresh

    organization = organization_fresh("live-bench", "Share to live benchmark")
    server = start_gunicorn(log_dir)
    try:
        worker = start_celery_worker(log_dir, concurrency=2, name="live")
        try:
            measured = live.measure(
                network, organization, base_url=server.url, per_minute=args.live_rate, seconds=args.live_seconds
            )
            measured["worker_peak_rss_mb"] = worker.peaks()
        finally:
            worker.stop()
    finally:
        server.stop()
    return measured
