"""The processes a scenario starts and hurts: Celery workers, redis-server, gunicorn,
started by the harness (harness/processes.py) with their logs in the scenario's folder.

Every process gets a session of its own, so that a SIGKILL reaches a worker's pool
children too and stopping one never touches anything this package did not start.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from harness import processes

MOUNT, UMOUNT = "/usr/bin/mount", "/usr/bin/umount"

T = TypeVar("T")

Process = processes.Process


class ScenarioTimeout(AssertionError):
    pass


def wait_for(condition: Callable[[], T], *, timeout: float, interval: float = 0.5, what: str = "condition") -> T:
    """Poll until condition() is truthy and return it; a timeout is a failure of the scenario."""
    return processes.wait_for(condition, timeout=timeout, interval=interval, what=what, error=ScenarioTimeout)


def log_dir(scenario: str) -> Path:
    path = Path(os.environ["VAR_DIR"]) / "chaos" / scenario
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_worker(
    scenario: str, name: str, *, concurrency: int = 3, env: dict[str, str] | None = None, beat: bool = False
) -> Process:
    """`celery -A config worker` as in the Procfile (prefork), on this scenario's queue."""
    return processes.celery_worker(
        log_dir(scenario) / f"worker-{name}.log",
        concurrency=concurrency,
        hostname=f"{scenario}-{name}@%h",
        queue=(env or {}).get("CELERY_QUEUE") or os.environ["CELERY_QUEUE"],
        quiet=True,
        beat_schedule=log_dir(scenario) / f"beat-{name}" if beat else None,
        env=env,
        append=True,
        timeout=120,
    )


class RedisServer(processes.RedisServer):
    """A redis-server of a scenario's own, its data and log under the scenario's folder."""

    def __init__(self, scenario: str, name: str, *, port: int | None = None, appendonly: bool = False) -> None:
        super().__init__(log_dir(scenario), name, port=port, appendonly=appendonly)


def start_gunicorn(scenario: str, *, workers: int = 3, env: dict[str, str] | None = None) -> tuple[Process, str]:
    """gunicorn as in the Dockerfile; returns the process and its base URL."""
    server = processes.gunicorn(log_dir(scenario) / "gunicorn.log", workers=workers, env=env, append=True, timeout=90)
    return server, server.url


def broker_own(scenario: str) -> dict[str, RedisServer]:
    """A redis-server of the scenario's own as the broker of every process it starts.

    Without persistence (`--save '' --appendonly no`): a broker that dies loses every
    message it held, the worst case the platform has to survive.
    """
    broker = RedisServer(scenario, "broker").start()
    os.environ["REDIS_URL"] = broker.url
    return {"broker": broker}


def broker_and_cache_own(scenario: str) -> dict[str, RedisServer]:
    """As broker_own, with the cache on the same server (database 1), as the defaults share them."""
    prepared = broker_own(scenario)
    os.environ["CACHE_URL"] = prepared["broker"].url.rsplit("/", 1)[0] + "/1"
    return prepared


class MediaVolume:
    """A small filesystem of the scenario's own for the media folder: a tmpfs of `size`.

    Mounting needs root (the scenarios run as root); when it cannot be mounted,
    `problem` says why and nothing else changes. `fill` takes every byte that is left,
    `free` gives them back.
    """

    def __init__(self, scenario: str, *, size: str = "8m") -> None:
        self.path = log_dir(scenario) / "media"
        self.size = size
        self.mounted = False
        self.problem = ""
        self.filler = self.path / "filler"

    def start(self) -> MediaVolume:
        self.path.mkdir(parents=True, exist_ok=True)
        if os.path.ismount(self.path):
            self._unmount()  # left behind by a run that did not finish
        try:
            subprocess.run(  # noqa: S603 - fixed program, our own arguments
                [MOUNT, "-t", "tmpfs", "-o", f"size={self.size},mode=0755", "chaos-media", str(self.path)],
                check=True,
                capture_output=True,
                text=True,
            )
        except FileNotFoundError:
            self.problem = "no mount command on this machine"
        except subprocess.CalledProcessError as error:
            self.problem = f"mount -t tmpfs refused: {(error.stderr or '').strip() or f'exit {error.returncode}'}"
        else:
            self.mounted = True
        return self

    def available(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self) -> int:
        """Write until not one more byte fits; returns the bytes written."""
        written = 0
        with self.filler.open("ab", buffering=0) as filler:
            for size in (1 << 20, 1 << 12, 1):
                block = b"\0" * size
                while True:
                    try:
                        written += filler.write(block)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def _unmount(self) -> None:
        result = subprocess.run([UMOUNT, str(self.path)], capture_output=True, check=False)  # noqa: S603
        if result.returncode != 0:
            subprocess.run([UMOUNT, "-l", str(self.path)], capture_output=True, check=False)  # noqa: S603

    def stop(self) -> None:
        if self.mounted:
            self._unmount()
            self.mounted = False


def media_volume_own(scenario: str) -> dict[str, MediaVolume]:
    """MediaVolume as MEDIA_ROOT of this process and of every process it starts."""
    volume = MediaVolume(scenario).start()
    if volume.mounted:
        os.environ["MEDIA_ROOT"] = str(volume.path)
    return {"media": volume}
