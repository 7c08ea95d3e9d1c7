from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from networks.base import Adapter

# App passwords look like "abcd-efgh-ijkl-mnop" (Bluesky's, the one network of this kind).
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$", re.IGNORECASE)


class AppPasswordConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"),
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}),
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=64,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    pds_url = forms.CharField(
        label=_("PDS address"),
        max_length=255,
        required=False,
        help_text=_("Change this only if your account lives on your own or another provider's server."),
    )

    def __init__(self, *args: Any, adapter: type[Adapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adapter = adapter
        self.fields["handle"].help_text = _("For example %(example)s.") % {"example": adapter.handle_example}
        self.fields["pds_url"].initial = adapter.default_server

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().removeprefix("@")
        if not handle or any(c.isspace() for c in handle):
            raise forms.ValidationError(
                _("Enter your %(network)s handle, like %(example)s.")
                % {"network": self.adapter.label, "example": self.adapter.handle_example}
            )
        return handle

    def clean_app_password(self) -> str:
        password = self.cleaned_data["app_password"]
        if not APP_PASSWORD.match(password):
            # A main password would work too, and would give the platform the whole account.
            raise forms.ValidationError(
                _(
                    "This does not look like an app password (four groups of four letters or digits, "
                    "like abcd-efgh-ijkl-mnop). Never enter your main %(network)s password here."
                )
                % {"network": self.adapter.label}
            )
        return password

    def clean_pds_url(self) -> str:
        return self.cleaned_data["pds_url"].strip() or self.adapter.default_server


class InstanceConnectForm(forms.Form):
    instance_url = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, *args: Any, adapter: type[Adapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instance_url"]
        field.label = _("Your %(network)s server") % {"network": adapter.label}
        field.help_text = _("The address of the server your account is on, for example %(example)s.") % {
            "example": adapter.server_example
        }
        field.widget.attrs["placeholder"] = adapter.server_example


class NetworkAppForm(forms.Form):
    client_id = forms.CharField(label=_("Client id"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        help_text=_("Leave empty to keep the secret already saved."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
