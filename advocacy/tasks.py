"""Sharing tasks: push, release scheduled shares, sweep shares a dead worker left behind."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from advocacy import services

logger = logging.getLogger(__name__)


# A lost database connection (the worker keeps its connections between tasks) is
# transient: the next attempt reconnects. Retrying is safe at any point, since a
# push claims its share before posting and posts with the share's idempotency key.
@shared_task(
    soft_time_limit=45,
    time_limit=60,
    autoretry_for=(InterfaceError, OperationalError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def share_push_task(share_id: int) -> str:
    return services.share_push(share_id=share_id)


@shared_task
def shares_release_due_task() -> int:
    return services.shares_release_due()


@shared_task
def shares_requeue_stuck_task() -> int:
    count = services.shares_requeue_stuck()
    if count:
        logger.warning("Re-queued %d shares left behind by a worker or a lost message", count)
    return count
