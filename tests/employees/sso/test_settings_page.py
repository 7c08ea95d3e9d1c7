"""The admins' single sign-on settings page."""

from __future__ import annotations

from django.db import connection

from employees.models import AuditEvent
from employees.sso.models import IdentityProvider, VerifiedDomain

OIDC_FORM = {
    "kind": "oidc",
    "oidc_discovery_url": "https://login.example.com/tenant/v2.0/.well-known/openid-configuration",
    "oidc_client_id": "client-123",
    "oidc_client_secret": "a-client-secret-value",
    "domains": "acme.test\nAcme.Example.",
}


def test_only_admins_see_the_page(cast, login):
    assert login(cast.emma).get("/sso/settings/").status_code == 403


def test_the_page_shows_the_values_to_give_the_identity_provider(cast, login):
    page = login(cast.alice).get("/sso/settings/").content.decode()

    assert "http://chorus.test/sso/complete/oidc/" in page
    assert "http://chorus.test/sso/saml/acme/metadata/" in page
    assert "http://chorus.test/sso/complete/saml/" in page


def test_an_admin_sets_up_openid_connect_with_the_secret_encrypted(cast, login):
    response = login(cast.alice).post("/sso/settings/", OIDC_FORM)

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organization=cast.org)
    assert provider.oidc_client_secret == "a-client-secret-value"
    with connection.cursor() as cursor:
        cursor.execute("SELECT oidc_client_secret FROM employees_identityprovider WHERE id = %s", [provider.id])
        stored = cursor.fetchone()[0]
    assert "a-client-secret-value" not in stored
    assert sorted(VerifiedDomain.objects.values_list("domain", flat=True)) == ["acme.example", "acme.test"]
    event = AuditEvent.objects.get(organization=cast.org, action=AuditEvent.Action.SSO_CHANGED)
    assert "a-client-secret-value" not in str(event.detail)
    assert "oidc_client_secret" in event.detail["changed"]


def test_an_empty_secret_field_keeps_the_saved_secret(cast, login):
    client = login(cast.alice)
    client.post("/sso/settings/", OIDC_FORM)

    response = client.post("/sso/settings/", {**OIDC_FORM, "oidc_client_secret": "", "jit_provisioning": "on"})

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organization=cast.org)
    assert provider.oidc_client_secret == "a-client-secret-value"
    assert provider.jit_provisioning


def test_a_domain_another_organization_verified_is_refused(cast, login):
    VerifiedDomain.objects.create(organization=cast.other_org, domain="acme.test")

    response = login(cast.alice).post("/sso/settings/", OIDC_FORM)

    assert response.status_code == 400
    assert "acme.test is already verified by another organization" in response.content.decode()
    assert not IdentityProvider.objects.filter(organization=cast.org).exists()


def test_sso_cannot_be_required_without_a_provider(cast, login):
    response = login(cast.alice).post("/sso/settings/", {"kind": "", "domains": "", "sso_required": "on"})

    assert response.status_code == 400
    assert "Choose an identity provider before requiring single sign-on" in response.content.decode()


def test_an_admin_sets_up_saml_from_the_idp_metadata_url(cast, login, saml_idp):
    form = {"kind": "saml", "saml_metadata_url": saml_idp.metadata_url, "domains": "acme.test"}

    response = login(cast.alice).post("/sso/settings/", form)

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organization=cast.org)
    assert provider.saml_idp_entity_id == saml_idp.entity_id
    assert provider.is_enabled


def test_metadata_that_is_not_saml_is_refused_with_the_reason(cast, login):
    form = {"kind": "saml", "saml_metadata_xml": "<html>not metadata</html>", "domains": "acme.test"}

    response = login(cast.alice).post("/sso/settings/", form)

    assert response.status_code == 400
    assert "This is not SAML 2.0 identity provider metadata." in response.content.decode()
    assert not IdentityProvider.objects.filter(organization=cast.org).exists()


def test_a_metadata_url_that_does_not_answer_is_refused_with_the_reason(cast, login):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    form = {"kind": "saml", "saml_metadata_url": f"http://127.0.0.1:{port}/metadata", "domains": "acme.test"}

    response = login(cast.alice).post("/sso/settings/", form)

    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()


def test_there_is_no_service_provider_metadata_for_an_organization_without_saml(cast, client, acme_oidc):
    assert client.get("/sso/saml/acme/metadata/").status_code == 404
    assert client.get("/sso/saml/nobody/metadata/").status_code == 404
