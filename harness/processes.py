"""Starting, waiting for and stopping the platform's processes: Celery worker and beat,
gunicorn, redis-server, and any other program.

Every child runs in a session (process group) of its own with its output in a log file,
so that stopping or killing it reaches its pool children too and never touches anything
the harness did not start. Each start function returns once the child is ready (its log
says so, or it answers), and raises with the log's last lines when it exits first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = "/usr/bin/redis-server"

T = TypeVar("T")


class NotReady(RuntimeError):
    """A child did not become ready: it exited, or the time ran out."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.5,
    what: str = "condition",
    error: type[Exception] = NotReady,
) -> T:
    """Poll until condition() is truthy and return its value; `error` when time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise error(f"{what}: not reached within {timeout:.0f}s")
        time.sleep(interval)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def peak_rss_mb(pid: int) -> float | None:
    """The process's high-water mark of resident memory (VmHWM), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Process:
    """A child in a session of its own, with its output in a log file.

    `env` is laid over this process's environment; `append` keeps what an earlier
    child of the same name wrote to the log (a restarted worker), otherwise it starts empty.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log: Path,
        env: dict[str, str] | None = None,
        *,
        append: bool = True,
    ) -> None:
        self.name = name
        self.log = log
        self.port: int | None = None
        self.url: str | None = None
        self._ready: tuple[Callable[[], bool], float, str] | None = None
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab" if append else "wb") as output:
            self.log_start = output.tell()
            self.popen = subprocess.Popen(  # noqa: S603 - fixed programs, our own arguments
                list(command),
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
        """What this child wrote (not an earlier child's lines in the same log)."""
        try:
            with self.log.open("rb") as log:
                log.seek(self.log_start)
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_text()[-characters:]

    def wait_until(self, ready: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2) -> None:
        """Wait for `ready`; a child that exits first, or a timeout, stops it and raises NotReady."""

        def check() -> bool:
            if not self.alive:
                raise NotReady(f"{self.name} exited with {self.popen.returncode}; see {self.log}:\n{self.log_tail()}")
            return ready()

        try:
            wait_for(check, timeout=timeout, interval=interval, what=f"{self.name}: {what}")
        except NotReady as error:
            self.stop()
            if "not reached within" in str(error):
                raise NotReady(f"{error}; see {self.log}:\n{self.log_tail()}") from None
            raise

    def ready_when(self, ready: Callable[[], bool], *, timeout: float, what: str, wait: bool = True) -> Process:
        """How to tell that this child is ready; waited for now, or later by wait_ready()."""
        self._ready = (ready, timeout, what)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> Process:
        if self._ready is not None:
            ready, timeout, what = self._ready
            self.wait_until(ready, timeout=timeout, what=what)
        return self

    def ready_in_log(self, text: str, *, timeout: float = 60, wait: bool = True) -> Process:
        return self.ready_when(lambda: text in self.log_text(), timeout=timeout, what=f"{text!r} in its log", wait=wait)

    def peaks(self) -> dict[str, float]:
        """Peak RSS of the main process and of each child (pool workers), in MiB."""
        peaks = {"main": peak_rss_mb(self.pid) or 0.0}
        for child in children_of(self.pid):
            value = peak_rss_mb(child)
            if value is not None:
                peaks[f"child-{child}"] = value
        return peaks

    def kill(self) -> None:
        """SIGKILL to the whole process group: no clean-up, no acknowledgements."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the group, SIGKILL after `timeout`; then whatever outlived the parent."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def python(module: str, *arguments: str) -> list[str]:
    """`python -m module ...` with this interpreter (the project's virtual environment)."""
    return [sys.executable, "-m", module, *arguments]


def celery_worker(
    log: Path,
    *,
    pool: str = "prefork",
    concurrency: int | None = None,
    queue: str | None = None,
    hostname: str | None = None,
    quiet: bool = False,
    heartbeat: bool = True,
    beat_schedule: Path | None = None,
    extra: Sequence[str] = (),
    env: dict[str, str] | None = None,
    append: bool = False,
    timeout: float = 60,
    wait: bool = True,
) -> Process:
    """`celery -A config worker` (as in the Procfile) until its log says it is ready.

    `quiet` leaves out gossip and mingle (nothing to learn from other workers);
    `beat_schedule` embeds beat in the worker; `wait=False` returns at once (then
    `wait_ready()`), and so in the other start functions.
    """
    command = python("celery", "-A", "config", "worker", "--loglevel=INFO", f"--pool={pool}")
    if concurrency is not None:
        command.append(f"--concurrency={concurrency}")
    if hostname:
        command.append(f"--hostname={hostname}")
    if queue:
        command += ["-Q", queue]
    if not heartbeat:
        command.append("--without-heartbeat")
    if quiet:
        command += ["--without-gossip", "--without-mingle"]
    if beat_schedule is not None:
        command += ["--beat", f"--schedule={beat_schedule}"]
    command += list(extra)
    worker = Process("the Celery worker", command, log, env, append=append)
    return worker.ready_in_log(" ready.", timeout=timeout, wait=wait)


def celery_beat(log: Path, *, env: dict[str, str] | None = None, timeout: float = 60, wait: bool = True) -> Process:
    """`celery -A config beat` until it says it is starting."""
    beat = Process("Celery beat", python("celery", "-A", "config", "beat", "--loglevel=INFO"), log, env, append=False)
    return beat.ready_in_log("beat: Starting", timeout=timeout, wait=wait)


def http_ok(url: str, headers: dict[str, str] | None = None, *, timeout: float = 2) -> bool:
    """True when `url` answers 2xx (a loopback address of a child of ours)."""
    try:
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def gunicorn(
    log: Path,
    *,
    workers: int = 3,
    threads: int | None = None,
    access_log: Path | str | None = None,
    extra: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    all_workers: bool = False,
    port: int | None = None,
    env: dict[str, str] | None = None,
    append: bool = False,
    timeout: float = 60,
    wait: bool = True,
) -> Process:
    """gunicorn as in the Dockerfile, until /healthz answers; `.port` and `.url` say where.

    `headers` go with the health check (X-Forwarded-Proto behind a TLS proxy);
    `all_workers` also waits until every worker process is forked.
    """
    port = port or free_port()
    command = python("gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers))
    if threads:
        command += ["--threads", str(threads)]
    if access_log is not None:
        if isinstance(access_log, Path):
            access_log.unlink(missing_ok=True)
        command += ["--access-logfile", str(access_log)]
    command += ["--error-logfile", "-", *extra]
    server = Process("gunicorn", command, log, env, append=append)
    server.port, server.url = port, f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if not http_ok(f"{server.url}/healthz", headers):
            return False
        return not all_workers or len(children_of(server.pid)) >= workers

    return server.ready_when(ready, timeout=timeout, what="answering /healthz", wait=wait)


def program(
    name: str,
    command: Sequence[str],
    log: Path,
    *,
    ready_url: str | None = None,
    timeout: float = 30,
    env: dict[str, str] | None = None,
    wait: bool = True,
) -> Process:
    """Any other program; with `ready_url`, once that address answers."""
    child = Process(name, command, log, env, append=False)
    if ready_url:
        child.ready_when(lambda: http_ok(ready_url), timeout=timeout, what=f"answering {ready_url}", wait=wait)
    return child


class RedisServer:
    """A redis-server of its own in `directory`, on a fixed port so that it can come back there.

    Without persistence unless `appendonly`: a server that dies loses what it held.
    """

    def __init__(self, directory: Path, name: str, *, port: int | None = None, appendonly: bool = False) -> None:
        self.name = name
        self.port = port or free_port()
        self.appendonly = appendonly
        self.dir = directory / f"redis-{name}"
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
        self.process.wait_until(self.ping, timeout=30, interval=0.1, what=f"answering on port {self.port}")
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
