"""Loopback stand-ins for Slack's Web API and a Microsoft Teams incoming webhook.

They speak the documented request and response shapes: Slack's `oauth.v2.access`
(client credentials in HTTP Basic auth, the code and redirect_uri in the form),
`chat.postMessage` (bearer token, JSON body) and `users.lookupByEmail` (GET), each
answering `{"ok": false, "error": ...}` with HTTP 200 on failure and 429 with
Retry-After when rate limited; a Teams webhook takes a JSON message with an
Adaptive Card attachment. Answers can be scripted to test failures.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from e2e.standins.base import basic_authorization, running

BOT_TOKEN = "xoxb-test-bot-token-1234"


@dataclass
class Recorder:
    base_url: str = ""
    calls: list[tuple[str, dict, dict]] = field(default_factory=list)  # (method path, headers, body)
    scripted: list[tuple[int, dict, dict]] = field(default_factory=list)  # (status, headers, json)
    client_id: str = "1234.5678"
    client_secret: str = "slack-client-secret"
    code: str = "good-code"
    users: dict[str, str] = field(default_factory=dict)  # email -> Slack user id


def _slack_answer(recorder: Recorder, method: str, headers: dict, body: dict) -> tuple[int, dict, dict]:
    if recorder.scripted:
        return recorder.scripted.pop(0)
    if method == "/api/oauth.v2.access":
        if headers.get("authorization") != basic_authorization(recorder.client_id, recorder.client_secret):
            return 200, {}, {"ok": False, "error": "invalid_client_id"}
        if body.get("code") != recorder.code:
            return 200, {}, {"ok": False, "error": "invalid_code"}
        return (
            200,
            {},
            {
                "ok": True,
                "access_token": BOT_TOKEN,
                "token_type": "bot",
                "scope": "chat:write,chat:write.public,im:write,users:read,users:read.email",
                "bot_user_id": "U0BOT1234",
                "app_id": "A0APP1234",
                "team": {"name": "Acme Slack", "id": "T0ACME123"},
                "enterprise": None,
                "authed_user": {"id": "U0ADMIN12"},
            },
        )
    if headers.get("authorization") != f"Bearer {BOT_TOKEN}":
        return 200, {}, {"ok": False, "error": "invalid_auth"}
    if method == "/api/chat.postMessage":
        if not body.get("channel"):
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        return 200, {}, {"ok": True, "channel": body["channel"], "ts": "1700000000.000100", "message": body}
    if method == "/api/users.lookupByEmail":
        user_id = recorder.users.get(body.get("email", ""))
        if not user_id:
            return 200, {}, {"ok": False, "error": "users_not_found"}
        return 200, {}, {"ok": True, "user": {"id": user_id, "profile": {"email": body["email"]}}}
    return 404, {}, {"ok": False, "error": "unknown_method"}


def _handler(recorder: Recorder, kind: str):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, body: dict) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            path = urlsplit(self.path).path
            recorder.calls.append((path, headers, body))
            if kind == "slack":
                status, extra, answer = _slack_answer(recorder, path, headers, body)
            elif recorder.scripted:
                status, extra, answer = recorder.scripted.pop(0)
            else:
                status, extra, answer = 200, {}, None
            data = json.dumps(answer).encode() if answer is not None else b"1"
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json" if answer is not None else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._serve({key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                body = {key: values[0] for key, values in parse_qs(raw).items()}
            self._serve(body)

        def log_message(self, *args):
            pass

    return Handler


@contextlib.contextmanager
def running_standin(kind: str) -> Iterator[Recorder]:
    recorder = Recorder()
    with running(ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder, kind))) as base_url:
        recorder.base_url = base_url
        yield recorder
