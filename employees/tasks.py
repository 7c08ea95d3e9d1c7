from __future__ import annotations

import logging

from celery import shared_task

from employees import services
from employees.models import Invitation

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def invitation_send_task(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id, status=Invitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        return
    services.invitation_send(invitation=invitation)


@shared_task
def invitations_expire_task() -> int:
    count = services.invitations_expire()
    if count:
        logger.info("Expired %d invitations", count)
    return count


from employees.profiles.tasks import *  # noqa: E402, F403
