"""Saving a person's preferences and an organization's defaults."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from employees.audit import audit_record
from employees.models import AuditEvent, Membership, Organization, User
from notifications.models import Channel, EmailFrequency, Event, MemberPreferences, OrganizationDefaults


def _clean_grid(grid: dict) -> dict[str, dict[str, bool]]:
    return {
        event: {channel: bool(grid.get(event, {}).get(channel)) for channel in Channel.values} for event in Event.values
    }


def _check_frequency(value: str) -> None:
    if value not in EmailFrequency.values:
        raise ValidationError(_("Choose how often new posts are emailed."))


def preferences_save(
    *,
    membership: Membership,
    grid: dict,
    new_post_email: str,
    language: str = "",
    quiet_start: int | None = None,
    quiet_end: int | None = None,
) -> MemberPreferences:
    _check_frequency(new_post_email)
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError(_("Give both the start and the end of your quiet hours, or neither."))
    for hour in (quiet_start, quiet_end):
        if hour is not None and not 0 <= hour <= 23:
            raise ValidationError(_("Quiet hours are whole hours from 0 to 23."))
    preferences, _created = MemberPreferences.objects.update_or_create(
        membership=membership,
        defaults={
            "grid": _clean_grid(grid),
            "new_post_email": new_post_email,
            "language": language,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
    return preferences


def preferences_unsubscribe_email(*, membership: Membership) -> None:
    """What the one-click unsubscribe does: no more email about new posts."""
    from notifications.selectors import preferences_for

    current = preferences_for(membership=membership)
    preferences_save(
        membership=membership,
        grid=current.grid,
        new_post_email=EmailFrequency.OFF,
        language=current.chosen_language,
        quiet_start=current.quiet_start,
        quiet_end=current.quiet_end,
    )


def preferences_unsubscribe_event_email(*, membership: Membership, event: str) -> None:
    """What a one-click unsubscribe from another email (failed shares) does: that cell off."""
    from notifications.selectors import preferences_for

    current = preferences_for(membership=membership)
    grid = {name: dict(row) for name, row in current.grid.items()}
    grid.setdefault(event, {})[Channel.EMAIL] = False
    preferences_save(
        membership=membership,
        grid=grid,
        new_post_email=current.new_post_email,
        language=current.chosen_language,
        quiet_start=current.quiet_start,
        quiet_end=current.quiet_end,
    )


def organization_defaults_save(
    *, organization: Organization, grid: dict, new_post_email: str, actor: User
) -> OrganizationDefaults:
    _check_frequency(new_post_email)
    defaults, _created = OrganizationDefaults.objects.update_or_create(
        organization=organization, defaults={"grid": _clean_grid(grid), "new_post_email": new_post_email}
    )
    audit_record(
        organization=organization, actor=actor, action=AuditEvent.Action.SETTINGS_CHANGED, target="notifications"
    )
    return defaults
