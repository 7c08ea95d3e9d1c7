"""The control dial: how much of its voice an organization hands to its people.

Three positions, after Paul Baran's networks of 1964:

- *centralized* (the default): the comms team writes the posts and ready captions;
  employees may suggest links, which need approval; shares carry the disclosure.
- *decentralized*: captions become prompts (a question to answer in one's own words,
  never text to copy); employees write posts for their colleagues, which the comms team
  or a manager of the author's team approves.
- *distributed*: no ready captions at all; employees publish their own posts to their
  teams or everyone without approval. The compliance rules still apply when a post is
  saved and when it is shared, every post is logged after the fact, and the comms team
  can take any of them down from the feed.

Turning the dial changes what the pages offer from then on; nothing already shared
changes, and employees' posts that await approval stay in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.audit import audit_record
from employees.models import AuditEvent, Organization

if TYPE_CHECKING:
    from employees.models import User

Control = Organization.Control

DESCRIPTIONS = {
    Control.CENTRALIZED: gettext_lazy(
        "The communications team writes the posts and ready captions. Employees may suggest links; "
        "their suggestions need approval. Shares carry the disclosure."
    ),
    Control.DECENTRALIZED: gettext_lazy(
        "Captions become prompts: questions such as “what changed for your team?” that each person answers "
        "in their own words. Employees write posts for their colleagues; the communications team or a manager "
        "of the author's team approves them."
    ),
    Control.DISTRIBUTED: gettext_lazy(
        "No ready captions. Employees publish their own posts to their teams or everyone without approval. "
        "Blocked phrases and the disclosure still apply when a post is saved and shared, every post is "
        "logged in the audit log, and the communications team can take any post down from the feed."
    ),
}


@dataclass(frozen=True)
class Dial:
    """What one position of the dial lets the pages offer."""

    position: str

    @property
    def label(self) -> str:
        return str(Control(self.position).label)

    @property
    def description(self) -> str:
        return str(DESCRIPTIONS[Control(self.position)])

    @property
    def ready_captions(self) -> bool:
        """Captions are text an employee may start from (a button that fills it in)."""
        return self.position == Control.CENTRALIZED

    @property
    def prompts(self) -> bool:
        """Captions are questions, shown as the comment's placeholder, never filled in."""
        return self.position == Control.DECENTRALIZED

    @property
    def captions_offered(self) -> bool:
        return self.position != Control.DISTRIBUTED

    @property
    def employees_write(self) -> bool:
        return self.position != Control.CENTRALIZED

    @property
    def needs_approval(self) -> bool:
        return self.position == Control.DECENTRALIZED


def dial_of(organization: Organization) -> Dial:
    position = organization.control if organization.control in Control.values else Control.CENTRALIZED
    return Dial(position)


def pending_employee_posts(*, organization: Organization):
    """Employees' posts awaiting approval (they stay whatever the dial says)."""
    from content.models import Post

    return Post.objects.filter(
        organization=organization, source=Post.Source.COLLEAGUE, status=Post.Status.PENDING_APPROVAL
    )


def pending_note(*, position: str, pending: int) -> str:
    """What happens to the posts awaiting approval if the dial is at `position`."""
    if not pending:
        return ""
    if position == Control.DECENTRALIZED:
        return _("%(count)s employee posts await approval; they stay in the approval queue.") % {"count": pending}
    return _(
        "%(count)s employee posts await approval. They stay in the approval queue: the communications team "
        "and the authors' managers can still approve or reject them; none is published without that."
    ) % {"count": pending}


@transaction.atomic
def dial_set(*, organization: Organization, actor: User, position: str) -> Organization:
    """Turn the dial; what was shared before stays as it is, and so do posts awaiting approval."""
    if position not in Control.values:
        raise ValidationError({"control": _("Choose centralized, decentralized or distributed.")})
    before = organization.control
    if before == position:
        return organization
    organization.control = position
    organization.save(update_fields=["control"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        target=organization.name,
        detail={
            "settings": "control",
            "changed": {"control": position},
            "before": before,
            "awaiting_approval": pending_employee_posts(organization=organization).count(),
        },
    )
    return organization
