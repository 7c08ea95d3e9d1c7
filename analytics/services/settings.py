"""Saving an organization's analytics settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from employees.audit import audit_record
from employees.models import AuditEvent

if TYPE_CHECKING:
    from analytics.forms import AnalyticsSettingsForm
    from analytics.models import AnalyticsSettings


@transaction.atomic
def analytics_settings_save(*, form: AnalyticsSettingsForm, actor) -> AnalyticsSettings:
    """Save a valid settings form (rates included) and record who changed what."""
    settings = form.save(commit=False)
    settings.emv_rates = form.rates()
    settings.save()
    audit_record(
        organization=settings.organization_id,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        target="analytics settings",
        detail={
            "changed": sorted(form.changed_data),
            **(
                {"works_council": settings.works_council, "council_min_team_size": settings.council_min_team_size}
                if {"works_council", "council_min_team_size"} & set(form.changed_data)
                else {}
            ),
        },
    )
    return settings
