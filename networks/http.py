"""The one HTTP client every adapter uses, and the error mapping they share."""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from networks.errors import CredentialsDead, PermanentError, RetryLater

USER_AGENT = "advocacy-networks/1.0 (employee advocacy platform; self-hosted)"

# A worker must never hang on a network: short connect, bounded read. Uploads
# (images) get the same write bound; a slow network is retried later instead.
TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

# Error details are echoed into messages that end up in the database and UI.
MAX_DETAIL_CHARS = 300


# Per process: (pid, value). A forked worker builds its own rather than share the parent's.
_ssl_context_for: tuple[int, ssl.SSLContext] | None = None
_transport_for: tuple[int, httpx.BaseTransport] | None = None


def ssl_context() -> ssl.SSLContext:
    """The process's TLS context, built once.

    Building one loads the whole CA bundle (20-30 ms of CPU); a new context per
    client made that the largest cost of posting a share. Contexts are safe to share.
    """
    global _ssl_context_for
    if _ssl_context_for is None or _ssl_context_for[0] != os.getpid():
        # The same verification httpx sets up by default, SSL_CERT_FILE/DIR included.
        _ssl_context_for = (os.getpid(), httpx.create_ssl_context())
    return _ssl_context_for[1]


class _KeptTransport(httpx.BaseTransport):
    """The process's connection pool, left open when a client using it is closed."""

    def __init__(self) -> None:
        # Imported here: the guard builds on this module's TLS context and timeouts.
        from networks.egress import GuardedTransport

        # The SDK that uses the pool (Bluesky) talks to a PDS that a user typed or a
        # DID document named, so every request and connection goes through the guard.
        self._pool: httpx.BaseTransport = GuardedTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._pool.handle_request(request)

    def close(self) -> None:
        """Kept for the next client; the pool closes idle connections itself."""


def shared_transport() -> httpx.BaseTransport:
    """A connection pool for the whole process, for SDKs that build their own client.

    A short-lived client per post would otherwise open (and for TLS, negotiate) a
    new connection each time. Connections carry no credentials: every request
    brings its own Authorization header. Guarded by `networks.egress`.
    """
    global _transport_for
    if _transport_for is None or _transport_for[0] != os.getpid():
        _transport_for = (os.getpid(), _KeptTransport())
    return _transport_for[1]


def make_client(*, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with explicit timeouts and our User-Agent; `transport` is for tests.

    For a network's own API host, from the settings: no address checks, but the egress
    guard's deadline for each whole call, so that a trickling API cannot hold a worker
    past the push task's time limit either.
    """
    if transport is None:
        # Imported here: the guard builds on this module's TLS context and timeouts.
        from networks.egress import timed_transport

        transport = timed_transport()
    return httpx.Client(
        timeout=TIMEOUT,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
        verify=ssl_context(),
        # Networks answer API calls directly; a redirect means a wrong URL, and
        # following it could leak the Authorization header to another host.
        follow_redirects=False,
    )


def send(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """`client.request`, with transport failures turned into RetryLater."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise RetryLater(f"timed out talking to {_host(url)}") from exc
    except httpx.TransportError as exc:
        raise RetryLater(f"could not reach {_host(url)}: {type(exc).__name__}") from exc


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return _seconds_until(when, now)


def seconds_until_epoch(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds until a reset given as Unix epoch seconds (X, Bluesky)."""
    if not value:
        return None
    try:
        when = datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return _seconds_until(when, now)


def seconds_until_iso(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds until a reset given as an ISO 8601 timestamp (Mastodon)."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return _seconds_until(when, now)


def _seconds_until(when: datetime, now: datetime | None) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max((when - now).total_seconds(), 0.0)


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    """The JSON object body, or {} when the body is not a JSON object."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def error_detail(response: httpx.Response, secrets: Iterable[str] = ()) -> str:
    """A short, token-free description of an error response."""
    body = json_or_empty(response)
    parts = [
        str(body[key])
        for key in ("error", "error_description", "title", "detail", "message", "code")
        if body.get(key) and isinstance(body[key], str | int)
    ]
    if not parts and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict):
            parts = [str(first.get("message") or first.get("detail") or "")]
    detail = "; ".join(p for p in parts if p) or response.reason_phrase or ""
    return redact(detail, secrets)[:MAX_DETAIL_CHARS]


def redact(message: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def raise_for_status(
    response: httpx.Response,
    *,
    label: str,
    secrets: Iterable[str] = (),
    retry_after: float | None = None,
) -> None:
    """The shared mapping: 429/5xx retry, 401 dead credentials, other 4xx permanent.

    Adapters handle their network's special cases first and pass a
    `retry_after` computed from their own rate-limit headers, if any.
    """
    status = response.status_code
    if status < 400:
        return
    detail = error_detail(response, secrets)
    if status == 429 or status >= 500:
        wait = retry_after if retry_after is not None else retry_after_seconds(response.headers)
        raise RetryLater(f"{label} answered {status}: {detail}", retry_after=wait)
    if status == 401:
        raise CredentialsDead(f"{label} rejected the access token ({status}): {detail}")
    raise PermanentError(f"{label} refused the request ({status}): {detail}")


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except (httpx.InvalidURL, TypeError):
        return "the network"
