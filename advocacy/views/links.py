from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from advocacy import links, signals


@never_cache
def tracked_link(request, code: str):
    """Redirect to the link's stored target, never anywhere else, and count the click.

    The click is written to the database directly, in the statement that finds the
    link: no queue stands between a visit and its record, so a stopped worker or
    broker cannot lose one.
    """
    # Codes are short and alphanumeric; anything else (a NUL, a novel) is not looked up.
    if not (code.isascii() and code.isalnum() and len(code) <= links.CODE_MAX_LENGTH):
        raise Http404
    target = links.link_follow(
        code=code, user_agent=request.headers.get("User-Agent", "")[:500], ip=request.META.get("REMOTE_ADDR", "")
    )
    if target is None:
        raise Http404
    if not links.is_bot(request.headers.get("User-Agent", "")):
        signals.link_followed.send(sender=tracked_link)
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    return response
