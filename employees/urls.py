from __future__ import annotations

from django.urls import path

from employees import views, views_audit, views_privacy

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("people/<int:membership_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("people/<int:membership_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("people/<int:membership_id>/offboard/", views_privacy.member_offboard, name="member_offboard"),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("settings/organization/", views.organization_settings, name="organization_settings"),
    path("settings/audit/", views_audit.audit_log, name="audit_log"),
]
