from __future__ import annotations

from django.urls import path, re_path

from employees.scim import views

urlpatterns = [
    path("settings/scim/", views.scim_settings, name="scim_settings"),
    path("settings/scim/<int:token_id>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
    re_path(r"^scim/v2/?$", views.scim_endpoint, name="scim_root"),
    re_path(r"^scim/v2/(?P<path>.+)$", views.scim_endpoint, name="scim_endpoint"),
]
