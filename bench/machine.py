"""What the numbers were measured on."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from django.db import connection

from bench.load import wrk_version

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024)
    return 0


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603, S607

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _redis() -> str:
    import redis

    try:
        return str(redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["redis_version"])
    except Exception:
        return "unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: anything else busy on the machine shows here."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def describe() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "synchronous_commit", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "kernel": f"Linux {platform.release()}",
        "postgresql": f"PostgreSQL {pg_version.split()[0]} ("
        + ", ".join(f"{k} {v}" for k, v in settings.items())
        + ")",
        "redis": _redis(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "celery": version("celery"),
        "atproto": version("atproto"),
        "wrk": wrk_version(),
        "commit": _commit(),
        "load_average_at_start": load_average(),
    }
