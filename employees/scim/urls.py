from __future__ import annotations

from django.urls import path, re_path

from employees.scim import views

app_name = "scim"

urlpatterns = [
    path("settings/scim/", views.scim_settings, name="settings"),
    path("settings/scim/<int:token_id>/revoke/", views.scim_token_revoke, name="token_revoke"),
    re_path(r"^scim/v2/?$", views.scim_endpoint, name="root"),
    re_path(r"^scim/v2/(?P<path>.+)$", views.scim_endpoint, name="endpoint"),
]
