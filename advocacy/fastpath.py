"""The tracked-link redirect, answered before the rest of the middleware stack.

A visitor of `/l/<code>` is anonymous and gets a redirect: no session, CSRF token,
language, messages, user, membership or content security policy applies to it, and
building them cost more than the redirect itself. This middleware sits right after
Django's ``SecurityMiddleware``, so the HTTPS redirect and HSTS still apply; an
unknown code goes on through the whole stack to the normal 404 page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers

from advocacy import links, signals

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

PREFIX = "/l/"
# Set on a request whose code was looked up and not found, so the view does not look again.
MISSING = "_tracked_link_missing"


def redirect_response(target: str) -> HttpResponseRedirect:
    """The answer to a visit of a tracked link: its stored target, never cached."""
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    add_never_cache_headers(response)
    return response


def follow(request: HttpRequest, code: str) -> str | None:
    """Count the visit; the link's target, or None (no such link, or not a code at all)."""
    # Codes are short and alphanumeric; anything else (a NUL, a novel) is not looked up.
    if not (code.isascii() and code.isalnum() and len(code) <= links.CODE_MAX_LENGTH):
        return None
    user_agent = request.headers.get("User-Agent", "")[:500]
    target = links.link_follow(code=code, user_agent=user_agent, ip=request.META.get("REMOTE_ADDR", ""))
    if target is not None and not links.is_bot(user_agent):
        signals.link_followed.send(sender=TrackedLinkMiddleware)
    return target


class TrackedLinkMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.method in ("GET", "HEAD") and path.startswith(PREFIX):
            code = path[len(PREFIX) :]
            if code and "/" not in code:
                target = follow(request, code)
                if target is not None:
                    return redirect_response(target)
                setattr(request, MISSING, True)
        return self.get_response(request)
