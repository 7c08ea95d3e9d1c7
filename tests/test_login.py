from __future__ import annotations

from django.urls import reverse

from tests.factories import PASSWORD


def test_members_log_in_with_email_and_password(cast, client):
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.emma.user


def test_a_wrong_password_is_refused_with_a_message(cast, client):
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": "wrong-password"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert b"not correct" in response.content


def test_an_unverified_email_cannot_log_in(cast, client):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(email="emma@acme.test").update(verified=False)
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated or response.url == reverse("account_email_verification_sent")


def test_repeated_failed_logins_are_rate_limited(cast, client):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "emma@acme.test", "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert b"Too many failed login attempts" in response.content


def test_open_sign_up_is_closed(db, client):
    response = client.post(
        reverse("account_signup"), {"email": "x@example.com", "password1": "a-long-pass", "password2": "a-long-pass"}
    )
    assert b"Sign Up Closed" in response.content or response.status_code in (403, 404)
    from employees.models import User

    assert not User.objects.filter(email="x@example.com").exists()


def test_password_reset_sends_an_email(cast, client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "emma@acme.test"})
    assert len(mailoutbox) == 1
    assert "emma@acme.test" in mailoutbox[0].to


def _lock_out(client) -> None:
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "emma@acme.test", "password": "wrong-password"})


def test_a_locked_account_refuses_even_the_right_password_and_names_the_way_out(cast, client):
    _lock_out(client)
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert b"reset your password to sign in now" in response.content


def test_a_password_reset_through_the_emailed_link_lifts_the_lock_at_once(cast, client, mailoutbox):
    import re

    _lock_out(client)
    client.post(reverse("account_reset_password"), {"email": "emma@acme.test"})
    link = re.search(r"https?://[^/\s]+(/\S+/password/reset/key/\S+/)", mailoutbox[0].body).group(1)
    set_password_page = client.get(link)
    assert set_password_page.status_code == 302
    new_password = "a-new-and-long-passphrase-42"
    client.post(set_password_page.url, {"password1": new_password, "password2": new_password})
    response = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": new_password})
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.emma.user


def test_another_account_is_not_locked_by_failures_on_this_one(cast, client):
    _lock_out(client)
    response = client.post(reverse("account_login"), {"login": "carol@acme.test", "password": PASSWORD})
    assert response.wsgi_request.user == cast.carol.user
