from __future__ import annotations

from django.urls import path

from employees.sso import views

app_name = "sso"

urlpatterns = [
    path("", views.sso_email, name="email"),
    path("begin/<slug:slug>/", views.sso_begin, name="begin"),
    path("saml/<slug:slug>/metadata/", views.sso_saml_metadata, name="saml_metadata"),
    path("settings/", views.sso_settings, name="settings"),
    path("complete/<str:backend>/", views.sso_complete, name="complete"),
]
