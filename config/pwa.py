"""The installable web app: its manifest, its service worker and the page shown offline.

The service worker keeps the static files and the offline page, nothing else: pages
carry personal data and are always fetched from the server. It is served from the
root so that its scope covers the whole site.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOR = "#2454d6"
BACKGROUND_COLOR = "#f6f7f9"
_ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]
# What the service worker keeps for offline use (hashed names: safe to keep forever).
_PRECACHED_STATIC = ["css/app.css", "js/app.js", "vendor/htmx.min.js", *(path for path, _, _ in _ICONS)]


@require_safe
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "description": _("Share your company's news on your own profiles, in your own words."),
        "id": "/",
        "start_url": reverse("advocacy:feed"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in _ICONS
        ],
        # A link shared to the app from a phone's share sheet lands on the suggestion form.
        "share_target": {
            "action": reverse("content:suggest"),
            "method": "GET",
            "enctype": "application/x-www-form-urlencoded",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = [reverse("offline"), *(static(path) for path in _PRECACHED_STATIC)]
    # A new deployment (new hashed file names) is a new cache; the old one is dropped.
    version = hashlib.sha256("\n".join(precache).encode()).hexdigest()[:12]
    context = {
        "precache": precache,
        "version": version,
        "offline_url": reverse("offline"),
        "static_url": settings.STATIC_URL,
        "site_name": settings.SITE_NAME,
        "icon_url": static("icons/icon-192.png"),
    }
    return render(request, "pwa/sw.js", context, content_type="text/javascript")


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/offline.html")
