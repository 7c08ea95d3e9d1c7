"""The notification tasks' limits and retries, declared once and carried by each task."""

from __future__ import annotations

from notifications import tasks

PLANNERS = (
    tasks.post_published_notify_task,
    tasks.share_failed_notify_task,
    tasks.weekly_impact_notify_task,
    tasks.deliveries_release_due_task,
    tasks.daily_emails_send_due_task,
)
SENDERS = (tasks.delivery_send_task, tasks.channel_message_send_task)


def test_every_notification_task_has_a_time_limit_above_its_soft_limit():
    for task in PLANNERS + SENDERS:
        assert 0 < task.soft_time_limit < task.time_limit, task.name


def test_the_senders_retry_network_errors_with_backoff_and_a_cap():
    for task in SENDERS:
        assert set(task.autoretry_for) == {ConnectionError, TimeoutError, OSError}, task.name
        assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (60, 900, 5), task.name


def test_the_planners_do_not_retry_on_their_own():
    for task in PLANNERS:
        assert not getattr(task, "autoretry_for", ()), task.name
