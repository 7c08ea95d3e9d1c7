"""The site icon at the address every browser asks for first, `/favicon.ico`."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_safe
@cache_control(max_age=86400)
def favicon(request):
    return FileResponse(ICON.open("rb"), content_type="image/x-icon")
