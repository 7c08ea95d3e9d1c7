"""A person's choice to be listed on the leaderboard in works-council mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from analytics.models import LeaderboardOptIn
from employees.audit import audit_record
from employees.models import AuditEvent

if TYPE_CHECKING:
    from employees.models import Membership


@transaction.atomic
def leaderboard_opt_in_set(*, membership: Membership, listed: bool, actor) -> bool:
    """List the person on the leaderboard or take them off it; returns whether it changed."""
    if listed:
        _row, changed = LeaderboardOptIn.objects.get_or_create(
            membership=membership, defaults={"organization_id": membership.organization_id}
        )
    else:
        deleted, _by_model = LeaderboardOptIn.objects.filter(
            organization_id=membership.organization_id, membership=membership
        ).delete()
        changed = deleted > 0
    if changed:
        audit_record(
            organization=membership.organization_id,
            actor=actor,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            target="leaderboard listing",
            detail={"settings": "leaderboard_opt_in", "listed": listed},
        )
    return changed
