from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation

from employees import services
from employees.locale import Formats
from employees.models import Invitation, Membership, User


def _invite(cast, django_capture_on_commit_callbacks, email="newbie@acme.test", **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(organization=cast.org, email=email, invited_by=cast.alice.user, **kwargs)


def _link_from(mail) -> str:
    return next(line for line in mail.body.splitlines() if "/invite/" in line).strip()


def test_an_invitation_is_emailed_with_a_working_link(cast, client, mailoutbox, django_capture_on_commit_callbacks):
    _invite(
        cast, django_capture_on_commit_callbacks, name="Nina New", roles=["employee", "manager"], teams=[cast.sales]
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newbie@acme.test"]
    assert "Acme" in mailoutbox[0].subject
    link = _link_from(mailoutbox[0])

    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    response = client.post(
        "/" + path, {"name": "Nina New", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert response.status_code == 302

    user = User.objects.get(email="newbie@acme.test")
    membership = Membership.objects.get(user=user, organization=cast.org)
    assert set(membership.roles) == {"employee", "manager"}
    assert list(membership.teams.all()) == [cast.sales]
    assert user.check_password("a-long-pass-phrase")
    assert client.get(reverse("advocacy:feed")).status_code == 200


def test_the_token_is_not_stored_in_plain_text(cast, mailoutbox, django_capture_on_commit_callbacks):
    invitation = _invite(cast, django_capture_on_commit_callbacks)
    token = _link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    invitation.refresh_from_db()
    assert token not in invitation.token_hash
    assert services.invitation_for_token(token) == invitation


def test_a_used_invitation_link_explains_itself(cast, client, mailoutbox, django_capture_on_commit_callbacks):
    _invite(cast, django_capture_on_commit_callbacks)
    path = "/invite/" + _link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1] + "/"
    client.post(path, {"name": "N", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert b"already been used" in response.content


def test_an_expired_invitation_link_explains_itself(cast, client, mailoutbox, django_capture_on_commit_callbacks):
    invitation = _invite(cast, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get("/invite/" + _link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1] + "/")
    assert response.status_code == 410
    assert b"expired" in response.content


def test_an_unknown_invitation_link_explains_itself(db, client):
    response = client.get("/invite/not-a-real-token/")
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_a_resent_invitation_replaces_the_old_link(cast, client, mailoutbox, django_capture_on_commit_callbacks):
    invitation = _invite(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    old, new = (_link_from(mail).rstrip("/").rsplit("/", 1)[1] for mail in mailoutbox)
    assert client.get(f"/invite/{old}/").status_code == 410
    assert client.get(f"/invite/{new}/").status_code == 200


def test_mismatched_passwords_keep_the_invitation_open(cast, client, mailoutbox, django_capture_on_commit_callbacks):
    invitation = _invite(cast, django_capture_on_commit_callbacks)
    path = "/invite/" + _link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1] + "/"
    response = client.post(path, {"name": "N", "password1": "a-long-pass-phrase", "password2": "something-else-x"})
    assert response.status_code == 200
    assert b"differ" in response.content
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_inviting_a_member_or_a_pending_email_is_refused(cast, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="already a member"):
        _invite(cast, django_capture_on_commit_callbacks, email="EMMA@acme.test")
    _invite(cast, django_capture_on_commit_callbacks, email="twice@acme.test")
    with pytest.raises(ValidationError, match="already been invited"):
        _invite(cast, django_capture_on_commit_callbacks, email="twice@acme.test")


def test_expiring_marks_only_overdue_pending_invitations(cast, django_capture_on_commit_callbacks):
    overdue = _invite(cast, django_capture_on_commit_callbacks, email="late@acme.test")
    fresh = _invite(cast, django_capture_on_commit_callbacks, email="fresh@acme.test")
    Invitation.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert services.invitations_expire() == 1
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED
    assert fresh.status == Invitation.Status.PENDING


def test_the_invite_form_reports_a_bad_email_at_the_field(cast, login):
    response = login(cast.alice).post(reverse("employees:invite"), {"email": "not-an-email", "roles": ["employee"]})
    assert response.status_code == 400
    assert b"valid email" in response.content
    assert not Invitation.objects.exists()


def test_an_admin_can_invite_and_withdraw_from_the_people_page(cast, login, mailoutbox):
    client = login(cast.alice)
    response = client.post(reverse("employees:invite"), {"email": "x@acme.test", "roles": ["employee"], "name": "X"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="x@acme.test")
    assert "x@acme.test" in client.get(reverse("employees:people")).content.decode()
    client.post(reverse("employees:invitation_revoke", args=[invitation.id]))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED


def test_the_invitation_writes_its_expiry_the_organizations_way(cast, mailoutbox, django_capture_on_commit_callbacks):
    cast.org.formats = Formats.DK
    cast.org.save()
    invitation = _invite(cast, django_capture_on_commit_callbacks)
    invitation.refresh_from_db()
    expires = timezone.localtime(invitation.expires_at)
    with translation.override("en-dk"):
        dk = formats.date_format(expires, "DATE_FORMAT")
    with translation.override("en"):
        us = formats.date_format(expires, "DATE_FORMAT")
    assert dk != us
    assert dk in mailoutbox[0].body
    assert us not in mailoutbox[0].body
