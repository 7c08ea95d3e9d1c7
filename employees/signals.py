"""Receivers that keep denormalized flags and versions right whichever way a row changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# A profile was connected, disconnected, deleted, moved or marked as needing a
# reconnect: who counts as connected changed (`organization_id`). Analytics listens.
profile_state_changed = Signal()

# Saves that only renew credentials or refresh counts leave the connection as it was.
_CONNECTION_FIELDS = frozenset({"state", "owner_membership", "owner_membership_id", "network", "organization"})


def _profile_changed(sender, instance, **kwargs) -> None:
    from employees.profiles.services import reconnect_flag_sync

    reconnect_flag_sync(organization_id=instance.organization_id, owner_membership_id=instance.owner_membership_id)
    update_fields = kwargs.get("update_fields")
    if update_fields is None or _CONNECTION_FIELDS & set(update_fields):
        profile_state_changed.send(sender=sender, organization_id=instance.organization_id)


def _topics_changed(sender, instance, **kwargs) -> None:
    from content.selectors import topics_version_bump

    topics_version_bump(organization_id=instance.organization_id)


def connect() -> None:
    from content.models import Topic
    from employees.models import SocialProfile

    for signal in (post_save, post_delete):
        signal.connect(_profile_changed, sender=SocialProfile, dispatch_uid="employees.reconnect_flag")
        signal.connect(_topics_changed, sender=Topic, dispatch_uid="employees.topics_version")
