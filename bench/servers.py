"""The processes under test: gunicorn (as in the Dockerfile) and a Celery worker (as in the
Procfile), started with the benchmark's environment, plus their peak memory from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEB_WORKERS = 3  # as in the Dockerfile's CMD
FORWARDED = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def peaks(self) -> dict[str, float]:
        """Peak RSS of the main process and of each child (workers), in MiB."""
        peaks = {"main": peak_rss_mb(self.pid) or 0.0}
        for child in children_of(self.pid):
            value = peak_rss_mb(child)
            if value is not None:
                peaks[f"child-{child}"] = value
        return peaks

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_gunicorn(log_dir: Path, *, workers: int = WEB_WORKERS) -> Server:
    port = free_port()
    access = log_dir / "gunicorn-access.log"
    errors = log_dir / "gunicorn.log"
    access.unlink(missing_ok=True)
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        str(access),
        "--error-logfile",
        str(errors),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)  # noqa: S603
    server = Server("gunicorn", process, errors, {"port": port, "access_log": access, "workers": workers})
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {errors}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=FORWARDED), timeout=2) as response:
                if response.status == 200 and len(children_of(process.pid)) >= workers:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer on {url}; see {errors}")


def start_celery_worker(log_dir: Path, *, concurrency: int, name: str) -> Server:
    log = log_dir / f"celery-{name}.log"
    log.unlink(missing_ok=True)
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        f"--hostname={name}@%h",
    ]
    # The platform's logging (worker_hijack_root_logger off) writes to the console: keep it.
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=os.environ.copy(), start_new_session=True, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server("celery", process, log, {"concurrency": concurrency})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}; see {log}")
        if log.exists() and " ready." in log.read_text(errors="replace"):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the Celery worker did not become ready; see {log}")
