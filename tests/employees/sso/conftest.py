"""The local identity providers (tests/idp) and acme configured to sign in through them."""

from __future__ import annotations

import pytest

from employees.sso.models import IdentityProvider, VerifiedDomain
from employees.sso.services import saml_metadata_load
from tests.idp.servers import OidcProvider, SamlIdp

# The public address; the test client still talks to "testserver". SAML wants a dotted host name.
SITE = "http://chorus.test"
OIDC_REDIRECT_URI = f"{SITE}/sso/complete/oidc/"
SAML_ACS_URL = f"{SITE}/sso/complete/saml/"
ACME_SP_ENTITY_ID = f"{SITE}/sso/saml/acme/metadata/"


@pytest.fixture(scope="session")
def oidc_idp():
    idp = OidcProvider(redirect_uri=OIDC_REDIRECT_URI).start()
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture(scope="session")
def saml_idp():
    # Its assertions are for acme's service provider: any other organization is another audience.
    idp = SamlIdp(audience=ACME_SP_ENTITY_ID, acs_url=SAML_ACS_URL).start()
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    # The local providers listen on loopback.
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def acme_oidc(cast, oidc_idp) -> IdentityProvider:
    oidc_idp.reset()
    VerifiedDomain.objects.create(organization=cast.org, domain="acme.test")
    return IdentityProvider.objects.create(
        organization=cast.org,
        kind=IdentityProvider.Kind.OIDC,
        oidc_discovery_url=oidc_idp.discovery_url,
        oidc_client_id=oidc_idp.client_id,
        oidc_client_secret=oidc_idp.client_secret,
    )


@pytest.fixture
def acme_saml(cast, saml_idp) -> IdentityProvider:
    VerifiedDomain.objects.create(organization=cast.org, domain="acme.test")
    provider = IdentityProvider(
        organization=cast.org, kind=IdentityProvider.Kind.SAML, saml_metadata_url=saml_idp.metadata_url
    )
    saml_metadata_load(provider=provider)
    provider.save()
    return provider
