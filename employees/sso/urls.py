from __future__ import annotations

from django.urls import path

from employees.sso import views

urlpatterns = [
    path("", views.sso_email, name="sso_email"),
    path("begin/<slug:slug>/", views.sso_begin, name="sso_begin"),
    path("saml/<slug:slug>/metadata/", views.sso_saml_metadata, name="sso_saml_metadata"),
    path("settings/", views.sso_settings, name="sso_settings"),
    path("complete/<str:backend>/", views.sso_complete, name="sso_complete"),
]
