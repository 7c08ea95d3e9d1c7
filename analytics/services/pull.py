"""Engagement pulls: read due shares' counts from their networks in the largest batches.

A cycle claims the shares that are due (a conditional update with a claim token, so
two cycles never read the same share), groups them by organization, network and
*reader scope*, and splits each group into jobs of whole API batches. Public posts on
Bluesky and X can be read with any of the organization's credentials on that network,
Mastodon statuses with any on the same server: one group per network (per server),
so n due shares cost ⌈n ÷ batch⌉ calls. LinkedIn only shows a member their own posts'
analytics: one group per profile there.

A job reads batch after batch with one reader; dead credentials hand over to the next
reader, a rate limit postpones the rest of the job until the network allows, and any
failure stays inside its job.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from advocacy.models import Share
from analytics.models import EngagementSnapshot, ShareMetrics
from analytics.selectors.settings import analytics_settings_get
from analytics.services.rollups import RollupBook, batched, measured_withdraw, next_pull_at, reading_record
from employees.models import SocialProfile
from employees.profiles import services as profile_services
from networks import get_adapter_class
from networks.base import MetricsReaders
from networks.errors import CredentialsDead, PermanentError, RetryLater, Unsupported

if TYPE_CHECKING:
    from networks.base import Adapter, PostMetrics

logger = logging.getLogger(__name__)

# A claimed share that no job finished (a worker died) is due again after this.
CLAIM_LEASE = timedelta(minutes=20)
# Without a Retry-After from the network, a rate-limited job waits this long.
DEFAULT_RETRY = timedelta(minutes=15)
# When no credentials can read a group, try again after this.
NO_READER_RETRY = timedelta(hours=1)
# API batches per job: long enough to be worth a task, short enough for its time limit.
BATCHES_PER_JOB = 20
# Reader credentials a job tries before it gives the rest back for later.
MAX_READERS = 3
SAVED_FIELDS = [
    "likes",
    "reposts",
    "replies",
    "quotes",
    "impressions",
    "peak_likes",
    "peak_reposts",
    "peak_replies",
    "peak_quotes",
    "peak_impressions",
    "measured",
    "next_pull_at",
    "claim",
    "last_pulled_at",
    "pulls",
    "misses",
    "pull_note",
    "pull_error",
]


@dataclass(frozen=True)
class PullJob:
    organization_id: int
    network: str
    scope: str
    share_ids: list[int]
    claim: str


@dataclass
class PullOutcome:
    calls: int = 0
    read: int = 0
    missing: int = 0
    deleted: int = 0
    postponed: int = 0
    clicks_only: int = 0
    failed_readers: list[int] = field(default_factory=list)


def reader_scope(*, network: str, profile_id: int, extra: dict | None) -> str:
    """Which credentials can read a share's post: any on the network, the server, or its own."""
    adapter = get_adapter_class(network)
    if adapter.metrics_readers == MetricsReaders.NETWORK:
        return ""
    if adapter.metrics_readers == MetricsReaders.SERVER:
        return adapter.server_of(extra or {})
    return f"profile:{profile_id}"


def engagement_pull_plan(*, now: datetime | None = None, limit: int = 50_000) -> list[PullJob]:
    """Claim the shares due for a reading and split them into jobs of whole batches."""
    now = now or timezone.now()
    due = (
        ShareMetrics.objects.filter(next_pull_at__lte=now, measured=True)
        .order_by("next_pull_at")
        .values("share_id")[:limit]
    )
    claim = uuid.uuid4()
    # One statement: the conditional update is the claim, so a share due in two
    # overlapping cycles goes to one of them.
    claimed = ShareMetrics.objects.filter(share_id__in=due, next_pull_at__lte=now, measured=True).update(
        claim=claim, next_pull_at=now + CLAIM_LEASE
    )
    if not claimed:
        return []
    rows = list(
        ShareMetrics.objects.filter(claim=claim).values_list(
            "share_id", "organization_id", "network", "share__profile_id"
        )
    )
    profile_extra = dict(SocialProfile.objects.filter(pk__in={row[3] for row in rows}).values_list("id", "extra"))
    groups: defaultdict[tuple[int, str, str], list[int]] = defaultdict(list)
    for share_id, org_id, network, profile_id in rows:
        scope = reader_scope(network=network, profile_id=profile_id, extra=profile_extra.get(profile_id))
        groups[(org_id, network, scope)].append(share_id)
    jobs = []
    for (org_id, network, scope), share_ids in sorted(groups.items()):
        per_job = get_adapter_class(network).metrics_batch_size * BATCHES_PER_JOB
        for chunk in batched(sorted(share_ids), per_job):
            jobs.append(PullJob(org_id, network, scope, list(chunk), str(claim)))
    return jobs


def _reader_ids(*, organization_id: int, network: str, scope: str, share_ids: list[int]) -> list[int]:
    """Profiles whose credentials may read this group: company ones first, then the sharers'."""
    if scope.startswith("profile:"):
        return [int(scope.removeprefix("profile:"))]
    profiles = SocialProfile.objects.filter(
        organization_id=organization_id, network=network, state=SocialProfile.State.ACTIVE
    ).exclude(access_token="")
    candidates = list(profiles.values_list("id", "owner_membership_id", "extra"))
    if get_adapter_class(network).metrics_readers == MetricsReaders.SERVER:
        candidates = [c for c in candidates if reader_scope(network=network, profile_id=c[0], extra=c[2]) == scope]
    sharers = set(Share.objects.filter(pk__in=share_ids).values_list("profile_id", flat=True))
    candidates.sort(key=lambda c: (c[1] is not None, c[0] not in sharers, c[0]))
    return [c[0] for c in candidates]


class _Reader:
    """One profile's adapter, opened when first needed and closed (credentials saved) at the end."""

    def __init__(self, profile_ids: list[int], outcome: PullOutcome) -> None:
        self.queue = list(profile_ids[:MAX_READERS])
        self.outcome = outcome
        self.profile: SocialProfile | None = None
        self.adapter: Adapter | None = None

    def current(self) -> Adapter | None:
        while self.adapter is None and self.queue:
            profile_id = self.queue.pop(0)
            try:
                self.profile, self.adapter = profile_services.profile_adapter_open(profile_id=profile_id)
            except CredentialsDead as error:
                self._dead(profile_id, error)
        return self.adapter

    def fail(self, error: CredentialsDead) -> None:
        profile_id = self.profile.pk if self.profile else None
        self.close()
        if profile_id is not None:
            self._dead(profile_id, error)

    def _dead(self, profile_id: int, error: CredentialsDead) -> None:
        self.outcome.failed_readers.append(profile_id)
        if not isinstance(error, profile_services.ProfileUnavailable):
            profile_services.profile_mark_needs_reconnect(profile_id=profile_id, reason=str(error))

    def close(self) -> None:
        if self.adapter is not None:
            try:
                profile_services.profile_save_credentials(profile=self.profile, adapter=self.adapter)
            finally:
                self.adapter.close()
        self.profile = self.adapter = None


def engagement_pull_job(
    *,
    organization_id: int,
    network: str,
    scope: str,
    share_ids: list[int],
    claim: str,
    now: datetime | None = None,
) -> PullOutcome:
    """Read one job's shares, one API call per batch, and record what came back."""
    now = now or timezone.now()
    outcome = PullOutcome()
    remote_ids = dict(
        ShareMetrics.objects.filter(share_id__in=share_ids, claim=claim)
        .order_by("share_id")
        .values_list("share_id", "share__remote_id")
    )
    if not remote_ids:
        return outcome  # another cycle took these shares over after our lease ran out
    batches = list(batched(list(remote_ids.items()), get_adapter_class(network).metrics_batch_size))
    reader = _Reader(
        _reader_ids(organization_id=organization_id, network=network, scope=scope, share_ids=list(remote_ids)),
        outcome,
    )
    try:
        for position, batch in enumerate(batches):
            rest = [share_id for later in batches[position:] for share_id, _remote in later]
            if not _read_batch(batch, rest, reader=reader, claim=claim, now=now, outcome=outcome):
                logger.info("Engagement pull for %s stopped; %d shares wait", network, len(rest))
                break
    finally:
        reader.close()
    return outcome


def _read_batch(
    batch: tuple, rest: list[int], *, reader: _Reader, claim: str, now: datetime, outcome: PullOutcome
) -> bool:
    """Read one batch, handing over to the next reader on dead credentials.

    Returns False when the rest of the job must wait (rate limit, no working reader).
    """
    ids = [share_id for share_id, _remote in batch]
    while True:
        try:
            adapter = reader.current()
            if adapter is None:
                _postpone(rest, claim, until=now + NO_READER_RETRY, note=ShareMetrics.Note.NO_READER)
                outcome.postponed += len(rest)
                return False
            outcome.calls += 1
            readings = adapter.fetch_metrics([remote for _share, remote in batch])
        except CredentialsDead as error:
            reader.fail(error)
            continue
        except RetryLater as error:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else DEFAULT_RETRY
            _postpone(rest, claim, until=now + wait, note=ShareMetrics.Note.RATE_LIMITED)
            outcome.postponed += len(rest)
            return False
        except Unsupported:
            _clicks_only(ids, claim, now=now)
            outcome.clicks_only += len(ids)
            return True
        except PermanentError as error:
            logger.warning("Engagement pull failed: %s", error)
            _record(ids, claim, {}, now=now, note=ShareMetrics.Note.REFUSED, error=str(error), outcome=None)
            return True
        _record(ids, claim, {reading.remote_id: reading for reading in readings}, now=now, outcome=outcome)
        return True


def _postpone(share_ids: list[int], claim: str, *, until: datetime, note: str) -> None:
    ShareMetrics.objects.filter(share_id__in=share_ids, claim=claim).update(
        next_pull_at=until, claim=None, pull_note=note
    )


def _clicks_only(share_ids: list[int], claim: str, *, now: datetime) -> None:
    with transaction.atomic():
        book = RollupBook()
        rows = list(ShareMetrics.objects.select_for_update().filter(share_id__in=share_ids, claim=claim))
        for metrics in rows:
            measured_withdraw(metrics=metrics, book=book)
            metrics.next_pull_at = metrics.claim = None
            metrics.pull_note = ShareMetrics.Note.CLICKS_ONLY
        book.flush()
        ShareMetrics.objects.bulk_update(rows, SAVED_FIELDS)


def _record(
    share_ids: list[int],
    claim: str,
    readings: dict[str, PostMetrics],
    *,
    now: datetime,
    outcome: PullOutcome | None,
    note: str = "",
    error: str = "",
) -> None:
    """Store the readings of one batch: snapshots, metrics rows, rollups, next pull times."""
    with transaction.atomic():
        rows = list(
            ShareMetrics.objects.select_for_update()
            .filter(share_id__in=share_ids, claim=claim)
            .select_related("share")
            .order_by("share_id")
        )
        if not rows:
            return
        rules = analytics_settings_get(organization_id=rows[0].organization_id)
        book = RollupBook()
        snapshots, deleted = [], []
        for metrics in rows:
            metrics.claim = None
            reading = readings.get(metrics.share.remote_id)
            if reading is not None and reading.deleted:
                # Deleted on the network: keep its history, stop asking.
                deleted.append(metrics.share_id)
                metrics.next_pull_at = None
                metrics.pull_note = ShareMetrics.Note.DELETED
                continue
            metrics.next_pull_at = next_pull_at(posted_at=metrics.posted_at, now=now, rules=rules)
            if reading is None:
                metrics.misses += 1
                metrics.pull_note = note or ShareMetrics.Note.MISSING
                metrics.pull_error = error[:300]
                if outcome is not None:
                    outcome.missing += 1
                continue
            snapshots.append(reading_record(metrics=metrics, reading=reading, now=now, book=book))
            metrics.last_pulled_at = now
            metrics.pulls += 1
            metrics.misses = 0
            metrics.pull_note = metrics.pull_error = ""
        EngagementSnapshot.objects.bulk_create(snapshots)
        book.flush()
        ShareMetrics.objects.bulk_update(rows, SAVED_FIELDS)
        if deleted:
            Share.objects.filter(pk__in=deleted).update(metrics_deleted=True)
    if outcome is not None:
        outcome.read += len(snapshots)
        outcome.deleted += len(deleted)
