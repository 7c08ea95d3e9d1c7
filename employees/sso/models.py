"""An organization's identity provider and the email domains it vouches for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from employees.crypto import EncryptedTextField


class IdentityProvider(models.Model):
    """How an organization's people sign in through the company's identity provider."""

    class Kind(models.TextChoices):
        NONE = "", _("Off (passwords only)")
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    organization = models.OneToOneField(
        "employees.Organization", on_delete=models.CASCADE, related_name="identity_provider"
    )
    kind = models.CharField(_("single sign-on"), max_length=8, choices=Kind.choices, blank=True, default="")

    oidc_discovery_url = models.URLField(_("discovery URL"), max_length=500, blank=True)
    oidc_client_id = models.CharField(_("client id"), max_length=255, blank=True)
    oidc_client_secret = EncryptedTextField(_("client secret"), blank=True, default="")

    saml_metadata_url = models.URLField(_("IdP metadata URL"), max_length=500, blank=True)
    saml_metadata_xml = models.TextField(_("IdP metadata XML"), blank=True)
    # Read from the metadata when it is saved, so that a login never waits for it.
    saml_idp_entity_id = models.CharField(_("IdP entity id"), max_length=500, blank=True)
    saml_idp_sso_url = models.URLField(_("IdP sign-in URL"), max_length=500, blank=True)
    saml_idp_x509_certs = models.JSONField(default=list, blank=True)

    sso_required = models.BooleanField(
        _("require single sign-on"),
        default=False,
        help_text=_("Members cannot log in with a password. Admins keep an emergency password + authenticator login."),
    )
    jit_provisioning = models.BooleanField(
        _("create accounts on first sign-in"),
        default=False,
        help_text=_(
            "People of your verified domains who are not yet members join as employees when they first sign in."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return f"{self.organization} {self.kind or '-'}"

    @property
    def is_enabled(self) -> bool:
        if self.kind == self.Kind.OIDC:
            return bool(self.oidc_discovery_url and self.oidc_client_id)
        if self.kind == self.Kind.SAML:
            return bool(self.saml_idp_entity_id and self.saml_idp_sso_url and self.saml_idp_x509_certs)
        return False


class VerifiedDomain(models.Model):
    """An email domain whose people belong to the organization's identity provider.

    A domain belongs to one organization at most: the login page sends an email
    address to the organization of its domain.
    """

    organization = models.ForeignKey(
        "employees.Organization", on_delete=models.CASCADE, related_name="verified_domains"
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verified domain")
        verbose_name_plural = _("verified domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
