"""'SSO required' turns password login off for members; admins keep password + TOTP, audited."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from employees.models import AuditEvent
from tests.factories import PASSWORD


def _require_sso(provider) -> None:
    provider.sso_required = True
    provider.save()


def test_a_member_cannot_log_in_with_a_password_when_sso_is_required(cast, client, acme_oidc):
    _require_sso(acme_oidc)

    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})

    assert response.status_code == 403
    assert not response.wsgi_request.user.is_authenticated
    assert "Acme requires single sign-on" in response.content.decode()
    assert 'href="/sso/begin/acme/?email=emma%40acme.test"' in response.content.decode()


def test_password_login_works_while_sso_is_optional(cast, client, acme_oidc):
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})

    assert response.wsgi_request.user == cast.emma.user
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SSO_BREAK_GLASS).exists()


def test_an_admin_without_an_authenticator_has_no_break_glass(cast, client, acme_oidc):
    _require_sso(acme_oidc)

    response = client.post(reverse("account_login"), {"login": "alice@acme.test", "password": PASSWORD})

    assert response.status_code == 403
    assert not response.wsgi_request.user.is_authenticated
    assert "authenticator app" in response.content.decode()


def test_an_admin_breaks_glass_with_password_and_totp_and_it_is_audited(cast, client, acme_oidc):
    _require_sso(acme_oidc)
    secret = generate_totp_secret()
    TOTP.activate(cast.alice.user, secret)

    response = client.post(reverse("account_login"), {"login": "alice@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SSO_BREAK_GLASS).exists()

    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == cast.alice.user
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.SSO_BREAK_GLASS)
    assert event.actor == cast.alice.user
    assert Authenticator.objects.filter(user=cast.alice.user).exists()


def test_the_organizations_people_still_sign_in_through_the_provider(cast, client, acme_oidc, oidc_idp):
    from tests.employees.sso.flows import oidc_login

    _require_sso(acme_oidc)

    assert oidc_login(client, oidc_idp, email="emma@acme.test").status_code == 302
    assert client.get("/").wsgi_request.user == cast.emma.user


def test_an_invitation_is_taken_up_through_the_provider_when_sso_is_required(cast, client, acme_oidc, oidc_idp):
    from datetime import timedelta

    from django.utils import timezone

    from employees.models import Invitation, Membership, User
    from employees.services import _hash_token
    from tests.employees.sso.flows import oidc_login

    _require_sso(acme_oidc)
    Invitation.objects.create(
        organization=cast.org,
        email="nina@acme.test",
        roles=["comms"],
        token_hash=_hash_token("a-known-token"),
        expires_at=timezone.now() + timedelta(days=1),
    )

    page = client.get(reverse("employees:invitation_accept", args=["a-known-token"])).content.decode()

    assert 'name="password1"' not in page
    assert "Continue to Acme sign-in" in page
    assert oidc_login(client, oidc_idp, email="nina@acme.test").status_code == 302
    nina = User.objects.get(email="nina@acme.test")
    assert Membership.objects.get(user=nina, organization=cast.org).roles == ["comms"]
    assert not nina.has_usable_password()
    assert Invitation.objects.get(email="nina@acme.test").status == Invitation.Status.ACCEPTED
