"""Claiming a queued share for a push and reading what the push needs, in one statement.

On PostgreSQL the claim (the conditional update every worker races for) and the read of
the share with its post, profile, tracked link and quoted share are one statement: a
data-modifying WITH in front of the ORM's own SELECT. The update runs exactly once
whether or not the SELECT reads its output; the SELECT returns the row only when the
update claimed it, and sees the row as it was before the update (PostgreSQL's rule
for WITH: all parts share one snapshot), so the instance is brought up to date here.

Elsewhere (the embedded SQLite, which has no UPDATE inside WITH) the read comes first
and the claim second, as two statements with the same outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query

from advocacy.models import Share
from content.models import PostImage

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet

# What a push reads of a share and its post (the profile whole, for its credentials);
# compiling and loading all ~80 columns of the four rows cost more than the query.
PUSH_FIELDS = (
    "status",
    "attempts",
    "body_text",
    "idempotency_key",
    "profile",
    "post__title",
    "post__body",
    "post__link_url",
    "post__preview_title",
    "post__preview_description",
    "tracked_link__code",
    "quoted_share__network",
    "quoted_share__remote_id",
    "quoted_share__remote_url",
    "quoted_share__profile__extra",
)

# By primary key only: the status is compared through an expression no index serves
# (`status || ''`). With `status = %s`, statistics that say few shares are queued led the
# planner to walk the status index through every queued share (and the dead entries
# of those claimed before), a cost that grew with the queue: 1.0 ms against 0.2 ms with
# 2,000 shares queued on the 50,000-employee benchmark data.
_CLAIM_SQL = (
    "WITH claimed AS ("  # noqa: S608 - the model's own table name
    f"UPDATE {Share._meta.db_table} SET status = %s, posting_started_at = %s, attempts = attempts + 1 "
    "WHERE id = %s AND status || '' = %s RETURNING id) "
)


class _ClaimingCompiler(SQLCompiler):
    def as_sql(self, *args, **kwargs):
        sql, params = super().as_sql(*args, **kwargs)
        return _CLAIM_SQL + sql, (*self.query.claim_params, *params)


class _ClaimingQuery(Query):
    """A query whose SELECT is preceded by the claim (`claim_params` is copied with it)."""

    claim_params: tuple = ()

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if connection is None:
            from django.db import connections

            connection = connections[using]
        return _ClaimingCompiler(self, connection, using, elide_empty)


def _push_read(share_id: int) -> QuerySet[Share]:
    return (
        Share.objects.select_related("post", "profile", "tracked_link", "quoted_share__profile")
        .only(*PUSH_FIELDS)
        # Most posts have no image: knowing that here saves reading their images.
        .annotate(has_images=Exists(PostImage.objects.filter(post_id=OuterRef("post_id"))))
        .filter(pk=share_id)
        .order_by()
    )


def share_claim_for_push(*, share_id: int, now: datetime) -> Share | None:
    """The share with what its push needs, now claimed ("posting", one more attempt),
    or None when it is gone or not queued (nothing is written then)."""
    if connection.vendor != "postgresql":
        return _claim_in_two_statements(share_id, now)
    rows = _push_read(share_id).alias(claimed=RawSQL("EXISTS (SELECT 1 FROM claimed)", (), output_field=BooleanField()))
    rows = rows.filter(claimed=True)
    query = rows.query.chain(klass=_ClaimingQuery)
    query.claim_params = (Share.Status.POSTING, now, share_id, Share.Status.QUEUED)
    rows.query = query
    share = next(iter(rows), None)
    if share is not None:
        share.status, share.posting_started_at, share.attempts = Share.Status.POSTING, now, share.attempts + 1
    return share


def _claim_in_two_statements(share_id: int, now: datetime) -> Share | None:
    # Read first: a share that is gone or already taken then costs no write.
    share = _push_read(share_id).first()
    if share is None or share.status != Share.Status.QUEUED:
        return None
    claimed = Share.objects.filter(pk=share_id, status=Share.Status.QUEUED).update(
        status=Share.Status.POSTING, posting_started_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    share.status, share.posting_started_at, share.attempts = Share.Status.POSTING, now, share.attempts + 1
    return share
