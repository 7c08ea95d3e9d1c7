from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_preferences, name="notification_preferences"),
    path("defaults/", views.notification_defaults, name="notification_defaults"),
    path("push/", views.push_subscribe, name="push_subscribe"),
    path("push/<int:subscription_id>/delete/", views.push_unsubscribe, name="push_unsubscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("channels/", views.team_channels, name="team_channels"),
    path("slack/connect/", views.slack_connect, name="slack_connect"),
    path("slack/callback/", views.slack_callback, name="slack_callback"),
    path("slack/disconnect/", views.slack_disconnect, name="slack_disconnect"),
    path("slack/events/", views.slack_events, name="slack_events"),
]
