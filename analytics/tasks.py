"""Analytics background work. Beat entries are declared in config/celery.py."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from analytics.services import audience, freshness, pull, rollups

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=120, time_limit=150)
def rollups_update_task() -> int:
    """Beat, every few minutes: enrol newly posted shares and ingest new clicks."""
    result = rollups.rollups_update()
    return result.enrolled + result.clicks


@shared_task(soft_time_limit=600, time_limit=660)
def shares_enrol_sweep_task() -> int:
    """Beat, daily: enrol any posted share the recent-only enrolment missed."""
    return rollups.rollups_update(enrol_since=None).enrolled


@shared_task(soft_time_limit=120, time_limit=150)
def engagement_pull_due_task() -> int:
    """Beat: claim the shares due for a reading and queue one job per group of batches."""
    rollups.rollups_update(enrol_since=timedelta(days=3))
    jobs = pull.engagement_pull_plan()
    for job in jobs:
        engagement_pull_job_task.delay(job.organization_id, job.network, job.scope, job.share_ids, job.claim)
    if jobs:
        logger.info("Queued %d engagement pull jobs", len(jobs))
    return len(jobs)


@shared_task(soft_time_limit=270, time_limit=300)
def engagement_pull_job_task(organization_id: int, network: str, scope: str, share_ids: list[int], claim: str) -> int:
    outcome = pull.engagement_pull_job(
        organization_id=organization_id, network=network, scope=scope, share_ids=share_ids, claim=claim
    )
    if outcome.read:
        # The readings are booked already; a run now brings in the clicks and new shares
        # too, so the pages are up to date right after a pull, not on beat's next run.
        freshness.rollup_soon(reason="pull")
    return outcome.read


@shared_task(soft_time_limit=300, time_limit=360)
def audience_snapshot_task() -> int:
    """Beat, daily after the profiles' follower counts are refreshed."""
    return audience.audience_snapshot()


@shared_task(soft_time_limit=120, time_limit=150)
def digests_send_due_task() -> int:
    """Beat, hourly: queue the digests due at this hour in each organization's time zone."""
    from analytics.services import digests
    from notifications.tasks import weekly_impact_notify_task

    due = digests.digests_due()
    for item in due:
        digest_send_task.delay(item.membership_id, item.kind, item.week.isoformat())
        # The weekly impact note by push and Slack goes out with the digest (once per week).
        weekly_impact_notify_task.delay(item.membership_id, item.week.isoformat())
    return len(due)


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def digest_send_task(membership_id: int, kind: str, week: str) -> bool:
    from datetime import date

    from analytics.services import digests

    return digests.digest_send(membership_id=membership_id, kind=kind, week=date.fromisoformat(week))
