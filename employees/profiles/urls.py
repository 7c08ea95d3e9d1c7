from __future__ import annotations

from django.urls import path

from employees.profiles import linkedin_page_views, views
from employees.views import privacy as views_privacy

app_name = "profiles"

urlpatterns = [
    path("", views.my_profiles, name="my_profiles"),
    path("company/", views.company_profiles, name="company_profiles"),
    path("me/export/", views_privacy.my_data_export, name="my_data_export"),
    path("company/apps/<str:network>/", views.network_app_edit, name="network_app_edit"),
    path("company/linkedin/pages/", linkedin_page_views.linkedin_page_pick, name="linkedin_page_pick"),
    path("company/connect/<str:network>/", views.company_profile_connect, name="company_profile_connect"),
    path("connect/<str:network>/", views.profile_connect, name="profile_connect"),
    path("authorize/<str:state>/", views.profile_authorize, name="profile_authorize"),
    path("callback/<str:network>/", views.profile_callback, name="profile_callback"),
    path("<int:profile_id>/disconnect/", views.profile_disconnect, name="profile_disconnect"),
    path("<int:profile_id>/reconnect/", views.profile_reconnect, name="profile_reconnect"),
]
