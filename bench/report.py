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
    Target("feed.ratio", "feed ratio ≥ 0.5", 0.5, True),
    Target("feed.queries", "feed ≤ 12 queries", 12, False),
    Target("feed.p95_ms", "feed p95 ≤ 100 ms", 100, False, " ms"),
    Target("redirect.ratio", "redirect ratio ≥ 0.8", 0.8, True),
    Target("redirect.clicks_lost", "no click lost", 0, False),
    Target("dashboard.p50_ms", "dashboard p50 ≤ 150 ms", 150, False, " ms"),
    Target("dashboard.ratio", "dashboard ratio ≤ 2", 2, False),
    Target("pull.extra_calls", "pull calls beyond ⌈n ÷ batch⌉ = 0", 0, False),
    Target("push.ratio", "push ratio ≤ 1.25", 1.25, False),
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
    # hand in HISTORY.md beside the report and carried into every full-scale report.
    history = Path(__file__).with_name("HISTORY.md")
    if not results["small"] and history.exists():
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
        f"Measured {results['measured_at']} by `make bench{' BENCH_ARGS=--small' if results['small'] else ''}` "
        f"(commit {machine['commit']}).",
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
        "loopback). Load generator, server and database share the machine's cores. "
        f"Load average at the start {machine.get('load_average_at_start')}, "
        f"at the end {machine.get('load_average_at_end')}.",
        "",
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
        ("employee feed (`/feed/`)", feed.get("load", {}), feed.get("queries")),
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
            f"{_fmt(dashboard.get('sql_p50_ms'), 2)} ms; ratio {_fmt(dashboard.get('ratio'), 2)}. "
            "Figures equal: "
            + (
                "yes."
                if dashboard.get("figures_match")
                else f"no: {', '.join(dashboard.get('figures_mismatched', []))}."
            ),
        ]
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
