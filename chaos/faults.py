"""A loopback stand-in for X (API v2) and a Mastodon server that fails on purpose, and
an SMTP sink.

The fault server answers in the shapes the adapters expect (networks/x.py,
mastodon.py) and follows a script per share: e.g. a 429 asking for a wait, then a 500,
then success, or a success answered too slowly ("slow": silent for a while first;
"trickle": sent a byte at a time), which the client gives up on. It records every
request with its time, so a scenario can check that the platform waited as long as it
was asked and did not retry in a loop. It can also keep X's OAuth 2.0 tokens: access
tokens that expire or are revoked (401), single-use refresh tokens that rotate, and
refresh tokens refused for good (400 invalid_grant).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    at: float
    api: str  # "x", "mastodon" or "refresh"
    number: int | None  # the share's number, read from its comment
    account: str
    status: int
    # Epoch seconds before which the server asked not to be called again for this share.
    wait_until: float | None = None
    token: str = ""
    # "slow" or "trickle" for an answer given too slowly; then, once it is over, how long
    # the client stayed (seconds) and whether it hung up before the answer was complete.
    delivery: str = ""
    held: float | None = None
    cut: bool = False


@dataclass
class XAccount:
    name: str
    access: str
    refresh: str
    # Epoch seconds after which the access token is refused; None: no expiry.
    expires: float | None = None
    refresh_revoked: bool = False
    access_revoked: bool = False
    issued: int = 0


@dataclass
class Book:
    """What the server saw; read it with the lock held (`with server.lock`)."""

    calls: list[Call] = field(default_factory=list)
    # Posts created, per share number (a retried Mastodon post with a known key is not new).
    created: dict[int, list[str]] = field(default_factory=dict)


class FaultServer:
    """`script` is what each share's attempts get, in order ("429", "500", "ok", "slow",
    "trickle"), or a function of the share's number giving that; after it, "ok".

    "slow" creates the post and says nothing for `slow` seconds before answering;
    "trickle" creates it and sends the answer a byte every `trickle` seconds. A client
    that gives up never learns the post's id, so its retry must not make a second post.
    """

    def __init__(
        self,
        *,
        pattern: str,
        script: tuple[str, ...] | Callable[[int], tuple[str, ...]] = ("ok",),
        wait: float = 2.0,
        latency: float = 0.0,
        slow: float = 25.0,
        trickle: float = 1.0,
        client: tuple[str, str] | None = None,
    ) -> None:
        self.pattern = re.compile(pattern)
        self.script = script
        self.wait = wait
        self.latency = latency
        self.slow = slow
        self.trickle = trickle
        self.client = client
        self.lock = threading.Lock()
        self.book = Book()
        self.accounts: dict[str, XAccount] = {}
        self.attempts: dict[int, int] = {}
        self.idempotency: dict[str, dict] = {}
        self._ids = itertools.count(1790000000000000001)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FaultServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- X tokens -----------------------------------------------------------------

    def x_account(self, name: str, *, expires: float | None = None, revoked: bool = False) -> XAccount:
        """An X account with its first token pair; `revoked`: both refused from the start."""
        account = XAccount(
            name, f"{name}-access-0", f"{name}-refresh-0", expires, refresh_revoked=revoked, access_revoked=revoked
        )
        with self.lock:
            self.accounts[name] = account
        return account

    def _by_access(self, token: str) -> XAccount | None:
        return next((a for a in self.accounts.values() if a.access == token), None)

    def _access_ok(self, token: str) -> tuple[bool, str]:
        if not self.accounts:
            return True, "x"  # tokens not kept: any bearer will do
        account = self._by_access(token)
        if account is None:
            # A token replaced by a refresh is refused like any unknown one.
            owner = next((a.name for a in self.accounts.values() if token.startswith(f"{a.name}-access-")), "?")
            return False, owner
        if account.access_revoked or (account.expires is not None and time.time() >= account.expires):
            return False, account.name
        return True, account.name

    def refresh_calls(self, name: str) -> int:
        with self.lock:
            return sum(1 for c in self.book.calls if c.api == "refresh" and c.account == name)

    # -- answering ------------------------------------------------------------------

    def _number(self, text: str) -> int | None:
        match = self.pattern.search(text)
        return int(match.group(1)) if match else None

    def _step(self, number: int | None) -> str:
        if number is None:
            return "ok"
        attempt = self.attempts.get(number, 0)
        self.attempts[number] = attempt + 1
        script = self.script(number) if callable(self.script) else self.script
        return script[attempt] if attempt < len(script) else "ok"

    def held(self) -> list[Call]:
        """Answers given too slowly, the ones still being given included (held None)."""
        with self.lock:
            return [call for call in self.book.calls if call.delivery]


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _bearer(self) -> str:
            return self.headers.get("Authorization", "").removeprefix("Bearer ").strip()

        def do_POST(self) -> None:
            raw = self._body()
            if self.path == "/2/tweets":
                self._post(raw, "x")
            elif self.path == "/api/v1/statuses":
                self._post(raw, "mastodon")
            elif self.path == "/2/oauth2/token":
                self._refresh(raw)
            else:
                self._send(404, {"error": "Not Found"})

        def _post(self, raw: bytes, api: str) -> None:
            payload = json.loads(raw or b"{}")
            text = str(payload.get("text") or payload.get("status") or "")
            with server.lock:
                answer = self._decide(api, text, self.headers.get("Idempotency-Key", ""))
                call = server.book.calls[-1]
            if server.latency and answer[0] != 401:
                # Accepted on arrival, answered a while later: keeps several shares in flight.
                time.sleep(server.latency)
            if call.delivery:
                self._send_slowly(call, *answer)
            else:
                self._send(*answer)

        def _send_slowly(self, call: Call, status: int, body: dict, headers: dict[str, str]) -> None:
            """The answer too late ("slow") or a byte at a time ("trickle"), until the client hangs up."""
            data = json.dumps(body).encode()
            head = f"HTTP/1.1 {status} {self.responses[status][0]}\r\nContent-Type: application/json; charset=utf-8\r\n"
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            head += f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            answer = head.encode() + data
            self.close_connection = True
            started = time.monotonic()
            gone = False
            try:
                if call.delivery == "slow":
                    gone = self._hung_up(server.slow)
                    if not gone:
                        self.wfile.write(answer)
                else:
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        if self._hung_up(server.trickle):
                            gone = True
                            break
            except OSError:
                gone = True
            with server.lock:
                call.held, call.cut = time.monotonic() - started, gone

        def _hung_up(self, seconds: float) -> bool:
            """Wait up to `seconds`; whether the client closed its end meanwhile."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                readable, _w, _x = select.select([self.connection], [], [], left)
                if readable:
                    try:
                        return self.connection.recv(1, socket.MSG_PEEK) == b""
                    except OSError:
                        return True
            return False

        def _decide(self, api: str, text: str, key: str) -> tuple[int, dict, dict[str, str]]:
            """The answer to a post, with the lock held: (status, body, headers)."""
            number = server._number(text)
            token = self._bearer()
            allowed, account = server._access_ok(token)
            now = time.time()
            call = Call(now, api, number, account, 401, token=token)
            server.book.calls.append(call)
            if not allowed:
                return 401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}, {}
            step = server._step(number)
            if step == "429":
                call.status = 429
                call.wait_until, headers = _rate_limit(api, now, server.wait, number or 0)
                return 429, {"title": "Too Many Requests", "error": "Too many requests"}, headers
            if step == "500":
                call.status = 500
                return 500, {"title": "Internal Server Error", "error": "Internal Server Error"}, {}
            if step in ("slow", "trickle"):
                call.delivery = step
            if api == "mastodon" and key in server.idempotency:
                # Mastodon keeps an Idempotency-Key for an hour: the same status again.
                call.status = 200
                return 200, server.idempotency[key], {}
            if api == "x" and number is not None and server.book.created.get(number):
                call.status = 403
                detail = "You are not allowed to create a Tweet with duplicate content."
                return 403, {"title": "Forbidden", "detail": detail, "status": 403}, {}
            remote_id = str(next(server._ids))
            if number is not None:
                server.book.created.setdefault(number, []).append(remote_id)
            if api == "x":
                call.status = 201
                return 201, {"data": {"id": remote_id, "text": text, "edit_history_tweet_ids": [remote_id]}}, {}
            status = _status(server.url, remote_id, text, now)
            if key:
                server.idempotency[key] = status
            call.status = 200
            return 200, status, {}

        def _refresh(self, raw: bytes) -> None:
            form = {name: values[0] for name, values in parse_qs(raw.decode()).items()}
            with server.lock:
                token = form.get("refresh_token", "")
                account = next((a for a in server.accounts.values() if a.refresh == token), None)
                owner = next((a.name for a in server.accounts.values() if token.startswith(f"{a.name}-refresh-")), "?")
                call = Call(time.time(), "refresh", None, account.name if account else owner, 200)
                server.book.calls.append(call)
                if server.client and self.headers.get("Authorization") != _basic(*server.client):
                    call.status = 401
                    return self._send(401, {"error": "invalid_client"})
                if form.get("grant_type") != "refresh_token" or account is None or account.refresh_revoked:
                    call.status = 400
                    description = "Value passed for the token was invalid."
                    return self._send(400, {"error": "invalid_grant", "error_description": description})
                # Single use: the old refresh token is spent, and the old access token retired.
                account.issued += 1
                account.access = f"{account.name}-access-{account.issued}"
                account.refresh = f"{account.name}-refresh-{account.issued}"
                account.expires = time.time() + 7200
                body = {
                    "token_type": "bearer",
                    "expires_in": 7200,
                    "access_token": account.access,
                    "refresh_token": account.refresh,
                    "scope": "tweet.read tweet.write users.read offline.access",
                }
            return self._send(200, body)

    return Handler


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _rate_limit(api: str, now: float, wait: float, number: int) -> tuple[float, dict[str, str]]:
    """The wait asked for, in each network's own header; returns (wait_until, headers)."""
    if api == "x":
        # x-rate-limit-reset: the epoch second when the window reopens.
        reset = int(now + wait) + 1
        return float(reset), {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
    if number % 2:
        # Mastodon's own header is an ISO 8601 timestamp; every other share gets it.
        until = now + wait
        stamp = datetime.fromtimestamp(until, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return until, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": stamp}
    return now + wait, {"Retry-After": str(int(wait))}


def _status(base: str, remote_id: str, text: str, now: float) -> dict:
    created = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "id": remote_id,
        "uri": f"{base}/users/chaos/statuses/{remote_id}",
        "url": f"{base}/@chaos/{remote_id}",
        "created_at": created,
        "content": f"<p>{text}</p>",
        "visibility": "public",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
    }


class MailSink:
    """Just enough SMTP to take Django's mail; keeps (recipients, message) pairs."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 chaos ESMTP")
                recipients: list[str] = []
                while line := self.rfile.readline():
                    command = line.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 chaos")
                    elif verb == "MAIL":
                        recipients = []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            lines.append(data.decode(errors="replace"))
                        with sink.lock:
                            sink.messages.append((recipients, "".join(lines)))
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("250 OK" if verb in ("RSET", "NOOP") else "502 Not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> MailSink:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_to(self, address: str) -> int:
        with self.lock:
            return sum(1 for recipients, _message in self.messages if address in recipients)
