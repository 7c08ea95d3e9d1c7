"""X's OAuth 2.0 and posting endpoints in miniature for the browser journeys, on loopback.

Documented shapes: the `/i/oauth2/authorize` page (a form the person submits),
`POST /2/oauth2/token` (authorization code with PKCE S256 and the confidential
client's HTTP Basic credentials, checked), `GET /2/users/me`, `POST /2/tweets` and
`GET /2/tweets?ids=` (public metrics).
`GET /_standin/log` shows the journeys what it was asked; `POST /_standin/engage`
(`{"id": ..., "like_count": 2, ...}`) sets a tweet's public metrics (one like until then).

    python -m e2e.standins.x --port 8766 --client-id ID --client-secret SECRET
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from e2e.standins.base import (
    StandinHandler,
    basic_authorization,
    code_issue,
    code_redeem,
    consent_page,
    last_values,
    main,
)

GRANTED = "tweet.read tweet.write users.read offline.access"


@dataclass
class Service:
    client_id: str
    client_secret: str
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> username
    tweets: list[dict] = field(default_factory=list)
    metrics: dict[str, dict[str, int]] = field(default_factory=dict)  # tweet id -> public metrics
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(StandinHandler):
        def _problem(self, status: int, title: str) -> None:
            self._json(status, {"title": title, "status": status, "detail": title})

        def _user(self) -> str | None:
            return service.tokens.get(self._bearer())

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = last_values(parts.query)
            with service.lock:
                service.log.append(f"GET {parts.path}")
                if parts.path == "/i/oauth2/authorize":
                    self._authorize_page(query)
                elif parts.path == "/favicon.ico":
                    self._send(204, "", "image/x-icon")
                elif parts.path == "/2/users/me":
                    user = self._user()
                    if user is None:
                        self._problem(401, "Unauthorized")
                    else:
                        data = {"id": "4242", "username": user, "name": user.capitalize()}
                        self._json(200, {"data": data | {"public_metrics": {"followers_count": 8}}})
                elif parts.path == "/2/tweets" and self._user() is not None:
                    ids = set(query.get("ids", "").split(","))
                    metrics = {"like_count": 1, "retweet_count": 0, "reply_count": 0, "quote_count": 0}
                    found = [
                        t | {"public_metrics": service.metrics.get(t["id"], metrics)}
                        for t in service.tweets
                        if t["id"] in ids
                    ]
                    self._json(200, {"data": found})
                elif parts.path == "/_standin/log":
                    self._json(200, {"log": service.log, "tweets": service.tweets})
                else:
                    self._problem(404, "Not Found")

        def _authorize_page(self, query: dict[str, str]) -> None:
            if query.get("client_id") != service.client_id or not query.get("redirect_uri"):
                self._send(400, "<h1>Something went wrong: unknown app.</h1>", "text/html")
                return
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                self._send(400, "<h1>PKCE is required.</h1>", "text/html")
                return
            page = consent_page(
                title="X",
                heading="Authorize the app to use your account?",
                action="/i/oauth2/authorize",
                query=query,
                name_label="Username",
                name_field="username",
                allow="Authorize app",
                deny="Cancel",
            )
            self._html(200, page)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            raw = self._raw_body()
            with service.lock:
                service.log.append(f"POST {path}")
                if path == "/i/oauth2/authorize":
                    self._decide(last_values(raw))
                elif path == "/2/oauth2/token":
                    self._token(last_values(raw))
                elif path == "/2/tweets":
                    self._tweet(json.loads(raw or "{}"))
                elif path == "/_standin/engage":
                    body = json.loads(raw or "{}")
                    counts = {"like_count": 0, "retweet_count": 0, "reply_count": 0, "quote_count": 0}
                    service.metrics[str(body.pop("id", ""))] = counts | {k: int(v) for k, v in body.items()}
                    self._json(200, {"data": service.metrics})
                else:
                    self._problem(404, "Not Found")

        def _decide(self, form: dict[str, str]) -> None:
            redirect = form.get("redirect_uri", "")
            if form.get("decision") == "allow":
                code = code_issue(
                    service.codes,
                    redirect_uri=redirect,
                    challenge=form.get("code_challenge", ""),
                    username=form.get("username") or "employee",
                )
                query = {"state": form.get("state", ""), "code": code}
            else:
                query = {"state": form.get("state", ""), "error": "access_denied"}
            self._redirect_back(redirect, query)

        def _token(self, form: dict[str, str]) -> None:
            grant = code_redeem(service.codes, form, pkce=True)
            if self.headers.get("Authorization") != basic_authorization(service.client_id, service.client_secret):
                self._json(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization"})
            elif grant is None:
                self._json(400, {"error": "invalid_request", "error_description": "Value passed for code was invalid"})
            else:
                token = secrets.token_urlsafe(24)
                service.tokens[token] = grant["username"]
                service.log.append("PKCE verified")
                self._json(
                    200,
                    {
                        "token_type": "bearer",
                        "expires_in": 7200,
                        "access_token": token,
                        "scope": GRANTED,
                        "refresh_token": secrets.token_urlsafe(24),
                    },
                )

        def _tweet(self, body: dict) -> None:
            if self._user() is None:
                self._problem(401, "Unauthorized")
                return
            tweet = {"id": str(1800000000000000000 + len(service.tweets)), "text": body.get("text", "")}
            service.tweets.append(tweet)
            self._json(201, {"data": tweet})

    return Handler


def server(port: int, client_id: str, client_secret: str) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), _handler(Service(client_id, client_secret)))


if __name__ == "__main__":
    main(__doc__.splitlines()[0], server)
