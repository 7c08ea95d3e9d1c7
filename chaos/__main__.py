"""`python -m chaos [NAME ...]`: a fresh database, then each scenario in a process of
its own; one line per scenario, then the totals as the very last line.

Logs of every process a scenario started are kept under $VAR_DIR/chaos/<scenario>/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import redis

from chaos import environment
from chaos.result import Result
from chaos.scenario import SCENARIOS
from harness import database

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_TIMEOUT = 1800


def database_recreate(url: str) -> None:
    """Drop and create the scenarios' own database: every run starts from nothing."""
    name = dj_database_url.parse(url)["NAME"]
    if not name.startswith("chorus_chaos"):
        raise SystemExit(f"chaos: refusing to drop {name!r}; the scenarios' database is named chorus_chaos*")
    database.recreate(url)


def redis_clear(*urls: str) -> None:
    """Empty the scenarios' own Redis databases (queues and caches of an earlier run)."""
    for url in urls:
        redis.Redis.from_url(url).flushdb()


def scenario_run(name: str, results: Path) -> Result:
    result_file = results / f"{name}.json"
    result_file.unlink(missing_ok=True)
    log = Path(os.environ["VAR_DIR"]) / "chaos" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CELERY_QUEUE": f"chaos-{name}"}
    with log.open("wb") as output:
        try:
            subprocess.run(  # noqa: S603 - our own module
                [sys.executable, "-m", "chaos.scenario", name, str(result_file)],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=SCENARIO_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Result(name, problems=[f"did not finish within {SCENARIO_TIMEOUT}s; see {log}"])
    if not result_file.exists():
        return Result(name, problems=[f"ended without a result; see {log}"])
    result = Result.from_dict(json.loads(result_file.read_text()))
    if not result.ok:
        result.problems.append(f"see {log}")
    return result


def main(argv: list[str]) -> int:
    names = argv or SCENARIOS
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        print(f"chaos: unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    env = environment.apply()
    results = Path(env["VAR_DIR"]) / "chaos"
    results.mkdir(parents=True, exist_ok=True)
    database_recreate(env["DATABASE_URL"])
    redis_clear(env["REDIS_URL"], env["CACHE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    found = []
    for name in names:
        result = scenario_run(name, results)
        found.append(result)
        print(result.line(), flush=True)
    passed = sum(1 for result in found if result.ok)
    print(
        f"chaos: scenarios={len(found)} passed={passed} shares={sum(r.shares for r in found)} "
        f"posted={sum(r.posted for r in found)} duplicates={sum(r.duplicates for r in found)} "
        f"lost={sum(r.lost for r in found)}",
        flush=True,
    )
    return 0 if passed == len(found) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
