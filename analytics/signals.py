"""Receivers that move the people version on (analytics.models.RollupVersion).

The dashboard's team table, distribution, adoption and a manager's figures depend on
who is in the organization and in which team as well as on the rollups; they are
cached under both versions (analytics/selectors/cached.py). Every change of a person,
a team, a team link or a profile's connection moves the people version on, in the
changing transaction, so that a reader who sees the change also sees the new version.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from analytics.models import RollupVersion


def people_version_bump(*, organization_id: int | None) -> None:
    """Cached figures that depend on the organization's people and teams are stale now."""
    if organization_id is None:
        return
    # Nothing is cached before the first rollup write (no row): nothing to do then.
    RollupVersion.objects.filter(organization_id=organization_id).update(people_version=F("people_version") + 1)


def _row_changed(sender, instance, **kwargs) -> None:
    people_version_bump(organization_id=instance.organization_id)


def _links_changed(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        people_version_bump(organization_id=instance.organization_id)


def _profile_state_changed(sender, organization_id: int, **kwargs) -> None:
    people_version_bump(organization_id=organization_id)


def connect() -> None:
    from employees.models import Membership, Team
    from employees.signals import profile_state_changed

    for model in (Membership, Team):
        for signal in (post_save, post_delete):
            signal.connect(_row_changed, sender=model, dispatch_uid=f"analytics.people.{model.__name__}")
    m2m_changed.connect(_links_changed, sender=Membership.teams.through, dispatch_uid="analytics.people.links")
    profile_state_changed.connect(_profile_state_changed, dispatch_uid="analytics.people.profiles")
