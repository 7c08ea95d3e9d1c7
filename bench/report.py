"""results.json and RESULTS.md: what was measured, on which machine and data, against the targets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTES = HERE / "NOTES.md"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    higher_is_better: bool
    unit: str = ""

    def verdict(self, value) -> dict:
        if value is None:
            return {"target": self.label, "value": None, "met": False, "by": "not measured"}
        met = value >= self.limit if self.higher_is_better else value <= self.limit
        gap = value - self.limit
        by = f"{abs(gap):.3g}{self.unit} {'over' if gap > 0 else 'under'} the target"
        if self.limit:
            by += f" ({abs(gap) / self.limit:.0%})"
        return {"target": self.label, "value": value, "met": met, "by": "" if met else by}


TARGETS = (
    Target("feed.ratio_layout", "feed ratio (same base layout, signed in) ≥ 0.6", 0.6, True),
    Target("feed.open_loop.p99_ms", "feed p99, open loop at half its capacity ≤ 100 ms", 100, False, " ms"),
    Target("feed.queries", "feed ≤ 12 queries", 12, False),
    Target("redirect.ratio", "redirect ratio ≥ 0.9", 0.9, True),
    Target("redirect.clicks_lost", "no click lost under load", 0, False),
    Target("redirect.burst.lost", "no click lost in a 1,000-visit burst", 0, False),
    Target("dashboard.org.cold_p95_ms", "dashboard (organization) cold p95 ≤ 300 ms", 300, False, " ms"),
    Target("dashboard.manager.cold_p95_ms", "dashboard (manager) cold p95 ≤ 300 ms", 300, False, " ms"),
    Target("dashboard.org.warm_p50_ms", "dashboard (organization) warm p50 ≤ 100 ms", 100, False, " ms"),
    Target("pull.extra_calls", "pull calls beyond ⌈n ÷ batch⌉ = 0", 0, False),
    Target("push.ratio", "push ratio ≤ 1.25", 1.25, False),
    Target("push.share_to_live_p95_s", "push: share to live p95 ≤ 5 s at 1,000 shares/min", 5, False, " s"),
    Target("memory.web_rss_mb", "web worker ≤ 150 MB", 150, False, " MB"),
    Target("memory.worker_rss_mb", "Celery worker ≤ 200 MB", 200, False, " MB"),
)


def value_at(results: dict, key: str):
    node = results
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def verdicts(results: dict) -> list[dict]:
    return [target.verdict(value_at(results, target.key)) for target in TARGETS]


def write(results: dict, json_path: Path, markdown_path: Path) -> None:
    results["targets"] = verdicts(results)
    json_path.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False) + "\n")
    text = markdown(results)
    # What was changed to reach the targets, measured before and after, is written by
    # hand in HISTORY.md beside the report and carried into the 50,000-employee report.
    history = Path(__file__).with_name("HISTORY.md")
    if results.get("preset") == "large" and history.exists():
        text = text.rstrip("\n") + "\n\n" + history.read_text()
    markdown_path.write_text(text)


def _row(*cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(results: dict) -> str:
    data, machine = results["data"], results["machine"]
    lines = [
        f"# Benchmarks at scale: {data['label']}",
        "",
        f"Measured {results['measured_at']} by `make bench{_preset_args(results)}` (commit {machine['commit']}).",
        "",
        f"**Data**: {data['label']}; seeded in {_fmt(data['seed_seconds'], 0)} s "
        f"({', '.join(f'{name} {_fmt(value, 0)} s' for name, value in data['seed_steps'].items())}).",
        "",
        f"**Machine**: {machine['cpu']} ({machine['cores']} cores), {machine['memory_gb']} GB RAM, "
        f"{machine['kernel']}; {machine['postgresql']}; Redis {machine['redis']}; Python {machine['python']}, "
        f"Django {machine['django']}, gunicorn {machine['gunicorn']} "
        f"({results.get('web', {}).get('workers')} sync workers), "
        f"Celery {machine['celery']}; load from {machine['wrk']} "
        f"(`-t{results['load']['threads']} -c{results['load']['connections']} -d{results['load']['seconds']}s`, "
        f"{results['load'].get('rounds', 1)} interleaved rounds per page, the median kept, "
        "loopback; closed loop: each connection waits for its answer before the next request). "
        "Open-loop figures come from bench/openloop.py (below). "
        "Load generator, server and database share the machine's cores. "
        f"Load average at the start {machine.get('load_average_at_start')}, "
        f"at the end {machine.get('load_average_at_end')}.",
        "",
        *[f"**Remark**: {remark}\n" for remark in results.get("remarks", [])],
        "## Targets",
        "",
        _row("target", "measured", "met"),
        _row("---", "---:", ":---:"),
    ]
    for verdict in results["targets"]:
        mark = "yes" if verdict["met"] else f"**no**: {verdict['by']}"
        lines.append(_row(verdict["target"], _fmt(verdict["value"], 2), mark))
    feed, redirect = results.get("feed", {}), results.get("redirect", {})
    lines += [
        "",
        "## Web: feed, redirect and the stack's ceiling",
        "",
        _row("page", "req/s (median round)", "rounds", "p50 ms", "p95 ms", "p99 ms", "statuses", "SQL queries"),
        _row("---", "---:", "---", "---:", "---:", "---:", "---", "---:"),
    ]
    for label, entry, queries in (
        ("ceiling, anonymous (`/bench/ceiling/`)", feed.get("ceiling", {}), 0),
        ("ceiling, logged in", feed.get("ceiling_logged_in", {}), feed.get("ceiling_logged_in_queries")),
        (
            "ceiling, logged in, base layout (`/bench/layout/`)",
            feed.get("ceiling_layout", {}),
            feed.get("ceiling_layout_queries"),
        ),
        (_feed_label(feed.get("visits")), feed.get("load", {}), None),
        (
            "feed, one member's page 1 (the heaviest sharer)",
            feed.get("heaviest_sharer", {}).get("load", {}),
            feed.get("queries"),
        ),
        ("tracked link (`/l/<code>`)", redirect.get("load", {}), redirect.get("queries")),
    ):
        lines.append(
            _row(
                label,
                _fmt(entry.get("rps")),
                " / ".join(_fmt(value) for value in entry.get("rounds_rps", [])),
                _fmt(entry.get("p50_ms"), 2),
                _fmt(entry.get("p95_ms"), 2),
                _fmt(entry.get("p99_ms"), 2),
                ", ".join(f"{k}: {v:,}" for k, v in sorted((entry.get("statuses") or {}).items())),
                _fmt(queries),
            )
        )
    lines += [
        "",
        "Each page is compared with the minimal view requested the same way: the feed with the same session "
        "cookie (both pay for the session, the user and the membership), the redirect without one. "
        f"Feed ratio {_fmt(feed.get('ratio'), 3)} (against the anonymous ceiling: "
        f"{_fmt(feed.get('ratio_vs_anonymous_ceiling'), 3)}). "
        f"Redirect ratio {_fmt(redirect.get('ratio'), 3)}; clicks sent {_fmt(redirect.get('clicks_sent'))}, "
        f"answered with a redirect {_fmt(redirect.get('clicks_answered'))}, "
        f'recorded {_fmt(redirect.get("clicks_recorded"))} (over all rounds; "sent" counts the requests wrk '
        "generated, including those still unwritten when it stopped, which never reached the server).",
        "",
        f"Against the fair peer, a minimal signed-in page on the same base layout (header, navigation, "
        f"organization switcher, reconnect banner, footer): feed ratio {_fmt(feed.get('ratio_layout'), 3)} "
        f"over many members and pages; {_fmt(feed.get('heaviest_sharer', {}).get('ratio_layout'), 3)} for one "
        "member's first page.",
        "",
        *_open_loop_lines(feed.get("open_loop"), redirect.get("burst")),
        "The feed's SQL (one request, the heaviest sharer, page 1):",
        "",
        _row("ms", "statement"),
        _row("---:", "---"),
    ]
    for query in feed.get("query_list", []):
        lines.append(
            _row(query["ms"], "`" + query["sql"][:160].replace("|", "\\|") + ("…`" if len(query["sql"]) > 160 else "`"))
        )
    dashboard = results.get("dashboard", {})
    lines += ["", "## Dashboard (organization, 90 days)", ""]
    if not dashboard or dashboard.get("skipped"):
        lines.append(f"Not measured: {dashboard.get('skipped', 'not part of this run')}")
    else:
        lines += [
            f"Period {dashboard.get('period')}. Page p50 {_fmt(dashboard.get('p50_ms'))} ms, p95 "
            f"{_fmt(dashboard.get('p95_ms'))} ms over {dashboard.get('runs')} sequential requests; its selectors alone "
            f"{_fmt(dashboard.get('selectors_p50_ms'))} ms; {dashboard.get('queries')} queries "
            f"({_fmt(dashboard.get('query_ms_total'))} ms in the database). Hand-written SQL for the same figures "
            f"({dashboard.get('hand_sql_statements')} statements on the same rollup tables): p50 "
            f"{_fmt(dashboard.get('sql_p50_ms'), 2)} ms; ratio {_fmt(dashboard.get('ratio'), 2)} "
            "(the page read from the cache against SQL that reads the rollups every time: kinder than a "
            f"like-for-like comparison){_cold_ratio(dashboard)}. "
            "Figures equal: "
            + (
                "yes."
                if dashboard.get("figures_match")
                else f"no: {', '.join(dashboard.get('figures_mismatched', []))}."
            ),
        ]
    lines += _cold_warm_lines(dashboard)
    pull = results.get("pull", {})
    lines += ["", "## Pull (one engagement refresh)", ""]
    if not pull or pull.get("skipped"):
        lines.append(f"Not measured: {pull.get('skipped', 'not part of this run')}")
    else:
        lines += [
            _row("network", "shares due", "batch", "API calls", "⌈n ÷ batch⌉"),
            _row("---", "---:", "---:", "---:", "---:"),
        ]
        for network, entry in sorted(pull.get("per_network", {}).items()):
            lines.append(
                _row(
                    network,
                    _fmt(entry.get("n")),
                    _fmt(entry.get("batch")),
                    _fmt(entry.get("api_calls")),
                    _fmt(entry.get("expected_calls")),
                )
            )
        lines += [
            "",
            f"{pull.get('shares_read'):,} shares read, {pull.get('missing')} missing, "
            f"{pull.get('postponed')} postponed, in {pull.get('seconds')} s; Bluesky requests by endpoint: "
            f"{pull.get('per_network', {}).get('bluesky', {}).get('requests_by_endpoint')}.",
        ]
    push = results.get("push", {})
    lines += ["", "## Push (local Bluesky reference network)", ""]
    if not push or push.get("skipped"):
        lines.append(f"Not measured: {push.get('skipped', 'not part of this run')}")
    else:
        lines += [
            f"{push.get('n'):,} shares over {push.get('accounts')} accounts. Direct loop of the SDK calls: "
            f"{push.get('direct_seconds')} s. Celery pipeline, one worker process: {push.get('pipeline_seconds')} s "
            f"(ratio {push.get('ratio')}). As deployed (Procfile, `--concurrency=2`): "
            f"{push.get('deployed_pipeline_seconds')} s (ratio {push.get('deployed_ratio')}).",
        ]
        lines += _share_to_live_lines(push.get("share_to_live"))
    memory = results.get("memory", {})
    lines += [
        "",
        "## Memory (peak RSS, VmHWM)",
        "",
        f"Web worker {_fmt(memory.get('web_rss_mb'))} MB (gunicorn workers: {memory.get('web_workers_mb')}); "
        f"Celery worker {_fmt(memory.get('worker_rss_mb'))} MB (per process: {memory.get('worker_processes_mb')}).",
        "",
    ]
    if NOTES.exists():
        lines += [NOTES.read_text().rstrip(), ""]
    return "\n".join(lines)


def _cold_ratio(dashboard: dict) -> str:
    """The like-for-like comparison: the page with nothing cached against the same SQL."""
    cold, sql = (dashboard.get("org") or {}).get("cold_p50_ms"), dashboard.get("sql_p50_ms")
    if not cold or not sql:
        return ""
    return f"; cold (nothing cached) p50 {_fmt(cold)} ms, {cold / sql:.2f}× the hand-written SQL"


def _feed_label(visits: dict | None) -> str:
    if not visits:
        return "employee feed (`/feed/`)"
    return f"employee feed (`/feed/`): {visits['members']:,} members × pages 1–{visits['pages']}, at random"


def _preset_args(results: dict) -> str:
    preset = results.get("preset", "small" if results["small"] else "default")
    return "" if preset == "default" else f" BENCH_ARGS=--{preset}"


def _share_to_live_lines(live: dict | None) -> list[str]:
    lines = ["", "### Share to live", ""]
    if not live or live.get("skipped") is not None or "p95_s" not in live:
        return [*lines, f"Not measured: {(live or {}).get('skipped') or 'not part of this run'}"]
    return [
        *lines,
        f"{live['submitted']:,} shares through the composer at {live['per_minute']:,.0f} a minute for "
        f"{live['seconds']:.0f} s (open loop: share i is sent at its scheduled time whatever the earlier ones "
        f"did; sent within {live['submitted_within_s']} s, generator lag p99 {live['send_lag_p99_s']} s), over "
        f"{live['accounts']} accounts, by gunicorn and one worker as deployed (`--concurrency=2`). From the "
        "scheduled submit to the PDS returning the record (com.atproto.repo.getRecord, asked as soon as the "
        f"worker marks the share posted): p50 **{live['p50_s']} s**, p95 **{live['p95_s']} s**, "
        f"p99 {live['p99_s']} s, max {live['max_s']} s. Accepted {live['accepted']:,}, live {live['live']:,}, "
        f"**lost {live['lost']}** (not live {live['grace_s']:.0f} s after the last submit; counted in the "
        f"percentiles at that wait), refused by the composer {live['refused']} (answers {live['composer_answers']}; "
        f"composer p50 {live['composer_p50_s']} s, p95 {live['composer_p95_s']} s from the scheduled time).",
        "",
        "Kinder than life: the PDS is on loopback on the same machine (no internet round trip, no Bluesky "
        "rate limit, no other users on it); the sessions and CSRF tokens are made before the clock starts and "
        "no browser renders the answer; each account shares about once every "
        f"{live['accounts'] * 60 / live['per_minute']:.1f} s; live means on the sharer's PDS, not yet indexed "
        "by an AppView or seen in followers' timelines. Harsher than life: the generator, gunicorn, the worker, "
        "PostgreSQL and the PDS share the same cores, and a share counts live only once its row says posted "
        "(the worker's commit after the PDS answered) and a getRecord returned it.",
    ]


def _open_loop_lines(feed_open: dict | None, burst: dict | None) -> list[str]:
    lines = ["### Open loop", ""]
    if feed_open:
        lines.append(
            f"Feed at a constant {_fmt(feed_open.get('rate'))} requests/s (half the closed-loop capacity above) "
            f"for {_fmt(feed_open.get('seconds'), 0)} s: p50 {_fmt(feed_open.get('p50_ms'), 2)} ms, "
            f"p95 {_fmt(feed_open.get('p95_ms'), 2)} ms, **p99 {_fmt(feed_open.get('p99_ms'), 2)} ms**, "
            f"max {_fmt(feed_open.get('max_ms'), 2)} ms; statuses {feed_open.get('statuses')}; "
            f"the generator's own send lag p99 {_fmt(feed_open.get('send_lag_p99_ms'), 2)} ms."
        )
    if burst:
        lines.append(
            f"Tracked links, a burst of {_fmt(burst.get('sent'))} visits scheduled within one second "
            f"(sent within {_fmt(burst.get('sent_within_s'), 2)} s over up to {_fmt(burst.get('connections'))} "
            f"connections, all answered after {_fmt(burst.get('finished_after_s'), 2)} s): answered with a "
            f"redirect {_fmt(burst.get('answered'))}, clicks recorded in the database {_fmt(burst.get('recorded'))}, "
            f"**lost {_fmt(burst.get('lost'))}**; p50 {_fmt(burst.get('p50_ms'), 2)} ms, "
            f"p99 {_fmt(burst.get('p99_ms'), 2)} ms from the scheduled time; statuses {burst.get('statuses')}."
        )
    lines += [
        "",
        "The open-loop generator is bench/openloop.py (Python asyncio + httpx, not wrk): request i is "
        "scheduled at start + i ÷ rate and its latency counts from that time, so waiting for a connection or "
        "in the server's queue is included (no coordinated omission). It runs on the same two cores as the "
        "server and the database; its send lag says how late it was itself.",
        "",
    ]
    return lines


def _cold_warm_lines(dashboard: dict) -> list[str]:
    lines = ["", "### Cold and warm (sequential requests through gunicorn, 90 days)", ""]
    rows = [(name, dashboard.get(name)) for name in ("org", "manager") if isinstance(dashboard.get(name), dict)]
    if not rows:
        return [*lines, "Not measured."]
    lines += [
        _row("viewer", "cold p50 / p95 ms", "after a write to today p50 / p95 ms", "warm p50 / p95 ms"),
        _row("---", "---:", "---:", "---:"),
    ]
    for name, entry in rows:
        label = "organization (comms)" if name == "org" else f"manager (member {entry.get('member_id')})"
        lines.append(
            _row(
                label,
                f"{_fmt(entry.get('cold_p50_ms'))} / {_fmt(entry.get('cold_p95_ms'))}",
                f"{_fmt(entry.get('after_a_write_today_p50_ms'))} / {_fmt(entry.get('after_a_write_today_p95_ms'))}",
                f"{_fmt(entry.get('warm_p50_ms'))} / {_fmt(entry.get('warm_p95_ms'))}",
            )
        )
    lines += [
        "",
        "Cold: each request right after a rollup write that touches a settled day (nothing cached applies). "
        "After a write to today: the common write of the last few days. Warm: the rollups unchanged since "
        "the previous request.",
    ]
    return lines
