"""/admin/ goes through allauth's login (rate limits, two-factor) and lets in superusers only."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def root(db):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="root@acme.test", is_staff=True, is_superuser=True)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _totp_on(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _code(secret: str) -> str:
    import time

    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return f"{hotp_value(secret, counter):0{app_settings.TOTP_DIGITS}d}"


def test_the_admin_login_page_sends_people_to_the_platforms_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_password_posted_to_the_admin_login_logs_nobody_in(client, root):
    response = client.post("/admin/login/", {"username": root.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_for_the_admin_hit_the_login_rate_limit(client, root):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": root.email, "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert b"Too many failed login attempts" in response.content
    assert client.get("/admin/").status_code == 302


def test_a_superuser_with_two_factor_on_needs_the_code_before_the_admin(client, root):
    secret = _totp_on(root)
    login = reverse("account_login") + "?" + urlencode({"next": "/admin/"})
    response = client.post(login, {"login": root.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    admin_without_code = client.get("/admin/")
    assert admin_without_code.status_code == 302
    assert not admin_without_code.wsgi_request.user.is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert Authenticator.objects.filter(user=root, type=Authenticator.Type.TOTP).exists()


def test_a_superuser_logged_in_through_the_platform_reaches_the_admin(client, root):
    client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Site administration" in response.content


def test_staff_who_are_not_superusers_are_refused(client, db):
    staff = UserFactory(email="staff@acme.test", is_staff=True, is_superuser=False)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    assert client.get("/admin/employees/user/").status_code in (302, 403)


def test_organization_admins_are_not_django_admins(cast, login):
    client = login(cast.alice)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403
