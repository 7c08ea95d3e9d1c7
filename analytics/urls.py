from __future__ import annotations

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dividend/", views.dividend, name="dividend"),
    path("me/", views.my_impact, name="my_impact"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("me/leaderboard/", views.leaderboard_opt_in, name="leaderboard_opt_in"),
    path("posts/<int:post_id>/", views.post_report, name="post_report"),
    path("export/<slug:table>.csv", views.export, name="export"),
    path("settings/", views.analytics_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
