"""A Mastodon instance in miniature for the browser journeys, on loopback.

It speaks the documented endpoints a connection and a post use, with their shapes:
`GET /api/v2/instance`, `POST /api/v1/apps`, the `/oauth/authorize` page (a form the
person submits), `POST /oauth/token` (authorization code with PKCE S256, checked),
`GET /api/v1/accounts/verify_credentials`, `POST /api/v1/statuses` (with its
Idempotency-Key) and the status reads the engagement pull makes (`GET /api/v1/statuses?id[]=`,
`GET /api/v1/statuses/:id`). `GET /_standin/log` shows the journeys what it was asked;
`POST /_standin/engage` (`{"id": ..., "favourites_count": 2, ...}`) sets a status's counts.

    python -m e2e.standins.mastodon --port 8765
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from e2e.standins.base import StandinHandler, code_issue, code_redeem, consent_page, last_values, main

MAX_CHARACTERS = 600
SCOPES = {"read:statuses", "read:accounts", "write:statuses", "write:media"}


@dataclass
class Instance:
    url: str = ""
    apps: dict[str, dict] = field(default_factory=dict)  # client_id -> app
    codes: dict[str, dict] = field(default_factory=dict)  # code -> grant waiting for the token call
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> username
    statuses: list[dict] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def account(self, username: str) -> dict:
        return {
            "id": str(1000 + sum(map(ord, username))),
            "username": username,
            "acct": username,
            "display_name": username.capitalize(),
            "url": f"{self.url}/@{username}",
            "followers_count": 12,
        }


def _handler(instance: Instance) -> type[BaseHTTPRequestHandler]:
    class Handler(StandinHandler):
        json_type = "application/json; charset=utf-8"

        def _form(self) -> dict[str, str]:
            raw = self._raw_body()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return last_values(raw)

        def _user(self) -> str | None:
            return instance.tokens.get(self._bearer())

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = last_values(parts.query)
            with instance.lock:
                instance.log.append(f"GET {parts.path}")
            if parts.path in ("/api/v2/instance", "/api/v1/instance"):
                self._json(
                    200,
                    {
                        "domain": urlsplit(instance.url).netloc,
                        "title": "Stand-in",
                        "version": "4.3.2",
                        "configuration": {"statuses": {"max_characters": MAX_CHARACTERS}},
                    },
                )
            elif parts.path == "/oauth/authorize":
                self._authorize_page(query)
            elif parts.path == "/favicon.ico":
                # Nothing to show, and no error in the browser's console either.
                self._send(204, "", "image/x-icon")
            elif parts.path == "/api/v1/accounts/verify_credentials":
                user = self._user()
                if user is None:
                    self._json(401, {"error": "The access token is invalid"})
                else:
                    self._json(200, instance.account(user))
            elif parts.path == "/api/v1/statuses" or parts.path.startswith("/api/v1/statuses/"):
                self._read_statuses(parts.path, parse_qs(parts.query).get("id[]", []))
            elif parts.path == "/_standin/log":
                with instance.lock:
                    apps = list(instance.apps.values())
                    self._json(200, {"log": instance.log, "statuses": instance.statuses, "apps": apps})
            else:
                self._json(404, {"error": "Record not found"})

        def _read_statuses(self, path: str, ids: list[str]) -> None:
            if self._user() is None:
                self._json(401, {"error": "The access token is invalid"})
                return
            with instance.lock:
                known = {status["id"]: _public(status) for status in instance.statuses}
            if path == "/api/v1/statuses":
                self._json(200, [known[i] for i in ids if i in known])
            elif path.removeprefix("/api/v1/statuses/") in known:
                self._json(200, known[path.removeprefix("/api/v1/statuses/")])
            else:
                self._json(404, {"error": "Record not found"})

        def _authorize_page(self, query: dict[str, str]) -> None:
            app = instance.apps.get(query.get("client_id", ""))
            if app is None or query.get("redirect_uri") != app["redirect_uri"]:
                self._html(400, "<h1>The application or its redirect URI is not known here.</h1>")
                return
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                self._html(400, "<h1>PKCE is required.</h1>")
                return
            page = consent_page(
                title="Authorize",
                heading=f"Authorize {app['name']}?",
                asks=f"It asks for: {query.get('scope', '')}",
                action="/oauth/authorize",
                query=query,
                name_label="Username",
                name_field="username",
                allow="Authorize",
                deny="Deny",
            )
            self._html(200, page)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            form = self._form()
            with instance.lock:
                instance.log.append(f"POST {path}")
                if path == "/api/v1/apps":
                    self._register(form)
                elif path == "/oauth/authorize":
                    self._decide(form)
                elif path == "/oauth/token":
                    self._token(form)
                elif path == "/api/v1/statuses":
                    self._status(form)
                elif path == "/_standin/engage":
                    self._engage(form)
                else:
                    self._json(404, {"error": "Record not found"})

        def _register(self, form: dict[str, str]) -> None:
            if not form.get("client_name") or not form.get("redirect_uris"):
                self._json(422, {"error": "Validation failed: Application name can't be blank"})
                return
            client_id = secrets.token_urlsafe(16)
            app = {
                "id": str(len(instance.apps) + 1),
                "name": form["client_name"],
                "redirect_uri": form["redirect_uris"],
                "scopes": form.get("scopes", "read"),
                "client_id": client_id,
                "client_secret": secrets.token_urlsafe(24),
            }
            instance.apps[client_id] = app
            self._json(200, app)

        def _decide(self, form: dict[str, str]) -> None:
            redirect = form.get("redirect_uri", "")
            app = instance.apps.get(form.get("client_id", ""))
            if app is None or redirect != app["redirect_uri"]:
                self._html(400, "<h1>The application or its redirect URI is not known here.</h1>")
                return
            if form.get("decision") != "allow":
                self._redirect_back(redirect, {"error": "access_denied", "state": form.get("state", "")})
                return
            code = code_issue(
                instance.codes,
                redirect_uri=redirect,
                client_id=app["client_id"],
                challenge=form.get("code_challenge", ""),
                scope=form.get("scope", ""),
                username=form.get("username") or "employee",
            )
            self._redirect_back(redirect, {"code": code, "state": form.get("state", "")})

        def _token(self, form: dict[str, str]) -> None:
            grant = code_redeem(instance.codes, form, pkce=True)
            app = instance.apps.get(form.get("client_id", ""))
            if grant is None or app is None or form.get("client_secret") != app["client_secret"]:
                self._json(
                    400, {"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"}
                )
                return
            token = secrets.token_urlsafe(24)
            instance.tokens[token] = grant["username"]
            instance.log.append("PKCE verified")
            scope = " ".join(sorted(set(grant["scope"].split()) & SCOPES))
            self._json(200, {"access_token": token, "token_type": "Bearer", "scope": scope, "created_at": 0})

        def _status(self, form: dict[str, str]) -> None:
            user = self._user()
            if user is None:
                self._json(401, {"error": "The access token is invalid"})
                return
            key = self.headers.get("Idempotency-Key", "")
            for status in instance.statuses:
                if key and status["idempotency_key"] == key:
                    self._json(200, status)
                    return
            number = str(100000 + len(instance.statuses))
            status = {
                "id": number,
                "url": f"{instance.url}/@{user}/{number}",
                "content": form.get("status", ""),
                "idempotency_key": key,
                "account": instance.account(user),
                "favourites_count": 0,
                "reblogs_count": 0,
                "replies_count": 0,
            }
            instance.statuses.append(status)
            self._json(200, _public(status))

        def _engage(self, form: dict) -> None:
            for status in instance.statuses:
                if status["id"] == str(form.get("id")):
                    for key in ("favourites_count", "reblogs_count", "replies_count"):
                        status[key] = int(form.get(key, status[key]))
                    self._json(200, _public(status))
                    return
            self._json(404, {"error": "Record not found"})

    return Handler


def _public(status: dict) -> dict:
    """A status as the API shows it (the idempotency key is the stand-in's own bookkeeping)."""
    return {key: value for key, value in status.items() if key != "idempotency_key"}


def server(port: int) -> ThreadingHTTPServer:
    instance = Instance()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(instance))
    # The port the system chose, when asked for any (0).
    instance.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    return httpd


if __name__ == "__main__":
    main(__doc__.splitlines()[0], server, with_client=False)
