"""Mastodon instances: validating the address an employee types, reading the
instance's limits, registering our app there, and the OAuth code exchange.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from networks import egress
from networks.base import AppCredentials, Credentials, CredentialsDead, PermanentError
from networks.http import (
    error_detail,
    json_or_empty,
    raise_for_status,
    seconds_until_iso,
    send,
)

SCOPES = "read:statuses read:accounts write:statuses write:media"
CLIENT_NAME = "Employee Advocacy"
DEFAULT_MAX_CHARACTERS = 500
_SCHEME_ONLY = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


class InvalidInstanceURL(ValueError):
    """An unusable instance URL; `code` is a key the Django side translates."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize_instance_url(raw: str, *, allow_private: bool = False) -> str:
    """`https://host[:port]` from what an employee typed ("mastodon.social" works).

    Rejects other schemes, credentials, paths, queries, and hosts whose spelling
    shows a private or loopback address (the server would otherwise call into its
    own network); `allow_private` is for tests against a local instance. Names are
    resolved and checked by the egress guard when they are contacted, and the guard
    also decides whether plain http is allowed.
    """
    value = (raw or "").strip()
    if not value:
        raise InvalidInstanceURL("empty", "enter the address of your Mastodon server")
    if "://" not in value:
        if _SCHEME_ONLY.match(value):  # "javascript:…", "mailto:…" (but not "host:443")
            raise InvalidInstanceURL("scheme", "the address must start with https://")
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInstanceURL("scheme", "the address must start with https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidInstanceURL("credentials", "the address must not contain a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidInstanceURL("path", "enter only the server's address, without a path")
    try:
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise InvalidInstanceURL("host", "that is not a valid server address") from None
    if not host or any(c.isspace() for c in value):
        raise InvalidInstanceURL("host", "that is not a valid server address")
    # Before the shape check: a numeric spelling such as 2130706433 is an address,
    # and every refused address gets the same answer.
    try:
        egress.check_host(host, allow_private=allow_private)
    except egress.Refused:
        raise InvalidInstanceURL("private", "that server address is not reachable from the internet") from None
    except egress.InvalidAddress:
        raise InvalidInstanceURL("host", "that is not a valid server address") from None
    if "." not in host and host != "localhost" and not _is_ip(host):
        raise InvalidInstanceURL("host", "that is not a valid server address")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme.lower()}://{netloc}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class InstanceInfo:
    url: str
    max_characters: int
    version: str


def raise_mastodon_error(response: httpx.Response, secrets: list[str] | None = None) -> None:
    # Mastodon's rate-limit reset is an ISO 8601 timestamp.
    wait = seconds_until_iso(response.headers.get("x-ratelimit-reset"))
    raise_for_status(response, label="Mastodon", secrets=secrets or [], retry_after=wait)


def fetch_instance_info(instance_url: str, client: httpx.Client) -> InstanceInfo:
    """The instance's post length limit, from v2 (Mastodon 4.0+) or v1 instance info."""
    response = send(client, "GET", f"{instance_url}/api/v2/instance")
    if response.status_code == 404:
        response = send(client, "GET", f"{instance_url}/api/v1/instance")
        if response.status_code == 404:
            raise PermanentError(f"{instance_url} does not look like a Mastodon server")
    raise_mastodon_error(response)
    body = json_or_empty(response)
    statuses = (body.get("configuration") or {}).get("statuses") or {}
    # max_toot_chars: Pleroma and older forks that speak the Mastodon API.
    limit = statuses.get("max_characters") or body.get("max_toot_chars") or DEFAULT_MAX_CHARACTERS
    return InstanceInfo(instance_url, int(limit), str(body.get("version", "")))


def register_app(
    instance_url: str,
    redirect_uri: str,
    client: httpx.Client,
    *,
    client_name: str = CLIENT_NAME,
    website: str | None = None,
) -> AppCredentials:
    """Register our app on an instance; keep the result per instance and reuse it."""
    form = {"client_name": client_name, "redirect_uris": redirect_uri, "scopes": SCOPES}
    if website:
        form["website"] = website
    response = send(client, "POST", f"{instance_url}/api/v1/apps", data=form)
    raise_mastodon_error(response)
    body = json_or_empty(response)
    if not body.get("client_id") or not body.get("client_secret"):
        raise PermanentError(f"{instance_url} did not return app credentials")
    return AppCredentials(client_id=str(body["client_id"]), client_secret=str(body["client_secret"]))


def authorize_url(
    instance_url: str,
    app: AppCredentials,
    redirect_uri: str,
    state: str,
    *,
    code_challenge: str | None = None,
) -> str:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
    }
    if code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    return f"{instance_url}/oauth/authorize?{urlencode(params)}"


def exchange_code(
    instance_url: str,
    app: AppCredentials,
    code: str,
    redirect_uri: str,
    client: httpx.Client,
    *,
    code_verifier: str | None = None,
) -> Credentials:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    response = send(client, "POST", f"{instance_url}/oauth/token", data=form)
    if response.status_code in (400, 401):
        raise CredentialsDead(
            f"Mastodon refused the authorization: {error_detail(response, [app.client_secret, code])}"
        )
    raise_mastodon_error(response, [app.client_secret, code])
    body = json_or_empty(response)
    return Credentials(
        # Mastodon tokens do not expire; they live until revoked.
        access_token=str(body["access_token"]),
        extra={"instance_url": instance_url, "scopes": str(body.get("scope", SCOPES)).split()},
    )


def verify_credentials(instance_url: str, access_token: str, client: httpx.Client) -> dict[str, Any]:
    """The account a token belongs to: `id`, `acct`, `url`, `display_name`, `followers_count`."""
    response = send(
        client,
        "GET",
        f"{instance_url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {access_token}"},
    )
    raise_mastodon_error(response, [access_token])
    body = json_or_empty(response)
    if not body.get("id"):
        raise PermanentError(f"{instance_url} did not say which account signed in")
    return body
