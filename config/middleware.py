"""Response headers every page needs."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """Pages for a signed-in person are theirs alone: no shared cache may keep them.

    A proxy or CDN that caches a response without `Cache-Control: private` could hand
    one person's feed, dashboard or export to the next visitor of the same address.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
