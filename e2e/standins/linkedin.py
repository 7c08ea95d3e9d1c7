"""LinkedIn's OAuth 2.0 and the REST endpoints a member's share uses, in miniature, on loopback.

Documented shapes: the `/oauth/v2/authorization` page (a form the member submits),
`POST /oauth/v2/accessToken` (authorization code; the client id and secret in the
form, checked with the redirect URI), `GET /v2/userinfo` (OpenID Connect: `sub`,
`name`), `POST /rest/posts` (the `LinkedIn-Version` and `X-Restli-Protocol-Version`
headers required, 201 with the post's URN in `x-restli-id` and no body),
`GET /rest/memberCreatorPostAnalytics` (one post, one metric a request) and
`GET /rest/memberFollowersCount?q=me`. Errors come as LinkedIn's
`{"status", "code", "message"}`; a throttled call is a 429 whose `Retry-After` says
when the limit resets.

Only for the tests, these control endpoints: `GET /_standin/log` (what it was asked and
the posts), `POST /_standin/engage` (`{"urn": ..., "REACTION": 3, ...}`: the post's
counts from now on) and `POST /_standin/throttle` (`{"times": 1, "retry_after": 2}`:
the next API calls answer 429).

    python -m e2e.standins.linkedin --port 8767 --client-id ID --client-secret SECRET
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from e2e.standins.base import StandinHandler, code_issue, code_redeem, consent_page, last_values, main

# What a member may grant: sign-in, posting, and the analytics scopes LinkedIn gives approved apps.
GRANTABLE = ("openid", "profile", "email", "w_member_social", "r_member_postAnalytics", "r_member_profileAnalytics")
FOLLOWERS = 27
METRICS = ("REACTION", "COMMENT", "RESHARE", "IMPRESSION")
THROTTLED = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
METRIC_TYPE = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
_VERSION = re.compile(r"^\d{6}(\.\d{2})?$")
_ENTITY = re.compile(r"^\((share|ugc):(.+)\)$")


@dataclass
class Service:
    client_id: str
    client_secret: str
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)  # access token -> {name, sub, scope}
    posts: list[dict] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # post URN -> metric -> count
    throttled: int = 0
    retry_after: int = 1
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _member_id(name: str) -> str:
    # A stable id per name, shaped like LinkedIn's opaque member ids.
    return "m" + "".join(f"{ord(c):x}" for c in name)[:12]


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(StandinHandler):
        def _error(self, status: int, message: str, code: str = "") -> None:
            body: dict[str, object] = {"status": status, "message": message}
            if code:
                body["code"] = code
            self._json(status, body)

        def _member(self) -> dict | None:
            return service.tokens.get(self._bearer())

        def _rest_refused(self) -> bool:
            """The checks every versioned REST call passes first; True when it was answered."""
            if service.throttled > 0:
                service.throttled -= 1
                service.log.append("429")
                self._json(
                    429,
                    {
                        "status": 429,
                        "message": THROTTLED,
                    },
                    {"Retry-After": str(service.retry_after)},
                )
                return True
            if self._member() is None:
                self._error(401, "Invalid access token", "REVOKED_ACCESS_TOKEN")
                return True
            version = self.headers.get("LinkedIn-Version", "")
            if not version:
                self._error(
                    400,
                    "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                    "VERSION_MISSING",
                )
                return True
            if not _VERSION.match(version):
                self._error(400, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
                return True
            if self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
                self._error(400, "Rest.li protocol version 2.0.0 is required", "ILLEGAL_ARGUMENT")
                return True
            return False

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = last_values(parts.query)
            with service.lock:
                service.log.append(f"GET {parts.path}")
                if parts.path == "/oauth/v2/authorization":
                    self._authorize_page(query)
                elif parts.path == "/favicon.ico":
                    self._send(204, "", "image/x-icon")
                elif parts.path == "/v2/userinfo":
                    member = self._member()
                    if member is None:
                        self._error(401, "Invalid access token", "REVOKED_ACCESS_TOKEN")
                    else:
                        self._json(
                            200,
                            {
                                "sub": member["sub"],
                                "name": member["name"],
                                "locale": {"country": "DK", "language": "en"},
                            },
                        )
                elif parts.path == "/rest/memberCreatorPostAnalytics":
                    if not self._rest_refused():
                        self._analytics(parts.query)
                elif parts.path == "/rest/memberFollowersCount":
                    if not self._rest_refused():
                        if "r_member_profileAnalytics" not in self._member()["scope"] or query.get("q") != "me":
                            self._error(
                                403, "Not enough permissions to access: memberFollowersCount.FINDER-me", "ACCESS_DENIED"
                            )
                        else:
                            self._json(
                                200,
                                {
                                    "paging": {"start": 0, "count": 10},
                                    "elements": [{"memberFollowersCount": FOLLOWERS}],
                                },
                            )
                elif parts.path == "/_standin/log":
                    self._json(200, {"log": service.log, "posts": service.posts, "counts": service.counts})
                else:
                    self._error(404, f"No virtual resource found for {parts.path}", "RESOURCE_NOT_FOUND")

        def _authorize_page(self, query: dict[str, str]) -> None:
            if query.get("client_id") != service.client_id or not query.get("redirect_uri"):
                self._html(400, "<h1>The application is not known here.</h1>")
                return
            if query.get("response_type") != "code" or not query.get("state"):
                self._html(400, "<h1>Invalid request: response_type and state are required.</h1>")
                return
            page = consent_page(
                title="LinkedIn",
                heading="Allow this app access to your LinkedIn account?",
                asks="It asks to: " + ", ".join(query.get("scope", "").split()),
                action="/oauth/v2/authorization",
                query=query,
                name_label="Your name",
                name_field="name",
                allow="Allow",
                deny="Cancel",
            )
            self._html(200, page)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            raw = self._raw_body()
            form = last_values(raw)
            with service.lock:
                service.log.append(f"POST {path}")
                if path == "/oauth/v2/authorization":
                    self._decide(form)
                elif path == "/oauth/v2/accessToken":
                    self._token(form)
                elif path == "/rest/posts":
                    if not self._rest_refused():
                        self._post(json.loads(raw or "{}"))
                elif path == "/_standin/engage":
                    body = json.loads(raw or "{}")
                    urn = body.pop("urn", "")
                    service.counts[urn] = {key: int(value) for key, value in body.items() if key in METRICS}
                    self._json(200, service.counts[urn])
                elif path == "/_standin/throttle":
                    body = json.loads(raw or "{}")
                    service.throttled = int(body.get("times", 1))
                    service.retry_after = int(body.get("retry_after", 1))
                    self._json(200, {"throttled": service.throttled})
                else:
                    self._error(404, f"No virtual resource found for {path}", "RESOURCE_NOT_FOUND")

        def _decide(self, form: dict[str, str]) -> None:
            redirect = form.get("redirect_uri", "")
            if form.get("decision") == "allow":
                requested = form.get("scope", "").split()
                code = code_issue(
                    service.codes,
                    redirect_uri=redirect,
                    name=form.get("name") or "Member",
                    scope=[s for s in requested if s in GRANTABLE],
                )
                query = {"code": code, "state": form.get("state", "")}
            else:
                query = {
                    "error": "user_cancelled_authorize",
                    "error_description": "The user cancelled the authorization",
                    "state": form.get("state", ""),
                }
            self._redirect_back(redirect, query)

        def _token(self, form: dict[str, str]) -> None:
            grant = code_redeem(service.codes, form, pkce=False)
            if form.get("client_id") != service.client_id or form.get("client_secret") != service.client_secret:
                self._json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
            elif grant is None:
                self._json(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier "
                        "does not match authorization code. Or authorization code expired.",
                    },
                )
            else:
                token = secrets.token_urlsafe(24)
                service.tokens[token] = {
                    "name": grant["name"],
                    "sub": _member_id(grant["name"]),
                    "scope": grant["scope"],
                }
                service.log.append("code exchanged")
                # LinkedIn lists the granted scopes separated by commas; no refresh token
                # for apps that are not approved partners.
                self._json(
                    200,
                    {
                        "access_token": token,
                        "expires_in": 5183999,
                        "scope": ",".join(grant["scope"]),
                        "token_type": "Bearer",
                    },
                )

        def _post(self, body: dict) -> None:
            member = self._member()
            author = f"urn:li:person:{member['sub']}"
            if "w_member_social" not in member["scope"]:
                self._error(403, "Not enough permissions to access: posts.CREATE.20251001", "ACCESS_DENIED")
                return
            if body.get("author") != author:
                self._error(
                    403,
                    "Unpermitted fields present in REQUEST_BODY: "
                    "Data Processing Exception while processing fields [/author]",
                    "ACCESS_DENIED",
                )
                return
            if (
                not body.get("commentary")
                or body.get("lifecycleState") != "PUBLISHED"
                or body.get("visibility") not in ("PUBLIC", "CONNECTIONS")
            ):
                self._error(
                    422,
                    "ERROR :: /commentary :: is required; lifecycleState and visibility must be set",
                    "UNPROCESSABLE_ENTITY",
                )
                return
            for post in service.posts:
                if post["author"] == author and post["commentary"] == body["commentary"]:
                    self._error(422, f"Content is a duplicate of {post['urn']}", "DUPLICATE_POST")
                    return
            urn = f"urn:li:share:{7200000000000000000 + len(service.posts)}"
            service.posts.append(
                {
                    "urn": urn,
                    "author": author,
                    "commentary": body["commentary"],
                    "content": body.get("content"),
                    "version": self.headers["LinkedIn-Version"],
                }
            )
            self._send(201, "", "application/json", {"x-restli-id": urn, "x-linkedin-id": urn})

        def _analytics(self, raw_query: str) -> None:
            # Rest.li 2.0: `entity=(share:urn%3Ali%3Ashare%3A…)`, the URN encoded inside the tuple.
            query = {}
            for pair in raw_query.split("&"):
                key, _, value = pair.partition("=")
                query[key] = value
            found = _ENTITY.match(query.get("entity", ""))
            metric = query.get("queryType", "")
            if query.get("q") != "entity" or not found or metric not in METRICS or query.get("aggregation") != "TOTAL":
                self._error(400, "Invalid query parameters passed to request", "ILLEGAL_ARGUMENT")
                return
            if "r_member_postAnalytics" not in self._member()["scope"]:
                self._error(
                    403, "Not enough permissions to access: memberCreatorPostAnalytics.FINDER-entity", "ACCESS_DENIED"
                )
                return
            urn = unquote(found.group(2))
            if not any(post["urn"] == urn for post in service.posts):
                self._error(404, f"Post {urn} not found", "RESOURCE_NOT_FOUND")
                return
            count = service.counts.get(urn, {}).get(metric, 0)
            self._json(
                200,
                {
                    "paging": {"start": 0, "count": 10},
                    "elements": [
                        {
                            "count": count,
                            "metricType": {METRIC_TYPE: metric},
                        }
                    ],
                },
            )

    return Handler


def server(port: int, client_id: str, client_secret: str) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), _handler(Service(client_id, client_secret)))


if __name__ == "__main__":
    main(__doc__.splitlines()[0], server)
