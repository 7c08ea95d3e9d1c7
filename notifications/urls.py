from __future__ import annotations

from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_preferences, name="notification_preferences"),
    path("defaults/", views.notification_defaults, name="notification_defaults"),
    path("push/", views.push_subscribe, name="push_subscribe"),
    path("push/<int:subscription_id>/delete/", views.push_unsubscribe, name="push_unsubscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
