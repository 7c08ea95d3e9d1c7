"""Health: a cheap liveness probe for containers, and the full check of every service.

The liveness probe is called by the container's own healthcheck, over plain http and
with whatever Host header the probe sends; a site that redirects http to https and
answers only its public host name would refuse it. So the probe is answered by the
first middleware, for exactly one path and only GET/HEAD, before host validation and
the https redirect; it says "ok" and nothing else. Every other URL, `/health/` included,
goes through the whole stack.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.views import HealthCheckView

if TYPE_CHECKING:
    from collections.abc import Callable

LIVENESS_PATH = "/healthz"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


class LivenessProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == LIVENESS_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


def service_checks() -> list:
    """What `/health/` checks: the database, the cache, the broker, a worker, file storage."""
    checks: list = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    if settings.REDIS_URL:
        from redis.asyncio import Redis

        broker_url = settings.CELERY_BROKER_URL
        checks.append(("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(broker_url)}))
    # A ping sent through the broker and answered by a worker: the task path works end to end.
    checks.append(("health_check.contrib.celery.Ping", {"limit": 1, "timeout": timedelta(seconds=3)}))
    return checks


class ServiceHealthView(HealthCheckView):
    """django-health-check's view, answering 503 (not 500) when a service is down.

    A failed check is a service that is unavailable, not an error of this page; monitors
    and load balancers take any 5xx as unhealthy either way.
    """

    async def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
