"""The platform's URLs plus one minimal view: the ceiling of the stack, served by the same
gunicorn, settings and middleware as every platform page."""

from __future__ import annotations

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/ceiling/", views.ceiling, name="bench_ceiling"),
    path("bench/layout/", views.layout, name="bench_layout"),
    path("", include("config.urls")),
]
