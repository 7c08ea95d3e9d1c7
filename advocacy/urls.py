from __future__ import annotations

from django.urls import path

from advocacy.views import composer, core, feed, links, shares

app_name = "advocacy"

urlpatterns = [
    path("", core.home, name="home"),
    path("feed/", feed.feed, name="feed"),
    path("feed/<int:post_id>/share/", composer.compose, name="compose"),
    path("feed/<int:post_id>/share/preview/", composer.compose_preview, name="compose_preview"),
    path("shares/", shares.my_shares, name="my_shares"),
    path("shares/<int:share_id>/retry/", shares.share_retry, name="share_retry"),
    path("l/<str:code>", links.tracked_link, name="tracked_link"),
]
