"""The processes under test, started by the harness (harness/processes.py) with the
benchmark's environment: gunicorn as in the Dockerfile and a Celery worker as in the
Procfile. Their peak memory is `Process.peaks()`."""

from __future__ import annotations

from pathlib import Path

from harness import processes

WEB_WORKERS = 3  # as in the Dockerfile's CMD
FORWARDED = {"X-Forwarded-Proto": "https"}
ACCESS_LOG = "gunicorn-access.log"  # in the run's log folder, read by bench/parts/web.py


def start_gunicorn(log_dir: Path, *, workers: int = WEB_WORKERS) -> processes.Process:
    """Ready once /healthz answers (behind the TLS proxy's header) and every worker is forked."""
    return processes.gunicorn(
        log_dir / "gunicorn.log",
        workers=workers,
        access_log=log_dir / ACCESS_LOG,
        headers=FORWARDED,
        all_workers=True,
    )


def start_celery_worker(log_dir: Path, *, concurrency: int, name: str) -> processes.Process:
    # The platform's logging (worker_hijack_root_logger off) writes to the console: the log keeps it.
    return processes.celery_worker(log_dir / f"celery-{name}.log", concurrency=concurrency, hostname=f"{name}@%h")
