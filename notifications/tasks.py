"""Notification background work. Beat entries are declared in config/celery.py."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=120, time_limit=150)
def post_published_notify_task(post_id: int) -> int:
    """Plan the messages about a published post and queue each one."""
    from notifications.services import channels, deliveries

    planned = deliveries.post_published_fan_out(post_id=post_id)
    for delivery_id in planned:
        delivery_send_task.delay(delivery_id)
    messages = channels.post_channels_plan(post_id=post_id)
    for message_id in messages:
        channel_message_send_task.delay(message_id)
    return len(planned) + len(messages)


@shared_task(soft_time_limit=60, time_limit=90)
def share_failed_notify_task(share_id: int) -> int:
    """Tell the person whose share failed, on the channels they chose."""
    from notifications.services import deliveries

    planned = deliveries.share_failed_fan_out(share_id=share_id)
    for delivery_id in planned:
        delivery_send_task.delay(delivery_id)
    return len(planned)


@shared_task(soft_time_limit=60, time_limit=90)
def weekly_impact_notify_task(membership_id: int, week: str) -> int:
    """The weekly impact note by push and Slack, queued with the person's weekly digest."""
    from datetime import date

    from notifications.services import deliveries

    planned = deliveries.weekly_impact_fan_out(membership_id=membership_id, week=date.fromisoformat(week))
    for delivery_id in planned:
        delivery_send_task.delay(delivery_id)
    return len(planned)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def delivery_send_task(self, delivery_id: int) -> None:
    from notifications.services import deliveries

    wait = deliveries.delivery_send(delivery_id=delivery_id)
    if wait is not None:
        # The push service asked for a pause (429 with Retry-After, or a 5xx).
        raise self.retry(countdown=wait, max_retries=5)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def channel_message_send_task(self, message_id: int) -> None:
    from notifications.services import channels

    wait = channels.channel_message_send(message_id=message_id)
    if wait is not None:
        # Slack or Teams answered 429 with Retry-After (or could not be reached).
        raise self.retry(countdown=min(wait, channels.BROKER_WAIT_LIMIT), max_retries=5)


@shared_task(soft_time_limit=60, time_limit=90)
def deliveries_release_due_task() -> int:
    """Beat, every minute: messages whose quiet hours or wait ended, and lost ones."""
    from notifications.services import channels, deliveries

    due = deliveries.deliveries_due()
    for delivery_id in due:
        delivery_send_task.delay(delivery_id)
    lost = channels.channel_messages_due()
    for message_id in lost:
        channel_message_send_task.delay(message_id)
    return len(due) + len(lost)


@shared_task(soft_time_limit=120, time_limit=150)
def daily_emails_send_due_task() -> int:
    """Beat, hourly: the daily email of new posts, at each organization's digest hour."""
    from notifications.services import deliveries

    planned = deliveries.daily_emails_plan()
    for delivery_id in planned:
        delivery_send_task.delay(delivery_id)
    return len(planned)
