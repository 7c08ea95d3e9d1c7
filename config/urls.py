from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from advocacy.views import composer, core, feed, links, shares
from config import health, icons, pwa
from config.admin_site import admin_site_secure
from employees.views import organizations

admin_site_secure()

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", icons.favicon, name="favicon"),
    path("health/", health.ServiceHealthView.as_view(checks=health.service_checks()), name="health"),
    path("organization/switch/", organizations.organization_switch, name="organization_switch"),
    path("feed/", feed.feed, name="feed"),
    path("feed/<int:post_id>/share/", composer.compose, name="compose"),
    path("feed/<int:post_id>/share/preview/", composer.compose_preview, name="compose_preview"),
    path("shares/", shares.my_shares, name="my_shares"),
    path("shares/<int:share_id>/retry/", shares.share_retry, name="share_retry"),
    path("l/<str:code>", links.tracked_link, name="tracked_link"),
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
