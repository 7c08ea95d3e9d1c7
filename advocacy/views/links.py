from __future__ import annotations

from django.http import Http404
from django.views.decorators.cache import never_cache

from advocacy import fastpath


@never_cache
def tracked_link(request, code: str):
    """Redirect to the link's stored target, never anywhere else, and count the click.

    Visits are normally answered by ``fastpath.TrackedLinkMiddleware`` before the
    middleware stack; this view answers what reaches it (another method, or the
    404 of a code the middleware found no link for, rendered by the whole stack).

    The click is written to the database directly, in the statement that finds the
    link: no queue stands between a visit and its record, so a stopped worker or
    broker cannot lose one.
    """
    if getattr(request, fastpath.MISSING, False):
        raise Http404
    target = fastpath.follow(request, code)
    if target is None:
        raise Http404
    return fastpath.redirect_response(target)
