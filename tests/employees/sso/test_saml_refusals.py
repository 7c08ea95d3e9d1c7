"""Bad SAML answers and attacks: refused with a page by the toolkit's own checks, nothing created."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from django.test import Client
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from social_django.models import UserSocialAuth

from employees.sso.models import IdentityProvider, VerifiedDomain
from employees.sso.services import saml_metadata_load
from tests.employees.sso.flows import begin_url, saml_answer, saml_login, saml_post
from tests.employees.sso.test_oidc_refusals import assert_refused, counts


def _rewrite(answer: dict[str, str], change) -> dict[str, str]:
    xml = base64.b64decode(answer["SAMLResponse"]).decode()
    return {**answer, "SAMLResponse": base64.b64encode(change(xml).encode()).decode()}


def test_an_unsigned_assertion_is_refused(cast, client, acme_saml, saml_idp, caplog):
    answer = saml_answer(client, saml_idp, email="emma@acme.test", name_id="emp-1001")
    unsigned = _rewrite(answer, lambda xml: re.sub(r"<(ds:)?Signature[ >].*?</(ds:)?Signature>", "", xml, flags=re.S))
    assert "Signature" not in base64.b64decode(unsigned["SAMLResponse"]).decode()
    before = counts()

    assert_refused(saml_post(client, unsigned), "failed our security checks")
    assert "The Assertion of the Response is not signed" in caplog.text
    assert counts() == before
    # The same answer as the IdP signed it still works: the signature was what was missing.
    assert saml_post(client, answer).status_code == 302


def test_a_tampered_assertion_is_refused(cast, client, acme_saml, saml_idp, caplog):
    answer = saml_answer(client, saml_idp, email="emma@acme.test", name_id="emp-1001")
    # Someone on the way swaps in the admin's address: the signature no longer matches.
    tampered = _rewrite(answer, lambda xml: xml.replace("emma@acme.test", "alice@acme.test"))
    before = counts()

    assert_refused(saml_post(client, tampered), "failed our security checks")
    assert "Signature validation failed" in caplog.text
    assert counts() == before
    assert saml_post(client, answer).wsgi_request.user == cast.emma.user


def test_an_assertion_past_its_lifetime_is_refused(cast, client, acme_saml, saml_idp, monkeypatch, caplog):
    answer = saml_answer(client, saml_idp, email="emma@acme.test", name_id="emp-1001")
    real_now = OneLogin_Saml2_Utils.now
    # The answer arrives two hours late: past NotOnOrAfter (one hour) and the clock skew.
    monkeypatch.setattr(OneLogin_Saml2_Utils, "now", staticmethod(lambda: real_now() + timedelta(hours=2).seconds))
    before = counts()

    assert_refused(saml_post(client, answer), "failed our security checks")
    assert "Could not validate timestamp: expired" in caplog.text
    assert counts() == before
    monkeypatch.setattr(OneLogin_Saml2_Utils, "now", real_now)
    assert saml_post(client, answer).status_code == 302


def test_an_assertion_for_another_organizations_service_provider_is_refused(cast, client, saml_idp, acme_saml, caplog):
    # Other Inc uses the same IdP, whose assertions name acme's service provider as audience.
    VerifiedDomain.objects.create(organization=cast.other_org, domain="other.test")
    other = IdentityProvider(
        organization=cast.other_org, kind=IdentityProvider.Kind.SAML, saml_metadata_url=saml_idp.metadata_url
    )
    saml_metadata_load(provider=other)
    other.save()
    before = counts()

    response = saml_login(client, saml_idp, email="olga@other.test", name_id="emp-olga")

    assert_refused(response, "failed our security checks")
    assert "is not a valid audience for this Response" in caplog.text
    assert counts() == before


def test_a_replayed_saml_response_is_refused(cast, client, acme_saml, saml_idp):
    answer = saml_answer(client, saml_idp, email="emma@acme.test", name_id="emp-1001")
    assert saml_post(client, answer).status_code == 302
    before = counts()

    assert_refused(saml_post(Client(), answer), "Start again from the login page")
    client.logout()
    assert_refused(saml_post(client, answer), "Start again from the login page")
    assert counts() == before


def test_an_email_outside_the_verified_domains_is_refused(cast, client, acme_saml, saml_idp):
    acme_saml.jit_provisioning = True
    acme_saml.save()
    # The IdP itself vouches for another domain (signed): still not one of acme's.
    start = client.get(begin_url(client, "nina@acme.test"))
    answer = saml_idp.sign_in(start["Location"], name_id="emp-nina", email="nina@gmail.example")
    before = counts()

    assert_refused(saml_post(client, answer), "nina@gmail.example is not in one of Acme", status=403)
    assert counts() == before


def test_a_response_addressed_to_another_service_provider_is_refused(cast, client, acme_saml, saml_idp, caplog):
    answer = saml_answer(client, saml_idp, email="emma@acme.test", name_id="emp-1001")
    # The Response element is outside the assertion's signature: its Destination is
    # checked on its own.
    elsewhere = _rewrite(
        answer, lambda xml: xml.replace('Destination="http://chorus.test/', 'Destination="https://evil.example/', 1)
    )
    assert 'Destination="https://evil.example/' in base64.b64decode(elsewhere["SAMLResponse"]).decode()

    assert_refused(saml_post(client, elsewhere), "failed our security checks")
    assert "instead of https://evil.example/sso/complete/saml/" in caplog.text
    assert not UserSocialAuth.objects.exists()
    assert saml_post(client, answer).status_code == 302
