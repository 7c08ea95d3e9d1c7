"""python-social-auth backends that read each organization's identity provider.

The organization is chosen before the protocol starts (the login page finds it from
the email's domain) and kept in the session, so both the start and the callback of
a login read the same organization's settings; everything else (state, nonce,
PKCE, signatures, audience, recipient, time checks) is the library's own work.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.backends.saml import SAMLAuth
from social_core.exceptions import AuthConfigurationError, AuthProviderError
from social_core.utils import http_error, user_agent

from employees.sso.errors import SSORefused
from employees.sso.fetch import guarded_request, sso_host_check
from employees.sso.models import IdentityProvider

if TYPE_CHECKING:
    from requests import Response

ORGANIZATION_SESSION_KEY = "sso_organization_id"
LOGIN_HINT_SESSION_KEY = "sso_login_hint"


class _OrganizationBackend:
    KIND = ""
    _sso_provider: IdentityProvider | None = None

    def __init__(self, strategy=None, redirect_uri: str | None = None) -> None:
        super().__init__(strategy, redirect_uri=redirect_uri)
        # The address the provider sends people back to is the public one, whatever
        # host name this request came in on (proxies, internal names).
        if redirect_uri and redirect_uri.startswith("/"):
            self.redirect_uri = settings.SITE_URL + redirect_uri

    def use_provider(self, provider: IdentityProvider) -> None:
        """Work for `provider` instead of the one the session names (SP metadata)."""
        self._sso_provider = provider

    def sso_provider(self) -> IdentityProvider:
        if self._sso_provider is None:
            organization_id = self.strategy.session_get(ORGANIZATION_SESSION_KEY)
            provider = (
                IdentityProvider.objects.select_related("organization")
                .filter(organization_id=organization_id, kind=self.KIND)
                .first()
                if isinstance(organization_id, int)
                else None
            )
            if provider is None or not provider.is_enabled:
                raise SSORefused(
                    _("This sign-in was not started here or has expired. Start again from the login page."),
                    status=400,
                )
            self._sso_provider = provider
        return self._sso_provider

    def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers=None,
        data=None,
        json=None,
        auth=None,
        params=None,
        timeout: float | None = None,
        stage: str = "user_info",
    ) -> Response:
        """The library's request, made through the egress guard, with the library's error mapping."""
        headers = dict(headers or {})
        if self.SEND_USER_AGENT and "User-Agent" not in headers:
            headers["User-Agent"] = self.setting("USER_AGENT") or user_agent()
        try:
            response = guarded_request(
                method,
                url,
                headers=headers,
                data=data,
                json=json,
                auth=auth,
                params=params,
                timeout=timeout or settings.SOCIAL_AUTH_REQUESTS_TIMEOUT,
            )
        except requests.Timeout as error:
            raise AuthProviderError(self, code="timeout", stage=stage) from error
        except requests.exceptions.InvalidURL as error:
            raise AuthConfigurationError(self, code="invalid_setting", parameter="url", stage=stage) from error
        except requests.ConnectionError as error:
            raise AuthProviderError(self, code="connection_failed", stage=stage) from error
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            raise http_error(self, error, stage=stage) from error
        return response


class OrganizationOIDC(_OrganizationBackend, OpenIdConnectAuth):
    """OpenID Connect (authorization code flow with PKCE, state and nonce)."""

    name = "oidc"
    KIND = IdentityProvider.Kind.OIDC
    DEFAULT_USE_PKCE = True
    DEFAULT_SCOPE = ["openid", "email", "profile"]
    JWT_ALGORITHMS = ["RS256", "ES256", "PS256"]
    EXTRA_DATA = [("sub", "id")]

    def setting(self, name: str, default=None):
        if name == "KEY":
            return self.sso_provider().oidc_client_id
        if name == "SECRET":
            return str(self.sso_provider().oidc_client_secret)
        if name == "USE_PKCE":
            return True
        if name == "LOGIN_HINT":
            return self.strategy.session_get(LOGIN_HINT_SESSION_KEY) or None
        return super().setting(name, default)

    def oidc_config_url(self) -> str:
        return self.sso_provider().oidc_discovery_url

    def oidc_config(self) -> dict:
        # The library keeps discovery documents in memory: check the host on every use,
        # not only when the document is fetched.
        sso_host_check(self.oidc_config_url())
        return super().oidc_config()

    def get_user_id(self, details, response) -> str:
        # Subjects are unique per provider only: two organizations' providers may
        # both have a user "1".
        return f"org{self.sso_provider().organization_id}:{super().get_user_id(details, response)}"


class OrganizationSAML(_OrganizationBackend, SAMLAuth):
    """SAML 2.0 Web Browser SSO: AuthnRequest by redirect, signed assertion by POST."""

    name = "saml"
    KIND = IdentityProvider.Kind.SAML

    def idp_name(self) -> str:
        return f"org{self.sso_provider().organization_id}"

    def sp_entity_id(self) -> str:
        slug = self.sso_provider().organization.slug
        return settings.SITE_URL + reverse("sso:saml_metadata", args=[slug])

    def setting(self, name: str, default=None):
        if name == "ENABLED_IDPS":
            provider = self.sso_provider()
            certs = provider.saml_idp_x509_certs
            idp = {
                "entity_id": provider.saml_idp_entity_id,
                "url": provider.saml_idp_sso_url,
                # The NameID is the stable subject; an email can be re-assigned.
                "attr_user_permanent_id": "name_id",
            }
            if len(certs) == 1:
                idp["x509cert"] = certs[0]
            else:
                idp["x509certMulti"] = {"signing": certs}
            return {self.idp_name(): idp}
        if name == "SP_ENTITY_ID":
            return self.sp_entity_id()
        if name in ("SP_PUBLIC_CERT", "SP_PRIVATE_KEY"):
            return ""
        if name == "ORG_INFO":
            return {"en-US": {"name": settings.SITE_NAME, "displayname": settings.SITE_NAME, "url": settings.SITE_URL}}
        if name in ("TECHNICAL_CONTACT", "SUPPORT_CONTACT"):
            return {"givenName": settings.SITE_NAME, "emailAddress": _contact_address()}
        if name == "SECURITY_CONFIG":
            return {
                "wantAssertionsSigned": True,
                "wantNameId": True,
                "rejectDeprecatedAlgorithm": True,
                "requestedAuthnContext": False,
            }
        if name == "ALLOW_IDP_INITIATED":
            return False
        return super().setting(name, default)

    def get_idp(self, idp_name: str | None):
        # Only this organization's provider: a RelayState naming another one is refused.
        if idp_name is not None and idp_name != self.idp_name():
            raise SSORefused(_("This sign-in belongs to another organization. Start again from the login page."))
        return super().get_idp(self.idp_name())

    def auth_url(self) -> str:
        idp = self.get_idp(None)
        auth = self._get_saml_auth(idp, stage="begin")
        url = auth.login(return_to=json.dumps({"idp": idp.name, "next": self.data.get("next")}))
        self.strategy.session_set(self._authn_request_id_session_key(idp.name), auth.get_last_request_id())
        return url

    def _saml_request_data(self) -> dict:
        # The toolkit checks the assertion's Recipient and Destination against this
        # request's URL: take it from the public address, as the ACS URL was made.
        site = urlsplit(settings.SITE_URL)
        return {
            "https": "on" if site.scheme == "https" else "off",
            "http_host": site.netloc,
            "script_name": self.strategy.request_path(),
            "get_data": self.strategy.request_get(),
            "post_data": self.strategy.request_post(),
        }


def _contact_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
