"""A person's notification preferences, and the organization's defaults (admins)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from employees.access import membership_required
from employees.models import Role
from notifications.forms import GridForm, PreferencesForm
from notifications.models import Channel
from notifications.selectors import organization_defaults, preferences_for, push_subscriptions_for
from notifications.services.preferences import organization_defaults_save, preferences_save
from notifications.services.push import vapid_configured


@membership_required()
def notification_preferences(request):
    membership = request.membership
    current = preferences_for(membership=membership)
    initial = {
        "language": current.chosen_language,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
    }
    form = PreferencesForm(
        request.POST or None, grid=current.grid, new_post_email=current.new_post_email, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences_save(
                membership=membership,
                grid=form.cleaned_grid(),
                new_post_email=form.cleaned_data["new_post_email"],
                language=form.cleaned_data["language"] or "",
                quiet_start=form.cleaned_data["quiet_start"],
                quiet_end=form.cleaned_data["quiet_end"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Notification preferences saved."))
            return redirect("notifications:notification_preferences")
    context = {
        "form": form,
        "preferences": current,
        "channels": Channel.choices,
        "devices": push_subscriptions_for(membership=membership),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if vapid_configured() else "",
    }
    return render(request, "notifications/preferences.html", context)


@membership_required(Role.ADMIN)
def notification_defaults(request):
    organization = request.membership.organization
    defaults = organization_defaults(organization=organization)
    form = GridForm(request.POST or None, grid=defaults.grid, new_post_email=defaults.new_post_email)
    if request.method == "POST" and form.is_valid():
        organization_defaults_save(
            organization=organization,
            grid=form.cleaned_grid(),
            new_post_email=form.cleaned_data["new_post_email"],
            actor=request.user,
        )
        messages.success(request, _("Notification defaults saved."))
        return redirect("notifications:notification_defaults")
    return render(request, "notifications/defaults.html", {"form": form, "channels": Channel.choices})
