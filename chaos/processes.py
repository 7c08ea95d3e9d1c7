"""The processes a scenario starts and hurts: Celery workers, redis-server, gunicorn.

Every process gets a session of its own, so that a SIGKILL reaches a worker's pool
children too and stopping one never touches anything this package did not start.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_SERVER = "/usr/bin/redis-server"
MOUNT, UMOUNT = "/usr/bin/mount", "/usr/bin/umount"

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], T], *, timeout: float, interval: float = 0.5, what: str = "condition") -> T:
    """Poll until condition() is truthy and return it; a timeout is a failure of the scenario."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ScenarioTimeout(f"{what}: not reached within {timeout:.0f}s")
        time.sleep(interval)


class ScenarioTimeout(AssertionError):
    pass


def log_dir(scenario: str) -> Path:
    path = Path(os.environ["VAR_DIR"]) / "chaos" / scenario
    path.mkdir(parents=True, exist_ok=True)
    return path


class Process:
    """A child in a session of its own, with its output in a log file."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - fixed programs, our own arguments
                command,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL to the whole process group: no clean-up, no acknowledgements."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        # Pool children that outlived their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)


def start_worker(
    scenario: str, name: str, *, concurrency: int = 3, env: dict[str, str] | None = None, beat: bool = False
) -> Process:
    """`celery -A config worker` as in the Procfile (prefork), on this scenario's queue."""
    log = log_dir(scenario) / f"worker-{name}.log"
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        f"--hostname={scenario}-{name}@%h",
        "-Q",
        (env or {}).get("CELERY_QUEUE") or os.environ["CELERY_QUEUE"],
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        schedule = log_dir(scenario) / f"beat-{name}"
        command += ["--beat", f"--schedule={schedule}"]
    worker = Process(f"worker {name}", command, log, env)
    start = len(worker.log_text())

    def ready() -> bool:
        if not worker.alive:
            raise RuntimeError(f"the Celery worker {name} exited; see {log}")
        return " ready." in worker.log_text()[start:]

    wait_for(ready, timeout=120, interval=0.3, what=f"worker {name} ready")
    return worker


class RedisServer:
    """A redis-server of a scenario's own, on a fixed port so that it can come back there."""

    def __init__(self, scenario: str, name: str, *, port: int | None = None, appendonly: bool = False) -> None:
        self.scenario = scenario
        self.name = name
        self.port = port or free_port()
        self.appendonly = appendonly
        self.dir = log_dir(scenario) / f"redis-{name}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--dir",
            str(self.dir),
            "--daemonize",
            "no",
        ]
        self.process = Process(f"redis {self.name}", command, self.dir.parent / f"redis-{self.name}.log")
        wait_for(self.ping, timeout=30, interval=0.1, what=f"redis-server {self.name} on port {self.port}")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=10)


def start_gunicorn(scenario: str, *, workers: int = 3, env: dict[str, str] | None = None) -> tuple[Process, str]:
    """gunicorn as in the Dockerfile; returns the process and its base URL."""
    port = free_port()
    log = log_dir(scenario) / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--error-logfile",
        "-",
    ]
    server = Process("gunicorn", command, log, env)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if not server.alive:
            raise RuntimeError(f"gunicorn exited; see {log}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    wait_for(answers, timeout=90, interval=0.3, what="gunicorn answering /healthz")
    return server, base


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
