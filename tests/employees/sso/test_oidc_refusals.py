"""Bad answers and attacks on the OpenID Connect sign-in: refused with a page, nothing created."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.test import Client
from social_django.models import UserSocialAuth

from employees.models import AuditEvent, Membership, User
from employees.sso.models import IdentityProvider
from tests.employees.sso.flows import begin_url, oidc_callback, oidc_login


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        UserSocialAuth.objects.count(),
        AuditEvent.objects.filter(action__startswith="sso.").count(),
    )


def assert_refused(response, *words: str, status: int = 400) -> None:
    assert response.status_code == status, response.content[:500]
    text = response.content.decode()
    assert "You were not signed in" in text
    for word in words:
        assert word in text
    assert not response.wsgi_request.user.is_authenticated


def test_a_replayed_callback_is_refused(cast, client, acme_oidc, oidc_idp):
    callback = oidc_callback(client, oidc_idp, email="emma@acme.test")
    assert client.get(callback).status_code == 302
    before = counts()

    replay = Client()
    response = replay.get(callback)

    assert_refused(response, "Start again from the login page")
    assert counts() == before


def test_the_same_callback_twice_in_one_browser_is_refused(cast, client, acme_oidc, oidc_idp):
    callback = oidc_callback(client, oidc_idp, email="emma@acme.test")
    assert client.get(callback).status_code == 302
    client.logout()
    before = counts()

    assert_refused(client.get(callback), "Start again from the login page")
    assert counts() == before


def test_a_callback_started_in_another_browser_is_refused(cast, client, acme_oidc, oidc_idp):
    attacker = Client()
    callback = oidc_callback(attacker, oidc_idp, email="emma@acme.test")
    # The victim has a sign-in of their own under way: the attacker's state is not theirs.
    client.get(begin_url(client, "emma@acme.test"))
    before = counts()

    assert_refused(client.get(callback), "Start again from the login page")
    assert counts() == before


def test_a_made_up_state_is_refused(cast, client, acme_oidc, oidc_idp):
    callback = oidc_callback(client, oidc_idp, email="emma@acme.test")
    forged = callback.replace("state=", "state=x")

    assert_refused(client.get(forged), "Start again from the login page")
    assert not UserSocialAuth.objects.exists()


@pytest.mark.parametrize(
    ("tampering", "reason"),
    [
        ({"nonce": "a-nonce-this-login-never-sent"}, "code=nonce_mismatch"),
        ({"aud": "another-application"}, "code=invalid_claim stage=token_validation: Token error: Invalid audience"),
        ({"expired": True}, "code=response_expired"),
    ],
    ids=["wrong-nonce", "another-audience", "expired"],
)
def test_an_id_token_that_fails_its_checks_is_refused(cast, client, acme_oidc, oidc_idp, tampering, reason, caplog):
    before = counts()
    oidc_idp.tamper_next_id_token(**tampering)

    response = oidc_login(client, oidc_idp, email="emma@acme.test")

    assert_refused(response, "failed our security checks")
    assert reason in caplog.text
    assert counts() == before


def test_an_email_outside_the_verified_domains_is_refused(cast, client, acme_oidc, oidc_idp):
    acme_oidc.jit_provisioning = True
    acme_oidc.save()
    oidc_idp.set_account("sub-nina@acme.test", email="nina@gmail.example")
    before = counts()

    response = oidc_login(client, oidc_idp, email="nina@acme.test")

    assert_refused(response, "nina@gmail.example is not in one of Acme", "add the domain", status=403)
    assert counts() == before


def test_an_unverified_email_is_refused(cast, client, acme_oidc, oidc_idp):
    oidc_idp.set_account("sub-emma@acme.test", email_verified=False)

    assert_refused(oidc_login(client, oidc_idp, email="emma@acme.test"), "not verified", status=403)
    assert not UserSocialAuth.objects.exists()


def test_a_newcomer_is_refused_when_the_organization_does_not_provision(cast, client, acme_oidc, oidc_idp):
    before = counts()

    response = oidc_login(client, oidc_idp, email="nina@acme.test")

    assert_refused(response, "not a member of Acme", "Ask your organization", status=403)
    assert counts() == before


def test_a_deactivated_member_is_refused(cast, client, acme_oidc, oidc_idp):
    Membership.objects.filter(pk=cast.emma.pk).update(is_active=False)

    assert_refused(oidc_login(client, oidc_idp, email="emma@acme.test"), "deactivated", status=403)
    assert not UserSocialAuth.objects.exists()


def test_another_subject_with_a_linked_members_email_is_refused(cast, client, acme_oidc, oidc_idp):
    oidc_login(client, oidc_idp, email="emma@acme.test")
    client.logout()
    before = counts()

    # The provider gave emma's address to someone else (another subject).
    oidc_idp.set_account("sub-someone-else", email="emma@acme.test")
    response = oidc_login(client, oidc_idp, email="emma@acme.test", login="sub-someone-else")

    assert_refused(response, "already linked to another account", status=403)
    assert counts() == before


def _configure_unreachable(provider: IdentityProvider, url: str) -> None:
    provider.oidc_discovery_url = url
    provider.save()


def test_a_provider_that_is_down_is_refused_with_a_page(cast, client, acme_oidc):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _configure_unreachable(acme_oidc, f"http://127.0.0.1:{port}/.well-known/openid-configuration")

    response = client.get(begin_url(client, "emma@acme.test"))

    assert_refused(response, "could not be reached or did not answer in time", status=502)


def test_a_provider_that_does_not_answer_in_time_is_refused_with_a_page(cast, client, acme_oidc, settings):
    settings.SOCIAL_AUTH_REQUESTS_TIMEOUT = 1
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []

    def hold() -> None:
        # Accept and never answer, like a provider under too much load.
        while True:
            try:
                connection, _address = server.accept()
            except OSError:
                return
            accepted.append(connection)

    threading.Thread(target=hold, daemon=True).start()
    _configure_unreachable(acme_oidc, f"http://127.0.0.1:{server.getsockname()[1]}/.well-known/openid-configuration")
    try:
        started = time.monotonic()
        response = client.get(begin_url(client, "emma@acme.test"))
        elapsed = time.monotonic() - started
    finally:
        server.close()
        for connection in accepted:
            connection.close()

    assert_refused(response, "did not answer in time", status=502)
    assert elapsed < 5


def test_a_provider_on_a_private_address_is_refused_unless_allowed(cast, client, acme_oidc, settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False

    response = client.get(begin_url(client, "emma@acme.test"))

    assert response.status_code == 400
    assert "private network" in response.content.decode()
