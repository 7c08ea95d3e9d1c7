"""SAML 2.0 sign-in against a real IdP (saml-idp) that signs its assertions."""

from __future__ import annotations

from social_django.models import UserSocialAuth

from employees.models import AuditEvent
from tests.employees.sso.conftest import ACME_SP_ENTITY_ID
from tests.employees.sso.flows import saml_login


def test_the_idp_metadata_is_read_when_saved(cast, acme_saml, saml_idp):
    assert acme_saml.saml_idp_entity_id == saml_idp.entity_id
    assert acme_saml.saml_idp_sso_url == f"{saml_idp.base}/saml/sso"
    assert len(acme_saml.saml_idp_x509_certs) == 1
    assert acme_saml.is_enabled


def test_a_member_signs_in_with_a_signed_assertion(cast, client, acme_saml, saml_idp):
    response = saml_login(client, saml_idp, email="emma@acme.test", name_id="emp-1001")

    assert response.status_code == 302, response.content[:2000]
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user == cast.emma.user
    link = UserSocialAuth.objects.get(user=cast.emma.user)
    assert (link.provider, link.uid) == ("saml", f"org{cast.org.id}:emp-1001")
    assert AuditEvent.objects.filter(
        organization=cast.org, action=AuditEvent.Action.SSO_LOGIN, actor=cast.emma.user, detail={"kind": "saml"}
    ).exists()


def test_the_service_provider_metadata_names_the_entity_id_and_reply_url(cast, client, acme_saml):
    response = client.get("/sso/saml/acme/metadata/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'entityID="{ACME_SP_ENTITY_ID}"' in body
    assert 'Location="http://chorus.test/sso/complete/saml/"' in body
    assert 'WantAssertionsSigned="true"' in body
