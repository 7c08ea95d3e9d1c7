from __future__ import annotations

from django.urls import path

from content import views

urlpatterns = [
    path("", views.library, name="library"),
]
