"""`make scim-check`: scim2-tester, a third-party SCIM conformance suite, against the
live endpoint.

The platform runs under gunicorn with production settings on a free loopback port, on
a PostgreSQL database of its own (dropped and made again each run), with an
organization seeded for the run and a fresh token made through the settings' own
service. Every check the suite reports is listed; the last line is
    scim: N passed, M failed
Checks the suite skips are listed with its reason. Exit status 1 when any failed.

Environment (all optional): SCIM_CHECK_PG (server URL, default
postgres://postgres@127.0.0.1:5432), SCIM_CHECK_DB (default chorus_scim_check),
REDIS_URL and CACHE_URL (default: the embedded queue and an in-process cache).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "var" / "scim-check" / "gunicorn.log"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port: int) -> dict[str, str]:
    server = os.environ.get("SCIM_CHECK_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "scim-check-only-secret-key-that-is-long-enough-for-django"),
        FIELD_ENCRYPTION_KEYS=os.environ.get("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"{server}/{os.environ.get('SCIM_CHECK_DB', 'chorus_scim_check')}",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def _database_recreate(env: dict[str, str]) -> None:
    import psycopg

    server, _slash, name = env["DATABASE_URL"].rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def _seed(env: dict[str, str]) -> str:
    """An organization with an admin, a member and a team; returns a fresh token."""
    script = (
        "from employees.models import Membership, Team, User\n"
        "from employees.services import organization_create\n"
        "from employees.scim.tokens import scim_token_create\n"
        "org = organization_create(name='SCIM check', slug='scim-check')\n"
        "admin = User.objects.create_user('admin@scim-check.test', None, name='Admin')\n"
        "Membership.objects.create(user=admin, organization=org, is_admin=True)\n"
        "member = User.objects.create_user('member@scim-check.test', None, name='Member')\n"
        "Team.objects.create(organization=org, name='Existing team').memberships.add(\n"
        "    Membership.objects.create(user=member, organization=org))\n"
        "print(scim_token_create(organization=org, name='scim-check', actor=admin)[1])\n"
    )
    command = [sys.executable, "manage.py", "shell", "-c", script]
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return result.stdout.strip().splitlines()[-1]


def _start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "60",
    ]
    with LOG.open("w") as log:
        return subprocess.Popen(  # noqa: S603 - our own gunicorn
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_until_answering(base_url: str, process: subprocess.Popen) -> None:
    import httpx2

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {LOG}")
        try:
            if httpx2.get(f"{base_url}/ServiceProviderConfig", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {LOG}")


def _run_checks(base_url: str, token: str) -> tuple[int, int]:
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server

    passing = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
    with Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)
    passed = failed = 0
    for result in results:
        name = " ".join(part for part in (result.resource_type, result.title) if part)
        reason = (result.reason or "").replace("\n", " ")
        if result.status in passing:
            passed += 1
            print(f"PASS {name}: {reason}")
        elif result.status == Status.SKIPPED:
            print(f"SKIP {name}: {reason}")
        else:
            failed += 1
            print(f"FAIL [{result.status.name}] {name}: {reason}")
    return passed, failed


def main() -> int:
    port = _free_port()
    env = _environment(port)
    base_url = f"http://127.0.0.1:{port}/scim/v2"
    _database_recreate(env)
    token = _seed(env)
    server = _start_gunicorn(env, port)
    try:
        _wait_until_answering(base_url, server)
        passed, failed = _run_checks(base_url, token)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"scim: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
