from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Organization, Role, Team


class TeamChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, initial=[Role.EMPLOYEE], widget=forms.CheckboxSelectMultiple
    )
    teams = TeamChoiceField(label=_("Teams"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organization=organization).order_by("name")


class MemberForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    teams = TeamChoiceField(label=_("Teams"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organization=organization).order_by("name")


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: name, email, team, roles. Separate several teams or roles with “;”."),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(label=_("Parent team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Team.objects.filter(organization=organization).order_by("name")


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "language", "formats", "timezone", "require_mfa_for_admins"]


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        from employees.models import User

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class OffboardForm(forms.Form):
    """Offboarding cannot be undone: the admin types the person's email to confirm."""

    confirm_email = forms.CharField(label=_("Type the person's email address to confirm"), max_length=254, strip=True)

    def __init__(self, *args, email: str, **kwargs) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_confirm_email(self) -> str:
        value = self.cleaned_data["confirm_email"]
        if value.lower() != self.email.lower():
            raise forms.ValidationError(_("That is not this person's email address."))
        return value
