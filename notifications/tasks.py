"""Notification background work. Beat entries are declared in config/celery.py."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task

logger = logging.getLogger(__name__)

# Every task has a time limit; planning over a whole audience gets longer.
QUICK = {"soft_time_limit": 60, "time_limit": 90}
LONG = {"soft_time_limit": 120, "time_limit": 150}
# Sending one message: retried with backoff and a cap when the network failed on the way
# (errors known to pass); the services' own waits (Retry-After) share the same cap.
MAX_RETRIES = 5
SENDING = QUICK | {
    "bind": True,
    "autoretry_for": (ConnectionError, TimeoutError, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "max_retries": MAX_RETRIES,
}


def _queue(task, ids: Iterable[int]) -> int:
    """Queue one `task` per id; how many were queued."""
    count = 0
    for row_id in ids:
        task.delay(row_id)
        count += 1
    return count


@shared_task(**LONG)
def post_published_notify_task(post_id: int) -> int:
    """Plan the messages about a published post and queue each one."""
    from notifications.services import channels, deliveries

    planned = _queue(delivery_send_task, deliveries.post_published_fan_out(post_id=post_id))
    return planned + _queue(channel_message_send_task, channels.post_channels_plan(post_id=post_id))


@shared_task(**QUICK)
def share_failed_notify_task(share_id: int) -> int:
    """Tell the person whose share failed, on the channels they chose."""
    from notifications.services import deliveries

    return _queue(delivery_send_task, deliveries.share_failed_fan_out(share_id=share_id))


@shared_task(**QUICK)
def weekly_impact_notify_task(membership_id: int, week: str) -> int:
    """The weekly impact note by push and Slack, queued with the person's weekly digest."""
    from datetime import date

    from notifications.services import deliveries

    planned = deliveries.weekly_impact_fan_out(membership_id=membership_id, week=date.fromisoformat(week))
    return _queue(delivery_send_task, planned)


@shared_task(**SENDING)
def delivery_send_task(self, delivery_id: int) -> None:
    from notifications.services import deliveries

    wait = deliveries.delivery_send(delivery_id=delivery_id)
    if wait is not None:
        # The push service asked for a pause (429 with Retry-After, or a 5xx).
        raise self.retry(countdown=wait, max_retries=MAX_RETRIES)


@shared_task(**SENDING)
def channel_message_send_task(self, message_id: int) -> None:
    from notifications.services import channels

    wait = channels.channel_message_send(message_id=message_id)
    if wait is not None:
        # Slack or Teams answered 429 with Retry-After (or could not be reached).
        raise self.retry(countdown=min(wait, channels.BROKER_WAIT_LIMIT), max_retries=MAX_RETRIES)


@shared_task(**QUICK)
def deliveries_release_due_task() -> int:
    """Beat, every minute: messages whose quiet hours or wait ended, and lost ones."""
    from notifications.services import channels, deliveries

    due = _queue(delivery_send_task, deliveries.deliveries_due())
    return due + _queue(channel_message_send_task, channels.channel_messages_due())


@shared_task(**LONG)
def daily_emails_send_due_task() -> int:
    """Beat, hourly: the daily email of new posts, at each organization's digest hour."""
    from notifications.services import deliveries

    return _queue(delivery_send_task, deliveries.daily_emails_plan())
