"""The audit log: one call records who did what to which object."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
