"""Rollups: additive deltas booked into the daily tables, incrementally or from scratch.

Every figure on the dashboard is a sum of deltas, each attributed to one local day
(in the organization's time zone) and one share's dimensions:

- a share, on the day it was posted: shares, potential reach (followers then),
  whether its engagement is measured, whether its comment is personal;
- a reading of its engagement: the rise of each count over the highest value seen
  before (a count that goes down is kept in the snapshot but never subtracted);
- a human click on its tracked link, and whether it was the visitor's first.

The incremental path (enrolment, pulls, click ingestion) and `rollups_rebuild` book
the same deltas, so both give the same rows.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Case, F, PositiveBigIntegerField, When
from django.utils import timezone

from advocacy.models import Click, Share
from analytics.models import (
    ROLLUP_MODELS,
    EngagementSnapshot,
    MemberDay,
    OrganizationDay,
    PostDay,
    PostMemberDay,
    RollupCursor,
    RollupVersion,
    ShareMetrics,
)
from analytics.selectors.settings import analytics_settings_get, is_pullable
from employees.models import Organization

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from analytics.models import AnalyticsSettings
    from networks.base import PostMetrics

# Clicks younger than this are left for the next run: a click row is written with
# its time just before its id is taken, so a row with a lower id than one already
# read could otherwise still be on its way to the database.
CLICK_LAG = timedelta(minutes=2)
INGEST_LOCK = "ingest"
CLICK_CURSOR = "clicks"
CHUNK = 2000
# Rows per INSERT statement: well inside SQLite's parameter limit.
UPSERT_ROWS = 500
ENGAGEMENT_FIELDS = ("likes", "reposts", "replies", "quotes")


def batched(iterable: Iterable, size: int) -> Iterator[tuple]:
    """itertools.batched, which arrives with Python 3.12."""
    iterator = iter(iterable)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class Dims:
    """Where a share's deltas go. member_id 0 is the company."""

    organization_id: int
    network: str
    post_id: int
    member_id: int

    @property
    def is_company(self) -> bool:
        return self.member_id == 0


class TimeZones:
    """Each organization's time zone, read once per run."""

    def __init__(self) -> None:
        self._zones: dict[int, zoneinfo.ZoneInfo] = {}

    def day(self, organization_id: int, moment: datetime) -> date:
        zone = self._zones.get(organization_id)
        if zone is None:
            name = Organization.objects.filter(pk=organization_id).values_list("timezone", flat=True).first()
            try:
                zone = zoneinfo.ZoneInfo(name or "UTC")
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo("UTC")
            self._zones[organization_id] = zone
        return moment.astimezone(zone).date()


class RollupBook:
    """Deltas collected per table key, written with one upsert per table and chunk."""

    def __init__(self, zones: TimeZones | None = None) -> None:
        self.zones = zones or TimeZones()
        self.rows: dict[type, defaultdict[tuple, Counter]] = {model: defaultdict(Counter) for model in ROLLUP_MODELS}
        self.withdrawn: dict[type, Counter] = {model: Counter() for model in ROLLUP_MODELS}

    def _keys(self, dims: Dims, moment: datetime) -> Iterator[tuple[type, tuple]]:
        day = self.zones.day(dims.organization_id, moment)
        org, network = dims.organization_id, dims.network
        yield OrganizationDay, (org, day, network, dims.is_company)
        if not dims.is_company:
            yield MemberDay, (org, day, network, dims.member_id)
        yield PostDay, (org, day, network, dims.post_id, dims.is_company)
        yield PostMemberDay, (org, day, network, dims.post_id, dims.member_id)

    def add(self, dims: Dims, moment: datetime, **measures: int) -> None:
        measures = {name: value for name, value in measures.items() if value}
        if not measures:
            return
        if any(value < 0 for value in measures.values()):
            raise ValueError(f"rollup deltas are never negative: {measures}")
        for model, key in self._keys(dims, moment):
            self.rows[model][key].update(measures)

    def withdraw_measured(self, dims: Dims, moment: datetime) -> None:
        """Take back one share counted as measured (rows that booked it exist already)."""
        for model, key in self._keys(dims, moment):
            self.withdrawn[model][key] += 1

    def flush(self) -> None:
        keys = [key for rows in (*self.rows.values(), *self.withdrawn.values()) for key in rows]
        changed = {key[0] for key in keys}
        now = timezone.now()
        settled = {
            org
            for org, day in {(key[0], key[1]) for key in keys}
            if day <= self.zones.day(org, now) - timedelta(days=RollupVersion.SETTLED_AFTER_DAYS)
        }
        for model, rows in self.rows.items():
            if rows:
                _upsert_add(model, rows)
            rows.clear()
        for model, rows in self.withdrawn.items():
            for key, count in rows.items():
                model.objects.filter(**dict(zip(model.KEY, key, strict=True)), measured_shares__gte=count).update(
                    measured_shares=F("measured_shares") - count
                )
            rows.clear()
        rollups_version_bump(organization_ids=changed, settled_ids=settled)


def rollups_version_bump(*, organization_ids: Iterable[int], settled_ids: Iterable[int] = ()) -> None:
    """Tell cached reads that these organizations' rollups changed, and for `settled_ids`
    also rows of settled days (inside the writer's transaction, so a reader never sees
    the new rows under the old version)."""
    settled_ids = set(settled_ids)
    organization_ids = sorted(set(organization_ids) | settled_ids)
    if not organization_ids:
        return
    RollupVersion.objects.bulk_create(
        [RollupVersion(organization_id=org_id) for org_id in organization_ids], ignore_conflicts=True
    )
    RollupVersion.objects.filter(organization_id__in=organization_ids).update(
        version=F("version") + 1,
        settled_version=Case(
            When(organization_id__in=settled_ids, then=F("settled_version") + 1),
            default=F("settled_version"),
            output_field=PositiveBigIntegerField(),
        ),
        changed_at=timezone.now(),
    )


def _upsert_add(model: type, rows: dict[tuple, Counter]) -> None:
    """INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m (PostgreSQL and SQLite alike)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    measures = model.MEASURES
    columns = [*model.KEY, *measures]
    column_list = ", ".join(quote(column) for column in columns)
    key_list = ", ".join(quote(column) for column in model.KEY)
    updates = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in measures)
    row_placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for chunk in batched(rows.items(), UPSERT_ROWS):
            params: list = []
            for key, counter in chunk:
                params.extend(key)
                params.extend(counter.get(measure, 0) for measure in measures)
            values = ", ".join([row_placeholder] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) VALUES {values} "  # noqa: S608 - names from models, values bound
                f"ON CONFLICT ({key_list}) DO UPDATE SET {updates}",
                params,
            )


def job_lock(name: str) -> RollupCursor:
    """A row lock that serialises one kind of job across workers (inside a transaction)."""
    RollupCursor.objects.get_or_create(name=name)
    return RollupCursor.objects.select_for_update().get(name=name)


# -- shares ---------------------------------------------------------------------------


def share_deltas(*, member_id: int, measured: bool, twist: str, followers_at_share: int | None) -> dict[str, int]:
    return {
        "shares": 1,
        "measured_shares": int(measured),
        "personal_shares": int(member_id != 0 and twist == Share.Twist.PERSONAL),
        "potential_reach": followers_at_share or 0,
    }


def next_pull_at(*, posted_at: datetime, now: datetime, rules: AnalyticsSettings) -> datetime | None:
    """When to read a share's engagement next: often while young, daily after, then never."""
    age = now - posted_at
    if age >= timedelta(days=rules.stop_after_days):
        return None
    if age < timedelta(hours=rules.young_hours):
        return now + timedelta(minutes=max(rules.young_interval_minutes, 1))
    return now + timedelta(hours=max(rules.old_interval_hours, 1))


def shares_enrol(candidates, *, now: datetime, book: RollupBook, click_position: int) -> int:
    """Create the metrics rows of posted shares and book them on their posting day."""
    fields = (
        "id",
        "organization_id",
        "network",
        "post_id",
        "member_id",
        "posted_at",
        "followers_at_share",
        "twist",
        "remote_id",
        "profile__clicks_only",
        "quoted_share_id",
    )
    rules: dict[int, AnalyticsSettings] = {}
    enrolled = 0
    for chunk in batched(candidates.values(*fields).order_by("id").iterator(chunk_size=CHUNK), CHUNK):
        created = []
        for row in chunk:
            org_id = row["organization_id"]
            if org_id not in rules:
                rules[org_id] = analytics_settings_get(organization_id=org_id)
            measured = bool(row["remote_id"]) and not row["profile__clicks_only"] and is_pullable(row["network"])
            member_id = row["member_id"] or 0
            created.append(
                ShareMetrics(
                    share_id=row["id"],
                    organization_id=org_id,
                    network=row["network"],
                    post_id=row["post_id"],
                    member_id=member_id,
                    posted_at=row["posted_at"],
                    quoted_share_id=row["quoted_share_id"],
                    measured=measured,
                    next_pull_at=now
                    if measured and next_pull_at(posted_at=row["posted_at"], now=now, rules=rules[org_id])
                    else None,
                    pull_note="" if measured else ShareMetrics.Note.CLICKS_ONLY,
                )
            )
            book.add(
                Dims(org_id, row["network"], row["post_id"], member_id),
                row["posted_at"],
                **share_deltas(
                    member_id=member_id,
                    measured=measured,
                    twist=row["twist"],
                    followers_at_share=row["followers_at_share"],
                ),
            )
        _count_existing_clicks(created, click_position)
        ShareMetrics.objects.bulk_create(created)
        enrolled += len(created)
    return enrolled


def _count_existing_clicks(rows: list[ShareMetrics], click_position: int) -> None:
    """Clicks already ingested before a share's metrics row existed."""
    if not rows or not click_position:
        return
    by_share = {row.share_id: row for row in rows}
    clicks = (
        Click.objects.filter(link__share_id__in=by_share, is_bot=False, id__lte=click_position)
        .order_by("link_id", "id")
        .values_list("link__share_id", "link_id", "visitor")
    )
    seen: set[tuple[int, str]] = set()
    for share_id, link_id, visitor in clicks:
        row = by_share[share_id]
        row.clicks += 1
        if not visitor or (link_id, visitor) not in seen:
            row.unique_clicks += 1
            seen.add((link_id, visitor))


# -- engagement readings --------------------------------------------------------------


def reading_record(
    *, metrics: ShareMetrics, reading: PostMetrics, now: datetime, book: RollupBook
) -> EngagementSnapshot:
    """Apply one reading to a share's metrics row and book what rose since the peak."""
    snapshot = EngagementSnapshot(
        share_id=metrics.share_id,
        at=now,
        likes=max(reading.likes, 0),
        reposts=max(reading.reposts, 0),
        replies=max(reading.replies, 0),
        quotes=max(reading.quotes, 0),
        impressions=None if reading.impressions is None else max(reading.impressions, 0),
    )
    snapshot_apply(metrics, snapshot, book)
    return snapshot


def snapshot_apply(metrics: ShareMetrics, snapshot: EngagementSnapshot, book: RollupBook) -> None:
    deltas = {}
    for name in ENGAGEMENT_FIELDS:
        value = getattr(snapshot, name)
        peak = getattr(metrics, f"peak_{name}")
        deltas[name] = max(value - peak, 0)
        setattr(metrics, name, value)
        setattr(metrics, f"peak_{name}", max(value, peak))
    if snapshot.impressions is not None:
        deltas["impressions"] = max(snapshot.impressions - metrics.peak_impressions, 0)
        metrics.impressions = snapshot.impressions
        metrics.peak_impressions = max(snapshot.impressions, metrics.peak_impressions)
    book.add(dims_of(metrics), snapshot.at, **deltas)


def dims_of(metrics: ShareMetrics) -> Dims:
    return Dims(metrics.organization_id, metrics.network, metrics.post_id, metrics.member_id)


def measured_withdraw(*, metrics: ShareMetrics, book: RollupBook) -> None:
    """The network turned out to give no engagement for this share: clicks only from now."""
    if metrics.measured:
        metrics.measured = False
        book.withdraw_measured(dims_of(metrics), metrics.posted_at)


# -- incremental update: enrolment and clicks ------------------------------------------


@dataclass
class UpdateResult:
    enrolled: int = 0
    clicks: int = 0


def rollups_update(*, now: datetime | None = None, enrol_since: timedelta | None = timedelta(days=3)) -> UpdateResult:
    """Enrol newly posted shares and ingest new clicks into the rollups.

    `enrol_since` limits the search for new shares to recent ones (cheap); None
    looks at every posted share (the daily sweep and the rebuild).
    """
    now = now or timezone.now()
    result = UpdateResult()
    with transaction.atomic():
        job_lock(INGEST_LOCK)
        position = job_lock(CLICK_CURSOR).position
        candidates = Share.objects.filter(status=Share.Status.POSTED, posted_at__isnull=False, metrics__isnull=True)
        if enrol_since is not None:
            candidates = candidates.filter(posted_at__gte=now - enrol_since)
        book = RollupBook()
        result.enrolled = shares_enrol(candidates, now=now, book=book, click_position=position)
        book.flush()
    while True:
        ingested, more = _ingest_clicks_chunk(now=now)
        result.clicks += ingested
        if not more:
            return result


def _ingest_clicks_chunk(*, now: datetime) -> tuple[int, bool]:
    with transaction.atomic():
        job_lock(INGEST_LOCK)
        cursor = job_lock(CLICK_CURSOR)
        rows = list(
            Click.objects.filter(id__gt=cursor.position, at__lt=now - CLICK_LAG)
            .order_by("id")
            .values_list("id", "link_id", "link__share_id", "at", "is_bot", "visitor")[:CHUNK]
        )
        if not rows:
            return 0, False
        human = [row for row in rows if not row[4] and row[2] is not None]
        earlier = _visitors_seen_before(human, cursor.position)
        dims = share_dims([row[2] for row in human])
        book = RollupBook()
        counts: defaultdict[int, Counter] = defaultdict(Counter)
        for _id, link_id, share_id, at, _bot, visitor in human:
            if share_id not in dims:
                continue
            unique = not visitor or (link_id, visitor) not in earlier
            earlier.add((link_id, visitor))
            book.add(dims[share_id], at, clicks=1, unique_clicks=int(unique))
            counts[share_id].update(clicks=1, unique_clicks=int(unique))
        book.flush()
        share_clicks_add(counts)
        cursor.position = rows[-1][0]
        cursor.save(update_fields=["position", "updated_at"])
    return len(rows), len(rows) == CHUNK


def _visitors_seen_before(rows: list[tuple], position: int) -> set[tuple[int, str]]:
    links = {row[1] for row in rows if row[5]}
    visitors = {row[5] for row in rows if row[5]}
    if not links:
        return set()
    return set(
        Click.objects.filter(link_id__in=links, visitor__in=visitors, is_bot=False, id__lte=position)
        .values_list("link_id", "visitor")
        .distinct()
    )


def share_clicks_add(counts: dict[int, Counter]) -> None:
    for share_id, counter in counts.items():
        ShareMetrics.objects.filter(pk=share_id).update(
            clicks=F("clicks") + counter["clicks"], unique_clicks=F("unique_clicks") + counter["unique_clicks"]
        )


def share_dims(share_ids: Iterable[int]) -> dict[int, Dims]:
    rows = Share.objects.filter(pk__in=set(share_ids)).values_list(
        "id", "organization_id", "network", "post_id", "member_id"
    )
    return {row[0]: Dims(row[1], row[2], row[3], row[4] or 0) for row in rows}
