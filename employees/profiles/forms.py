from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from networks.bluesky import DEFAULT_PDS

# Bluesky app passwords look like "abcd-efgh-ijkl-mnop".
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$", re.IGNORECASE)


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"),
        max_length=253,
        help_text=_("For example alice.bsky.social."),
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
        initial=DEFAULT_PDS,
        help_text=_("Change this only if your account lives on your own or another provider's server."),
    )

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().removeprefix("@")
        if not handle or any(c.isspace() for c in handle):
            raise forms.ValidationError(_("Enter your Bluesky handle, like alice.bsky.social."))
        return handle

    def clean_app_password(self) -> str:
        password = self.cleaned_data["app_password"]
        if not APP_PASSWORD.match(password):
            # A main password would work too, and would give the platform the whole account.
            raise forms.ValidationError(
                _(
                    "This does not look like an app password (four groups of four letters or digits, "
                    "like abcd-efgh-ijkl-mnop). Never enter your main Bluesky password here."
                )
            )
        return password

    def clean_pds_url(self) -> str:
        return self.cleaned_data["pds_url"].strip() or DEFAULT_PDS


class MastodonConnectForm(forms.Form):
    instance_url = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=255,
        help_text=_("The address of the server your account is on, for example mastodon.social."),
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "spellcheck": "false"}),
    )


class NetworkAppForm(forms.Form):
    client_id = forms.CharField(label=_("Client id"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        help_text=_("Leave empty to keep the secret already saved."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
