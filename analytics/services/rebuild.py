"""Rebuilding the rollups from the raw rows: the same deltas the incremental path books,
recomputed from shares, every engagement snapshot and every ingested click."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from advocacy.models import Click, Share
from analytics.models import ROLLUP_MODELS, EngagementSnapshot, ShareMetrics
from analytics.services.rollups import (
    CHUNK,
    CLICK_CURSOR,
    INGEST_LOCK,
    RollupBook,
    batched,
    dims_of,
    job_lock,
    rollups_version_bump,
    share_clicks_add,
    share_deltas,
    share_dims,
    shares_enrol,
    snapshot_apply,
)
from employees.models import Organization


@dataclass
class RebuildResult:
    organizations: int = 0
    shares: int = 0
    snapshots: int = 0
    clicks: int = 0


RESET_FIELDS = [
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
    "clicks",
    "unique_clicks",
]


def rollups_rebuild(*, organization_id: int | None = None, now: datetime | None = None) -> RebuildResult:
    """Recompute every rollup (and the counters on ShareMetrics) from the raw rows.

    Shares posted but not yet enrolled are enrolled first. Clicks are read up to the
    click cursor, so the next incremental run continues exactly where this ends.
    """
    now = now or timezone.now()
    result = RebuildResult()
    with transaction.atomic():
        job_lock(INGEST_LOCK)
        position = job_lock(CLICK_CURSOR).position
        book = RollupBook()
        candidates = Share.objects.filter(status=Share.Status.POSTED, posted_at__isnull=False, metrics__isnull=True)
        if organization_id is not None:
            candidates = candidates.filter(organization_id=organization_id)
        # Booked deltas of newly enrolled shares are thrown away with the rest below.
        shares_enrol(candidates, now=now, book=RollupBook(book.zones), click_position=0)
        organizations = Organization.objects.order_by("id").values_list("id", flat=True)
        if organization_id is not None:
            organizations = organizations.filter(pk=organization_id)
        for org_id in organizations:
            result.organizations += 1
            for model in ROLLUP_MODELS:
                model.objects.filter(organization_id=org_id).delete()
            _rebuild_shares(org_id, book, result)
            _rebuild_clicks(org_id, position, book, result)
            # Also when nothing was booked: the deleted rows were read before.
            rollups_version_bump(organization_ids=[org_id], settled_ids=[org_id])
    return result


def _rebuild_shares(org_id: int, book: RollupBook, result: RebuildResult) -> None:
    share_ids = list(
        ShareMetrics.objects.select_for_update()
        .filter(organization_id=org_id)
        .order_by("share_id")
        .values_list("share_id", flat=True)
    )
    for chunk in batched(share_ids, CHUNK):
        rows = {row.share_id: row for row in ShareMetrics.objects.filter(share_id__in=chunk).select_related("share")}
        for metrics in rows.values():
            for name in RESET_FIELDS:
                setattr(metrics, name, None if name == "impressions" else 0)
            book.add(
                dims_of(metrics),
                metrics.posted_at,
                **share_deltas(
                    member_id=metrics.member_id,
                    measured=metrics.measured,
                    twist=metrics.share.twist,
                    followers_at_share=metrics.share.followers_at_share,
                ),
            )
        snapshots = EngagementSnapshot.objects.filter(share_id__in=chunk).order_by("share_id", "at", "id")
        for snapshot in snapshots.iterator(chunk_size=CHUNK):
            snapshot_apply(rows[snapshot.share_id], snapshot, book)
            result.snapshots += 1
        result.shares += len(rows)
        book.flush()
        ShareMetrics.objects.bulk_update(list(rows.values()), RESET_FIELDS)


def _rebuild_clicks(org_id: int, position: int, book: RollupBook, result: RebuildResult) -> None:
    clicks = (
        Click.objects.filter(link__organization_id=org_id, link__share__isnull=False, is_bot=False, id__lte=position)
        .order_by("link_id", "id")
        .values_list("link_id", "link__share_id", "at", "visitor")
    )
    seen: set[str] = set()
    current_link = None
    for chunk in batched(clicks.iterator(chunk_size=CHUNK), CHUNK):
        dims = share_dims(row[1] for row in chunk)
        counts: defaultdict[int, Counter] = defaultdict(Counter)
        for link_id, share_id, at, visitor in chunk:
            if link_id != current_link:
                # Clicks come ordered by link: a visitor seen on another link does not count.
                current_link, seen = link_id, set()
            unique = not visitor or visitor not in seen
            seen.add(visitor)
            book.add(dims[share_id], at, clicks=1, unique_clicks=int(unique))
            counts[share_id].update(clicks=1, unique_clicks=int(unique))
            result.clicks += 1
        book.flush()
        share_clicks_add(counts)
