"""Pushing a share: claimed once, retried on transient errors, stopped on dead credentials.

HTTP is mocked at the transport in the shapes Mastodon documents; the adapter, the
claim and the state changes are the real ones.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy import claiming, services
from advocacy.models import Share

STATUSES = "https://social.example/api/v1/statuses"
STATUS_JSON = {"id": "1100", "url": "https://social.example/@emma/1100", "content": "<p>hi</p>"}


@pytest.fixture
def share(cast, post, mastodon_profile, django_capture_on_commit_callbacks):
    # Push tasks run eagerly on commit in other tests; here each push is driven by hand.
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[mastodon_profile], comment="Looks great!"
        )
    return share


@respx.mock
def test_a_queued_share_is_posted_with_its_idempotency_key(share):
    route = respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    assert services.share_push(share_id=share.id) == "posted"
    share.refresh_from_db()
    assert (share.status, share.remote_id, share.remote_url) == ("posted", "1100", STATUS_JSON["url"])
    request = route.calls.last.request
    assert request.headers["Idempotency-Key"] == str(share.idempotency_key)
    assert request.headers["Authorization"].startswith("Bearer ")
    assert b"Looks great!" in request.content
    assert f"/l/{share.tracked_link.code}".encode() in request.content


@respx.mock
def test_a_share_is_claimed_once(share):
    respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    assert services.share_push(share_id=share.id) == "posted"
    assert services.share_push(share_id=share.id) == "skipped"
    assert respx.calls.call_count == 1


@respx.mock
def test_a_rate_limit_requeues_the_share_after_retry_after(share, django_capture_on_commit_callbacks, monkeypatch):
    respx.post(STATUSES).mock(return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    queued = []
    monkeypatch.setattr(
        "advocacy.tasks.share_push_task.apply_async", lambda args, countdown: queued.append((args, countdown))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.share_push(share_id=share.id) == "queued"
    share.refresh_from_db()
    assert share.status == "queued"
    assert queued == [((share.id,), 120)]
    assert share.next_attempt_at > timezone.now() + timedelta(seconds=100)


@respx.mock
def test_backoff_grows_with_each_attempt_and_gives_up_at_the_cap(share, monkeypatch):
    respx.post(STATUSES).mock(return_value=httpx.Response(503))
    countdowns, waits = [], []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: countdowns.append(countdown))
    for _ in range(services.MAX_ATTEMPTS):
        before = timezone.now()
        services.share_push(share_id=share.id)
        share.refresh_from_db()
        if share.next_attempt_at:
            waits.append((share.next_attempt_at - before).total_seconds())
    assert share.status == "failed"
    assert "Gave up after" in share.last_error
    assert len(waits) == services.MAX_ATTEMPTS - 1
    assert waits == sorted(waits)
    assert round(waits[0]) == services.BACKOFF_BASE_SECONDS
    # Short waits ride in the broker; the long ones are left to beat.
    assert countdowns == [wait for wait in map(round, waits) if wait <= services.BROKER_MAX_COUNTDOWN_SECONDS]
    assert len(countdowns) < len(waits)


@respx.mock
def test_a_rate_limit_an_hour_ahead_waits_in_the_database_not_in_the_broker(share, monkeypatch):
    respx.post(STATUSES).mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
    queued = []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: queued.append(countdown))
    assert services.share_push(share_id=share.id) == "queued"
    assert queued == []
    share.refresh_from_db()
    assert share.status == "queued"
    due = share.next_attempt_at
    assert due > timezone.now() + timedelta(minutes=59)
    # Not yet due, and not swept up as a lost message either.
    assert services.shares_release_due(now=timezone.now() + timedelta(minutes=30)) == 0
    assert services.shares_requeue_stuck(now=timezone.now() + timedelta(minutes=30)) == 0
    assert queued == []
    later = due + timedelta(seconds=30)
    assert services.shares_release_due(now=later) == 1
    assert services.shares_release_due(now=later) == 0
    assert queued == [None]
    share.refresh_from_db()
    assert share.status == "queued"
    assert share.next_attempt_at is None


@respx.mock
def test_dead_credentials_mark_the_profile_and_the_share(share, mastodon_profile):
    respx.post(STATUSES).mock(return_value=httpx.Response(401, json={"error": "The access token was revoked"}))
    assert services.share_push(share_id=share.id) == "needs_reconnect"
    mastodon_profile.refresh_from_db()
    assert mastodon_profile.state == "needs_reconnect"


@respx.mock
def test_a_token_renewed_elsewhere_mid_post_is_tried_again_not_disconnected(share, mastodon_profile, monkeypatch):
    from employees.models import SocialProfile

    def renewed_elsewhere_then_refused(request):
        # Another worker renews the tokens while this post is on its way with the old one.
        SocialProfile.objects.filter(pk=mastodon_profile.pk).update(credentials_refreshed_at=timezone.now())
        return httpx.Response(401, json={"error": "The access token is invalid"})

    respx.post(STATUSES).mock(side_effect=renewed_elsewhere_then_refused)
    queued = []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: queued.append(countdown))
    assert services.share_push(share_id=share.id) == "queued"
    share.refresh_from_db()
    mastodon_profile.refresh_from_db()
    assert (share.status, mastodon_profile.state) == ("queued", "active")
    assert queued == [services.RENEWED_RETRY_SECONDS]

    respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    assert services.share_push(share_id=share.id) == "posted"


@respx.mock
def test_nothing_is_posted_with_a_profile_that_needs_reconnecting(share, mastodon_profile):
    route = respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    mastodon_profile.state = "needs_reconnect"
    mastodon_profile.save()
    assert services.share_push(share_id=share.id) == "needs_reconnect"
    assert not route.called


@respx.mock
def test_a_permanent_error_fails_the_share_with_the_reason(share):
    respx.post(STATUSES).mock(return_value=httpx.Response(422, json={"error": "Validation failed: Text too long"}))
    assert services.share_push(share_id=share.id) == "failed"
    share.refresh_from_db()
    assert "Text too long" in share.last_error


def test_a_share_left_posting_by_a_dead_worker_is_requeued(share, monkeypatch):
    requeued = []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: requeued.append(share_id))
    Share.objects.filter(pk=share.pk).update(status="posting", posting_started_at=timezone.now())
    assert services.shares_requeue_stuck() == 0
    assert services.shares_requeue_stuck(now=timezone.now() + services.STUCK_AFTER + timedelta(seconds=1)) == 1
    share.refresh_from_db()
    assert share.status == "queued"
    assert requeued == [share.id]


def test_scheduled_shares_are_released_when_due(share, monkeypatch):
    released = []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: released.append(share_id))
    Share.objects.filter(pk=share.pk).update(status="scheduled", scheduled_for=timezone.now() + timedelta(minutes=5))
    assert services.shares_release_due() == 0
    assert services.shares_release_due(now=timezone.now() + timedelta(minutes=6)) == 1
    assert released == [share.id]


def test_a_failed_share_can_be_retried_by_its_owner(cast, login, share, monkeypatch):
    from django.urls import reverse

    retried = []
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: retried.append(share_id))
    Share.objects.filter(pk=share.pk).update(status="failed", last_error="boom")
    assert login(cast.olga).post(reverse("advocacy:share_retry", args=[share.id])).status_code == 404
    assert login(cast.mike).post(reverse("advocacy:share_retry", args=[share.id])).status_code == 404
    login(cast.emma).post(reverse("advocacy:share_retry", args=[share.id]))
    share.refresh_from_db()
    assert share.status == "queued"
    assert retried == [share.id]


def test_a_share_already_taken_costs_one_statement_and_changes_nothing(share):
    Share.objects.filter(pk=share.pk).update(status=Share.Status.POSTING, attempts=1)
    with CaptureQueriesContext(connection) as queries:
        assert services.share_push(share_id=share.id) == "skipped"
    # The claim matched no row: the attempt is not counted and nothing else ran.
    assert len(queries) == 1
    share.refresh_from_db()
    assert (share.status, share.attempts) == ("posting", 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no UPDATE inside WITH: read, then claim")
@respx.mock
def test_a_push_claims_and_reads_its_share_with_post_link_and_profile_in_one_statement(share):
    respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    with CaptureQueriesContext(connection) as queries:
        assert services.share_push(share_id=share.id) == "posted"
    # Before: a read, then the claim, then the result (3). Now the claim returns the
    # rows the push needs (2); the profile's tokens are not written back unchanged.
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2, statements
    assert statements[0].startswith("WITH claimed AS (UPDATE advocacy_share")
    assert all(table in statements[0] for table in ("content_post", "employees_socialprofile", "advocacy_trackedlink"))
    share.refresh_from_db()
    assert (share.status, share.attempts) == ("posted", 1)


@respx.mock
def test_a_claimed_share_is_not_claimed_again_by_a_second_push(share):
    respx.post(STATUSES).mock(return_value=httpx.Response(200, json=STATUS_JSON))
    first = claiming.share_claim_for_push(share_id=share.id, now=timezone.now())
    assert (first.status, first.attempts, first.post.title, first.tracked_link.code) == (
        "posting",
        1,
        share.post.title,
        share.tracked_link.code,
    )
    assert claiming.share_claim_for_push(share_id=share.id, now=timezone.now()) is None
    assert services.share_push(share_id=share.id) == "skipped"
    assert respx.calls.call_count == 0
