"""The platform for the browser journeys, started through the process harness: `python -m
e2e.launch` (e2e/run.sh calls it once its tools are installed).

1. A database of its own (dropped and made again each run), Redis databases of its own,
   migrate, the demo organization (for the screenshots) and the e2e organization
   (e2e/seed.py, for the journeys' exact figures).
2. gunicorn, celery worker, celery beat, a tiny "company website" that the shared link
   points at, all with production settings (DEBUG off), and loopback Mastodon, X and
   LinkedIn stand-ins (e2e/standins/) for the OAuth connect journeys.
3. pytest + Playwright (e2e/tests); screenshots go to var/e2e/screenshots. The local
   Bluesky network is pytest's (e2e/tests/conftest.py): stopped from here if pytest cannot.

Everything started here is stopped on exit. The last line is
  e2e: N passed, M failed

Environment (all optional): E2E_PG (server URL, default postgres://postgres@127.0.0.1:5432),
E2E_DB (database name, default chorus_e2e), E2E_REDIS (default redis://127.0.0.1:6379),
E2E_REDIS_DB (default 4; the cache uses the next one), PYTEST_ARGS (extra pytest
arguments, e.g. -k danish), E2E_HOLD=1 (keep the platform up for pytest by hand).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from harness import database, processes
from harness import environment as harness_environment

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "e2e"
LOGS = OUT / "logs"
HELD = re.compile(
    r"^(DEBUG|SECRET_KEY|FIELD_ENCRYPTION_KEYS|ALLOWED_HOSTS|SECURE_|SITE_URL|NETWORKS_|CONTENT_FETCH|DATABASE_URL|"
    r"REDIS_URL|CACHE_URL|CELERY_QUEUE|VAR_DIR|EMAIL_BACKEND|TIME_ZONE|E2E_|BSKY_|X_|LINKEDIN_)"
)


def say(message: str) -> None:
    print(f"e2e: {message}", flush=True)


def environment(ports: dict[str, int]) -> dict[str, str]:
    """Production settings, plus plain http on loopback and the stand-ins' addresses."""
    pg = os.environ.get("E2E_PG", "postgres://postgres@127.0.0.1:5432")
    redis = os.environ.get("E2E_REDIS", "redis://127.0.0.1:6379")
    redis_db = int(os.environ.get("E2E_REDIS_DB", "4"))
    database_url = f"{pg}/{os.environ.get('E2E_DB', 'chorus_e2e')}"
    site_url, x_url, linkedin_url = (f"http://127.0.0.1:{ports[name]}" for name in ("web", "x", "linkedin"))
    return harness_environment.platform(
        database_url=database_url,
        redis_url=f"{redis}/{redis_db}",
        cache_url=f"{redis}/{redis_db + 1}",
        secret_key="e2e-only-secret-key-that-is-long-enough-for-django-and-never-used-elsewhere",  # noqa: S106
        encryption_keys="ZTJlLW9ubHkta2V5LWZvci1icm93c2VyLXRlc3RzISE=",
        allowed_hosts="127.0.0.1,localhost",
        site_url=site_url,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        CONTENT_FETCH_ALLOW_PRIVATE="1",
        CELERY_QUEUE="e2e",
        VAR_DIR=str(OUT / "state"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        TIME_ZONE="UTC",
        PYTHONUNBUFFERED="1",
        # Read by the tests.
        E2E_BASE_URL=site_url,
        E2E_SITE_URL=f"http://127.0.0.1:{ports['site']}",
        E2E_MASTODON_URL=f"http://127.0.0.1:{ports['mastodon']}",
        E2E_X_URL=x_url,
        # X's app and endpoints point at its loopback stand-in (e2e/standins/x.py).
        X_CLIENT_ID="e2e-x-client",
        X_CLIENT_SECRET="e2e-x-secret",  # noqa: S106
        X_API_BASE=x_url,
        X_AUTHORIZE_URL=f"{x_url}/i/oauth2/authorize",
        # LinkedIn's app, its OAuth pages and REST API point at its stand-in (e2e/standins/linkedin.py),
        # which grants the analytics scopes LinkedIn gives approved apps.
        E2E_LINKEDIN_URL=linkedin_url,
        LINKEDIN_CLIENT_ID="e2e-linkedin-client",
        LINKEDIN_CLIENT_SECRET="e2e-linkedin-secret",  # noqa: S106
        LINKEDIN_API_BASE=linkedin_url,
        LINKEDIN_OAUTH_BASE=f"{linkedin_url}/oauth/v2",
        LINKEDIN_EXTRA_SCOPES="r_member_postAnalytics r_member_profileAnalytics",
        E2E_OUT=str(OUT),
        # The Bluesky network keeps its schemas in the run's own database.
        BSKY_DB_URL=database_url,
    )


def prepare(env: dict[str, str]) -> None:
    """A fresh database and Redis databases, migrated and seeded."""
    import redis

    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    say(f"database {name}, redis db {env['REDIS_URL'].rsplit('/', 1)[1]}, web on {env['SITE_URL']}")
    try:
        database.recreate(env["DATABASE_URL"])
    except Exception as error:
        raise SystemExit(f"e2e: could not create database {name}: {error}") from error
    try:
        for key in ("REDIS_URL", "CACHE_URL"):
            redis.Redis.from_url(env[key]).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"e2e: could not reach Redis at {env['REDIS_URL']}: {error}") from error
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0"], cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)  # noqa: S603
    with (LOGS / "seed.log").open("w") as log:
        for command in ([*manage, "seed_demo"], [sys.executable, "e2e/seed.py"]):
            subprocess.run(command, cwd=ROOT, check=True, stdout=log)  # noqa: S603


def services(env: dict[str, str], ports: dict[str, int]) -> list[processes.Process]:
    """Every process the journeys talk to, started together, then each waited for until ready."""
    python = processes.python
    standin = {"x": ("X_CLIENT_ID", "X_CLIENT_SECRET"), "linkedin": ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")}
    started = [
        processes.gunicorn(
            LOGS / "web.log",
            workers=2,
            threads=4,
            access_log="-",
            extra=["--timeout", "60"],
            port=ports["web"],
            wait=False,
        ),
        processes.celery_worker(LOGS / "worker.log", concurrency=2, quiet=True, hostname="e2e@%h", wait=False),
        processes.celery_beat(LOGS / "beat.log", wait=False),
        processes.program(
            "site",
            python("http.server", str(ports["site"]), "--bind", "127.0.0.1", "--directory", str(ROOT / "e2e" / "site")),
            LOGS / "site.log",
            ready_url=f"{env['E2E_SITE_URL']}/news/new-office.html",
            wait=False,
        ),
        # A Mastodon instance in miniature (documented endpoints, PKCE checked) for the OAuth journey.
        processes.program(
            "mastodon",
            python("e2e.standins.mastodon", "--port", str(ports["mastodon"])),
            LOGS / "mastodon.log",
            ready_url=f"{env['E2E_MASTODON_URL']}/api/v2/instance",
            wait=False,
        ),
    ]
    for name, (client_id, secret) in standin.items():
        started.append(
            processes.program(
                name,
                python(
                    f"e2e.standins.{name}",
                    "--port",
                    str(ports[name]),
                    "--client-id",
                    env[client_id],
                    "--client-secret",
                    env[secret],
                ),
                LOGS / f"{name}.log",
                ready_url=f"http://127.0.0.1:{ports[name]}/favicon.ico",
                wait=False,
            )
        )
    return started


def bluesky_stop() -> None:
    """The Bluesky network is pytest's child in a session of its own: stop it if pytest could not."""
    pid_file = OUT / "bluesky.pid"
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text())
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def hold() -> None:
    """For writing tests: keep the platform up and run pytest by hand in another shell."""
    env_file = OUT / "env"
    env_file.write_text(
        "".join(f"{key}={shlex.quote(value)}\n" for key, value in sorted(os.environ.items()) if HELD.match(key))
    )
    say(f"holding; in another shell: (set -a; . {env_file}; .venv/bin/pytest -c e2e/pytest.ini e2e/tests -k ...)")
    while True:
        time.sleep(3600)


def journeys() -> tuple[int, str]:
    """Run pytest; its exit status and the summary line from its JUnit report."""
    junit = OUT / "junit.xml"
    command = [sys.executable, "-m", "pytest", "-c", "e2e/pytest.ini", "--rootdir", str(ROOT), f"--junitxml={junit}"]
    command += [*shlex.split(os.environ.get("PYTEST_ARGS", "")), "e2e/tests"]
    status = subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603 - our own pytest
    try:
        root = ET.parse(junit).getroot()  # noqa: S314 - pytest's own report
    except (OSError, ET.ParseError):
        return status or 1, "e2e: 0 passed, 1 failed"
    suites = [root] if root.tag == "testsuite" else list(root)
    total = sum(int(suite.get("tests", 0)) for suite in suites)
    failed = sum(int(suite.get("failures", 0)) + int(suite.get("errors", 0)) for suite in suites)
    skipped = sum(int(suite.get("skipped", 0)) for suite in suites)
    if status != 0 and failed == 0:
        failed = 1
    return status, f"e2e: {total - failed - skipped} passed, {failed} failed"


def main() -> int:
    started = float(os.environ.get("E2E_STARTED_AT") or time.time())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    shutil.rmtree(OUT, ignore_errors=True)
    for folder in (LOGS, OUT / "screenshots", OUT / "state"):
        folder.mkdir(parents=True, exist_ok=True)
    ports = {name: processes.free_port() for name in ("web", "site", "mastodon", "x", "linkedin")}
    env = environment(ports)
    os.environ.update(env)
    running: list[processes.Process] = []
    summary = "e2e: 0 passed, 1 failed (the run stopped before the journeys; see above)"
    status = 1
    try:
        prepare(env)
        running = services(env, ports)
        for process in running:
            process.wait_ready()
        say(f"platform up in {time.time() - started:.0f}s")
        if os.environ.get("E2E_HOLD") == "1":
            hold()
        status, summary = journeys()
        shots = (OUT / "screenshots").relative_to(ROOT)
        say(f"screenshots in {shots}, logs in {LOGS.relative_to(ROOT)}; took {time.time() - started:.0f}s")
    except KeyboardInterrupt:
        status = 130
    except processes.NotReady as error:
        print(f"e2e: {error}", file=sys.stderr)
    finally:
        bluesky_stop()
        for process in running:
            process.stop(timeout=10)
        print(summary, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
