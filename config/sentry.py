"""Optional error reporting to Sentry, with nothing personal or secret in the events.

Events keep what helps fix a bug (exception type, stack of file names and line numbers,
the URL path, the release) and lose what could hold a token, a password or a person's
words: request bodies, cookies, headers that carry credentials, query strings, local
variables, log messages' arguments and the data of breadcrumbs.
"""

from __future__ import annotations

import re
from typing import Any

_KEPT_HEADERS = {"user-agent", "accept", "accept-language", "content-type", "content-length", "x-request-id"}
# Anything that looks like a credential inside a free-text message.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)\S+"),
    re.compile(r"(?i)((?:token|password|secret|authorization)[\"'=:\s]+)(?!\[redacted\])(?:bearer\s+)?\S+"),
]
_REDACTED = "[redacted]"


def _scrub_text(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + _REDACTED, text)
    return text


def event_scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's `before_send`: strip everything that may carry a secret or someone's text."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.lower() in _KEPT_HEADERS}
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("extra", None)
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _scrub_text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        logentry["message"] = _scrub_text(logentry.get("message"))
        if "formatted" in logentry:
            logentry["formatted"] = _scrub_text(logentry["formatted"])
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in values or []:
        crumb.pop("data", None)
        crumb["message"] = _scrub_text(crumb.get("message"))
    return event


def sentry_init(*, dsn: str, environment: str, transport: Any = None) -> bool:
    """Start reporting to `dsn`; returns False (and sends nothing, ever) when it is empty."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": event_scrub,
        "before_breadcrumb": _breadcrumb_scrub,
        "traces_sample_rate": 0.0,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True


def _breadcrumb_scrub(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any] | None:
    # SQL breadcrumbs may hold comment text in their parameters: keep none of them.
    if crumb.get("category") == "query":
        return None
    crumb.pop("data", None)
    crumb["message"] = _scrub_text(crumb.get("message"))
    return crumb
