from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.sso.models import IdentityProvider, VerifiedDomain

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class EmailStepForm(forms.Form):
    email = forms.EmailField(label=_("Work email"))


class IdentityProviderForm(forms.ModelForm):
    oidc_discovery_url = forms.URLField(
        label=_("Discovery URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Ends in /.well-known/openid-configuration."),
    )
    saml_metadata_url = forms.URLField(
        label=_("IdP metadata URL"), required=False, max_length=500, assume_scheme="https"
    )
    domains = forms.CharField(
        label=_("Verified email domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. example.com. People of these domains are sent to your identity provider."),
    )
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted. Leave empty to keep the secret already saved."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "kind",
            "oidc_discovery_url",
            "oidc_client_id",
            "oidc_client_secret",
            "saml_metadata_url",
            "saml_metadata_xml",
            "saml_idp_entity_id",
            "sso_required",
            "jit_provisioning",
        ]
        help_texts = {
            "saml_idp_entity_id": _("Optional: when given, metadata for another entity id is refused."),
        }

    def __init__(self, *args, domains: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domains"].initial = "\n".join(domains)
        self.fields["saml_metadata_xml"].widget.attrs["rows"] = 4

    def clean_domains(self) -> list[str]:
        domains = []
        for line in re.split(r"[\s,;]+", self.cleaned_data["domains"].strip().lower()):
            if not line:
                continue
            domain = line.lstrip("@").rstrip(".")
            if not _DOMAIN.match(domain):
                raise forms.ValidationError(_("“%(domain)s” is not a domain name.") % {"domain": line[:100]})
            taken = VerifiedDomain.objects.filter(domain=domain).exclude(organization=self.instance.organization_id)
            if taken.exists():
                raise forms.ValidationError(
                    _("%(domain)s is already verified by another organization.") % {"domain": domain}
                )
            domains.append(domain)
        return list(dict.fromkeys(domains))

    def clean_oidc_client_secret(self) -> str:
        # An empty field keeps the saved secret: it is never sent back to the browser.
        return self.cleaned_data["oidc_client_secret"] or self.instance.oidc_client_secret

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == IdentityProvider.Kind.OIDC:
            for name in ("oidc_discovery_url", "oidc_client_id", "oidc_client_secret"):
                if not data.get(name):
                    self.add_error(name, _("Required for OpenID Connect."))
        if kind == IdentityProvider.Kind.SAML and not (data.get("saml_metadata_url") or data.get("saml_metadata_xml")):
            self.add_error("saml_metadata_url", _("Give the metadata URL or paste the metadata XML."))
        if kind and not data.get("domains"):
            self.add_error("domains", _("Add at least one email domain of your organization."))
        if data.get("sso_required") and not kind:
            self.add_error("sso_required", _("Choose an identity provider before requiring single sign-on."))
        return data
