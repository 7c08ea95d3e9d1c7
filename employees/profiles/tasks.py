"""Background work on connected profiles: token refresh, reconnect emails, audience."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from employees.profiles import selectors, services
from networks.base import RetryLater

logger = logging.getLogger(__name__)

__all__ = [
    "profile_audience_refresh_task",
    "profile_reconnect_notify_task",
    "profile_refresh_task",
    "profiles_audience_snapshot_task",
    "profiles_refresh_due_task",
]

# Networks say how long to wait; without a word from them, back off from a minute.
RETRY_BASE_SECONDS = 60
MAX_RETRIES = 5


def _countdown(error: RetryLater, retries: int) -> float:
    if error.retry_after is not None:
        return max(error.retry_after, 1.0)
    return RETRY_BASE_SECONDS * 2**retries


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=60, time_limit=90)
def profile_refresh_task(self, profile_id: int) -> None:
    try:
        services.profile_credentials_refresh(profile_id=profile_id)
    except RetryLater as error:
        raise self.retry(countdown=_countdown(error, self.request.retries)) from None


@shared_task(soft_time_limit=60, time_limit=90)
def profiles_refresh_due_task() -> int:
    """Beat: renew tokens expiring within a day; retire expired ones that cannot be renewed."""
    now = timezone.now()
    due = selectors.profile_ids_due_for_refresh(now=now)
    for profile_id in due:
        profile_refresh_task.delay(profile_id)
    for profile_id in selectors.profile_ids_expired_for_good(now=now):
        services.profile_mark_needs_reconnect(profile_id=profile_id, reason="the access token expired")
    if due:
        logger.info("Queued token refresh for %d social profiles", len(due))
    return len(due)


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def profile_reconnect_notify_task(profile_id: int) -> None:
    services.profile_reconnect_notify(profile_id=profile_id)


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def profile_audience_refresh_task(self, profile_id: int) -> None:
    try:
        services.profile_audience_refresh(profile_id=profile_id)
    except RetryLater as error:
        raise self.retry(countdown=_countdown(error, self.request.retries)) from None


@shared_task(soft_time_limit=60, time_limit=90)
def profiles_audience_snapshot_task() -> int:
    """Beat: read every active profile's follower count, one task per profile."""
    profile_ids = selectors.profile_ids_for_audience()
    for profile_id in profile_ids:
        profile_audience_refresh_task.delay(profile_id)
    return len(profile_ids)
