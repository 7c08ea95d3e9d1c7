"""The audit log: one call records who did what to which object."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from employees.models import AuditEvent

if TYPE_CHECKING:
    from employees.models import Organization, User


def audit_record(
    *,
    organization: Organization | int,
    actor: User | None,
    action: str,
    target: str = "",
    detail: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Record an action. Call it inside the transaction that does the action.

    `actor_label` names an actor that is no person, such as an identity provider's
    SCIM token; without an actor or a label the action is the system's.
    """
    organization_id = organization if isinstance(organization, int) else organization.id
    label = f"{actor.get_full_name()} <{actor.email}>" if actor is not None else actor_label or "system"
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor,
        actor_label=label[:300],
        action=action,
        target=target[:300],
        detail=detail or {},
    )


def audit_anonymise_person(
    *, user: User, identifiers: list[str], membership_ids: list[int], profile_ids: list[int]
) -> int:
    """Remove a departed person's name, email and handles from their earlier events.

    The events stay (what was done, when, to which object); wherever the person is
    named, as actor or as target, the anonymous name they now have is shown instead.
    `identifiers` are the strings that named them: old name, email, account handles.
    Returns how many events changed.
    """
    label = str(user)
    # Bare numbers (some networks' account ids) would match unrelated ids and counts.
    identifiers = sorted(
        {value for value in identifiers if value and len(value) >= 3 and not value.isdigit()}, key=len, reverse=True
    )
    about_them = Q(actor=user) | Q(detail__membership_id__in=membership_ids) | Q(detail__profile_id__in=profile_ids)
    for value in identifiers:
        about_them |= Q(actor_label__icontains=value) | Q(target__icontains=value)
    changed = []
    events = AuditEvent.objects.filter(organization__memberships__user=user).filter(about_them).distinct()
    for event in events.iterator():
        before = (event.actor_label, event.target, event.detail)
        if event.actor_id == user.id:
            event.actor_label = label
        event.actor_label = _without(event.actor_label, identifiers, label)
        event.target = _without(event.target, identifiers, label)[:300]
        event.detail = _scrubbed(event.detail, identifiers, label)
        if (event.actor_label, event.target, event.detail) != before:
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["actor_label", "target", "detail"], batch_size=500)
    return len(changed)


def _without(text: str, identifiers: list[str], label: str) -> str:
    for value in identifiers:
        text = re.sub(re.escape(value), label, text, flags=re.IGNORECASE)
    return text


def _scrubbed(value: Any, identifiers: list[str], label: str) -> Any:
    if isinstance(value, str):
        return _without(value, identifiers, label)
    if isinstance(value, list):
        return [_scrubbed(item, identifiers, label) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, identifiers, label) for key, item in value.items()}
    return value
