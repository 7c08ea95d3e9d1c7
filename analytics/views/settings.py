"""The admins' analytics settings: refresh schedule, leaderboard, EMV rates, digests."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from analytics.emv import ACTIONS
from analytics.forms import AnalyticsSettingsForm
from analytics.selectors.settings import analytics_settings_get
from analytics.services.settings import analytics_settings_save
from employees.access import membership_required
from employees.models import Role


@membership_required(Role.ADMIN)
def analytics_settings(request):
    instance = analytics_settings_get(organization_id=request.membership.organization_id)
    form = AnalyticsSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        analytics_settings_save(form=form, actor=request.user)
        messages.success(request, _("Analytics settings saved."))
        return redirect("analytics:settings")
    return render(request, "analytics/settings.html", {"form": form, "actions": ACTIONS})
