"""The Celery app. Its periodic schedule is declared here, in one place."""

from __future__ import annotations

import os

from celery import Celery, signals
from celery.schedules import crontab

from analytics import schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask adds delay_on_commit()/apply_async_on_commit(): a task that reads rows
# written by the caller must only be queued once those rows are committed.
app = Celery("advocacy", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # A task is acknowledged only when it has finished, and given back to the queue
    # when its worker dies, so a killed worker loses nothing.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=90,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # Beat touches its heartbeat file on every tick (config/heartbeat.py) and ticks
    # at least once a minute, so a healthcheck can tell a stuck beat by the file's age.
    beat_scheduler="config.heartbeat:HeartbeatScheduler",
    beat_max_interval=60,
)

# Celery's Django fixup closes every database connection before and after each task,
# so each task opened a new PostgreSQL connection (most of a share's database time).
# The worker keeps them instead, by the rules Django applies around a web request
# (below); the fixup itself then closes them only once every this many tasks. A
# connection that died while the worker was idle fails its next task, which the
# push task retries (advocacy/tasks.py).
app.conf.CELERY_DB_REUSE_MAX = 1000


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """As around a web request: close connections that are broken or older than CONN_MAX_AGE."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return  # run inside the caller, whose connection and transaction these are
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_ready.connect
@signals.beat_init.connect
def _warn_about_embedded_defaults(sender=None, **kwargs) -> None:
    from config.startup import embedded_defaults_warn

    embedded_defaults_warn()


# Sent every minute. Their routine log lines (beat sending them, the worker receiving and
# finishing them) are logged at DEBUG (config/logs.py), so that a terminal stays quiet.
EVERY_MINUTE = {
    "publish-due-posts": "content.tasks.posts_publish_due_task",
    "expire-due-posts": "content.tasks.posts_expire_due_task",
    "release-scheduled-shares": "advocacy.tasks.shares_release_due_task",
    "requeue-stuck-shares": "advocacy.tasks.shares_requeue_stuck_task",
    "release-notifications": "notifications.tasks.deliveries_release_due_task",
}

app.conf.beat_schedule = {
    **{name: {"task": task, "schedule": crontab()} for name, task in EVERY_MINUTE.items()},
    "daily-new-post-emails": {
        "task": "notifications.tasks.daily_emails_send_due_task",
        "schedule": crontab(minute=5),
    },
    "refresh-profile-tokens": {
        "task": "employees.profiles.tasks.profiles_refresh_due_task",
        "schedule": crontab(minute=7),
    },
    "snapshot-profile-audiences": {
        "task": "employees.profiles.tasks.profiles_audience_snapshot_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Also queued right after a pull, a posted share and a burst of clicks (analytics/services/freshness.py).
    "update-rollups": {
        "task": "analytics.tasks.rollups_update_task",
        "schedule": crontab(minute=f"*/{schedule.ROLLUP_EVERY_MINUTES}"),
    },
    "pull-engagement": {
        "task": "analytics.tasks.engagement_pull_due_task",
        "schedule": crontab(minute=f"*/{schedule.PULL_EVERY_MINUTES}"),
    },
    "enrol-shares-sweep": {"task": "analytics.tasks.shares_enrol_sweep_task", "schedule": crontab(hour=2, minute=15)},
    "snapshot-audiences": {"task": "analytics.tasks.audience_snapshot_task", "schedule": crontab(hour=4, minute=30)},
    "send-digests": {"task": "analytics.tasks.digests_send_due_task", "schedule": crontab(minute=5)},
    "poll-feed-sources": {"task": "content.tasks.feed_sources_poll_task", "schedule": crontab(minute="*/15")},
    "expire-invitations": {
        "task": "employees.tasks.invitations_expire_task",
        "schedule": crontab(minute="*/15"),
    },
}

app.autodiscover_tasks()
