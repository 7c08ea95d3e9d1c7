"""The login page asks for the work email first and sends SSO organizations' people to their provider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from employees.sso.models import IdentityProvider
from tests.factories import PASSWORD


def test_the_login_page_asks_for_the_work_email_first(db, client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'action="/sso/"' in page
    assert 'name="password"' not in page


def test_people_of_an_organization_without_sso_continue_to_the_password_login(cast, client):
    response = client.post("/sso/", {"email": "emma@acme.test"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'name="password"' in page
    assert 'value="emma@acme.test"' in page
    login = client.post(reverse("account_login"), {"login": "emma@acme.test", "password": PASSWORD})
    assert login.wsgi_request.user == cast.emma.user


def test_people_of_an_sso_organization_get_a_same_origin_page_with_a_link_to_their_provider(cast, client, acme_oidc):
    response = client.post("/sso/", {"email": "Emma@ACME.test"})

    # Not a redirect: a redirect answering this form POST would be blocked by the
    # Content-Security-Policy's form-action 'self' once it leaves for the provider.
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="sso-continue" href="/sso/begin/acme/?email=' in page
    assert "Log in with a password instead" in page


def test_the_domain_decides_not_whether_the_person_exists(cast, client, acme_oidc):
    # An unknown address of a verified domain goes to the provider too: the page does
    # not tell who has an account.
    response = client.post("/sso/", {"email": "nobody@acme.test"})

    assert response.status_code == 200
    assert b"sso-continue" in response.content


def test_a_malformed_email_is_asked_for_again(db, client):
    response = client.post("/sso/", {"email": "not-an-email"})

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


@pytest.mark.parametrize("kind", [IdentityProvider.Kind.OIDC, IdentityProvider.Kind.SAML])
def test_an_organization_whose_provider_is_incomplete_keeps_password_login(cast, client, kind):
    from employees.sso.models import VerifiedDomain

    VerifiedDomain.objects.create(organization=cast.org, domain="acme.test")
    IdentityProvider.objects.create(organization=cast.org, kind=kind)

    assert client.post("/sso/", {"email": "emma@acme.test"}).status_code == 302
    assert client.get("/sso/begin/acme/").status_code == 404
