from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from advocacy import views

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", views.feed, name="feed"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("content/", include("content.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("employees.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
