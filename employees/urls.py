from __future__ import annotations

from django.urls import path

from employees.views import audit, organizations, people, privacy

app_name = "employees"

urlpatterns = [
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/<int:membership_id>/", people.member_edit, name="member_edit"),
    path("people/<int:membership_id>/deactivate/", people.member_deactivate, name="member_deactivate"),
    path("people/<int:membership_id>/reactivate/", people.member_reactivate, name="member_reactivate"),
    path("people/<int:membership_id>/offboard/", privacy.member_offboard, name="member_offboard"),
    path("invitations/<int:invitation_id>/resend/", people.invitation_resend, name="invitation_resend"),
    path("invitations/<int:invitation_id>/revoke/", people.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", people.invitation_accept, name="invitation_accept"),
    path("teams/", people.teams, name="teams"),
    path("teams/<int:team_id>/", people.team_detail, name="team_detail"),
    path("settings/organization/", people.organization_settings, name="organization_settings"),
    path("organization/switch/", organizations.organization_switch, name="organization_switch"),
    path("settings/audit/", audit.audit_log, name="audit_log"),
]
