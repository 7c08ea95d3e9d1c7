from __future__ import annotations

from django.urls import path

from analytics import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dividend/", views.dividend, name="analytics_dividend"),
    path("me/", views.my_impact, name="my_impact"),
    path("leaderboard/", views.leaderboard, name="analytics_leaderboard"),
    path("me/leaderboard/", views.leaderboard_opt_in, name="analytics_leaderboard_opt_in"),
    path("posts/<int:post_id>/", views.post_report, name="analytics_post_report"),
    path("export/<slug:table>.csv", views.export, name="analytics_export"),
    path("settings/", views.analytics_settings, name="analytics_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="analytics_unsubscribe"),
]
