"""A real Celery worker process for tests whose flow crosses one.

The worker runs `celery -A config worker` in a subprocess against the test
database and the configured broker (Redis when REDIS_URL is set, else the filesystem
transport), on a queue of its own so that nothing else in the broker reaches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def new_queue_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@contextmanager
def running_worker(*extra_args: str, queue: str | None = None, pool: str = "solo"):
    """Run a worker until the block ends; `queue` lets a second worker take over a first's queue."""
    queue = queue or new_queue_name()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_QUEUE": queue,
        # The test's own setting, not the environment's: a test against a loopback
        # network allows private hosts, a test of the egress guard does not.
        "NETWORKS_ALLOW_PRIVATE_HOSTS": "1" if settings.NETWORKS_ALLOW_PRIVATE_HOSTS else "0",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = Path(settings.VAR_DIR) / f"worker-{queue}-{uuid.uuid4().hex[:6]}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        _wait_until_ready(process, log_path)
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log_path.unlink(missing_ok=True)


def _wait_until_ready(process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The Celery worker exited early:\n{log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"The Celery worker did not start within {timeout}s:\n{log_path.read_text()[-3000:]}")


def wait_for(condition, timeout: float = 30, interval: float = 0.2):
    """Poll until condition() is truthy; return its value or fail with a timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout}s")
