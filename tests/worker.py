"""A real Celery worker process for tests whose flow crosses one.

The worker runs `celery -A config worker` (harness.processes) against the test database
and the configured broker (Redis when REDIS_URL is set, else the filesystem transport),
on a queue of its own so that nothing else in the broker reaches it.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from harness import processes
from harness.environment import database_url


def _database_url() -> str:
    return database_url(connection.settings_dict)


def new_queue_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@contextmanager
def running_worker(*extra_args: str, queue: str | None = None, pool: str = "solo"):
    """Run a worker until the block ends; `queue` lets a second worker take over a first's queue.

    Yields the worker's Popen. The worker runs the solo pool whatever `pool` says.
    """
    queue = queue or new_queue_name()
    env = {
        "DATABASE_URL": _database_url(),
        "CELERY_QUEUE": queue,
        # The test's own setting, not the environment's: a test against a loopback
        # network allows private hosts, a test of the egress guard does not.
        "NETWORKS_ALLOW_PRIVATE_HOSTS": "1" if settings.NETWORKS_ALLOW_PRIVATE_HOSTS else "0",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = Path(settings.VAR_DIR) / f"worker-{queue}-{uuid.uuid4().hex[:6]}.log"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    try:
        worker = processes.celery_worker(
            log_path, pool="solo", queue=queue, quiet=True, heartbeat=False, extra=extra_args, env=env
        )
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = queue
        try:
            yield worker.popen
        finally:
            celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
            worker.stop(timeout=20)
    finally:
        log_path.unlink(missing_ok=True)


def wait_for(condition, timeout: float = 30, interval: float = 0.2):
    """Poll until condition() is truthy; return its value or fail with a timeout."""
    return processes.wait_for(condition, timeout=timeout, interval=interval, what="Condition", error=AssertionError)
