"""The control dial on the organization settings page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from content.dial import Control, Dial, dial_of, dial_set, pending_employee_posts, pending_note
from employees.access import membership_required
from employees.models import Role


class DialForm(forms.Form):
    control = forms.ChoiceField(
        label=gettext_lazy("Control dial"), choices=Control.choices, widget=forms.RadioSelect, required=True
    )


def dial_panel(membership) -> dict:
    """The settings page's dial section: the positions, the pending posts, and the distribution index."""
    from analytics.forms import filters_from
    from analytics.selectors.distribution import distribution_trail
    from analytics.selectors.overview import baran_for
    from analytics.selectors.scope import Scope

    organization = membership.organization
    pending = pending_employee_posts(organization=organization).count()
    scope = Scope(organization.id, None)
    filters, _form = filters_from({}, scope=scope, organization=organization)
    trail = distribution_trail(scope=scope, filters=filters)
    positions = [
        {
            "value": value,
            "dial": Dial(value),
            "current": value == organization.control,
            "pending_note": pending_note(position=value, pending=pending),
        }
        for value in Control.values
    ]
    return {
        "dial": dial_of(organization),
        "dial_positions": positions,
        "dial_pending": pending,
        "dial_distribution": trail[-1].distribution,
        "dial_baran": baran_for(trail),
        "dial_filters": filters,
    }


@membership_required(Role.ADMIN)
@require_POST
def control_dial(request):
    form = DialForm(request.POST)
    organization = request.membership.organization
    if not form.is_valid():
        messages.error(request, _("Choose centralized, decentralized or distributed."))
        return redirect("employees:organization_settings")
    try:
        dial_set(organization=organization, actor=request.user, position=form.cleaned_data["control"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("employees:organization_settings")
    dial = dial_of(organization)
    messages.success(request, _("The control dial is now at %(position)s.") % {"position": dial.label})
    note = pending_note(position=dial.position, pending=pending_employee_posts(organization=organization).count())
    if note:
        messages.info(request, note)
    return redirect("employees:organization_settings")
