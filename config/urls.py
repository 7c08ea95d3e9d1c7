from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import health, icons, pwa
from config.admin_site import admin_site_secure

admin_site_secure()

urlpatterns = [
    path("", include("advocacy.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", icons.favicon, name="favicon"),
    path("health/", health.ServiceHealthView.as_view(checks=health.service_checks()), name="health"),
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("content/", include("content.urls")),
    path("analytics/", include("analytics.urls")),
    path("notifications/", include("notifications.urls")),
    path("profiles/", include("employees.profiles.urls")),
    path("sso/", include("employees.sso.urls")),
    path("", include("employees.urls")),
    path("", include("employees.scim.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
