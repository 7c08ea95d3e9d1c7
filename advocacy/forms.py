from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ShareForm(forms.Form):
    profiles = forms.ModelMultipleChoiceField(
        label=_("Share to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one profile to share to.")},
    )
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Why does this matter to you?")}),
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Now")), ("later", _("Later"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    scheduled_for = forms.DateTimeField(
        label=_("Share at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    again = forms.BooleanField(required=False, widget=forms.HiddenInput)
    quote_company = forms.BooleanField(
        label=_("Share the company's post with my thoughts"),
        required=False,
        help_text=_(
            "Where the company's profile has posted this, your comment goes out as a quote of its post "
            "(a reshare on LinkedIn). Other profiles get the link."
        ),
    )

    def __init__(self, *args, profiles, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profiles"].queryset = profiles
        self.fields["profiles"].label_from_instance = lambda p: f"{p.get_network_display()} · {p.handle}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later" and not cleaned.get("scheduled_for"):
            self.add_error("scheduled_for", _("Choose when to share."))
        if cleaned.get("when") != "later":
            cleaned["scheduled_for"] = None
        return cleaned
