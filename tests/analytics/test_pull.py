"""Engagement pulls: due by age, batched per network, failures kept inside their group."""

from __future__ import annotations

import math
from datetime import timedelta

from django.utils import timezone

from advocacy.models import Share
from analytics.models import AnalyticsSettings, EngagementSnapshot, OrganizationDay, ShareMetrics
from employees.models import SocialProfile
from networks.errors import PermanentError, RetryLater, Unsupported
from tests.analytics.helpers import organization_totals, pull_cycle
from tests.factories import MembershipFactory, ShareFactory, SocialProfileFactory, company_profile


def _employee_profile(org, network="bluesky", **fields):
    return SocialProfileFactory(owner_membership=MembershipFactory(organization=org), network=network, **fields)


def test_a_new_share_is_read_at_once_then_hourly_then_daily_then_never(cast, fake_network):
    now = timezone.now()
    share = ShareFactory(profile=_employee_profile(cast.org), posted_at=now - timedelta(minutes=5))
    fake_network.set(share, likes=1)

    pull_cycle(now)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert metrics.pulls == 1
    assert metrics.next_pull_at == now + timedelta(hours=1)

    pull_cycle(now + timedelta(minutes=30))
    assert ShareMetrics.objects.get(pk=share.pk).pulls == 1  # not due yet

    later = now + timedelta(days=3)
    pull_cycle(later)
    assert ShareMetrics.objects.get(pk=share.pk).next_pull_at == later + timedelta(hours=24)

    pull_cycle(now + timedelta(days=31))
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert metrics.pulls == 3
    assert metrics.next_pull_at is None
    assert len(fake_network.calls) == 3


def test_the_refresh_schedule_follows_the_organizations_settings(cast, fake_network):
    AnalyticsSettings.objects.create(
        organization=cast.org, young_hours=6, young_interval_minutes=15, old_interval_hours=12, stop_after_days=2
    )
    now = timezone.now()
    share = ShareFactory(profile=_employee_profile(cast.org), posted_at=now)
    fake_network.set(share, likes=1)
    pull_cycle(now)
    assert ShareMetrics.objects.get(pk=share.pk).next_pull_at == now + timedelta(minutes=15)
    pull_cycle(now + timedelta(hours=7))
    assert ShareMetrics.objects.get(pk=share.pk).next_pull_at == now + timedelta(hours=19)
    pull_cycle(now + timedelta(days=2, hours=1))
    assert ShareMetrics.objects.get(pk=share.pk).next_pull_at is None


def test_a_cycle_makes_one_call_per_full_batch_per_network_whoever_shared(cast, fake_network):
    now = timezone.now()
    bluesky = [_employee_profile(cast.org) for _ in range(3)]
    x = [_employee_profile(cast.org, network="x") for _ in range(2)]
    shares = [ShareFactory(profile=bluesky[i % 3]) for i in range(60)]
    shares += [ShareFactory(profile=x[i % 2], remote_id=f"tweet-{i}") for i in range(130)]
    for share in shares:
        fake_network.set(share, likes=2)

    pull_cycle(now)

    calls = [network for network, _reader, _ids in fake_network.calls]
    assert calls.count("bluesky") == math.ceil(60 / 25)
    assert calls.count("x") == math.ceil(130 / 100)
    assert EngagementSnapshot.objects.count() == 190
    assert OrganizationDay.objects.filter(organization=cast.org).values_list("likes", flat=True).count() >= 2


def test_mastodon_shares_are_batched_per_server(cast, fake_network):
    one = [_employee_profile(cast.org, network="mastodon") for _ in range(2)]
    other = _employee_profile(cast.org, network="mastodon", extra={"instance_url": "https://other.example"})
    shares = [ShareFactory(profile=one[i % 2], remote_id=str(1000 + i)) for i in range(30)]
    shares += [ShareFactory(profile=other, remote_id=str(2000 + i)) for i in range(5)]
    for share in shares:
        fake_network.set(share, likes=1)
    pull_cycle(timezone.now())
    readers = [reader for _network, reader, _ids in fake_network.calls]
    assert len(readers) == math.ceil(30 / 20) + 1
    assert readers.count(other.pk) == 1


def test_a_rate_limit_postpones_that_network_until_it_allows_while_others_go_on(cast, fake_network):
    now = timezone.now()
    limited = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.counts[limited.remote_id] = RetryLater("slow down", retry_after=900)
    fine = ShareFactory(profile=_employee_profile(cast.org, network="x"), remote_id="1")
    fake_network.set(fine, likes=4)

    pull_cycle(now)

    metrics = ShareMetrics.objects.get(pk=limited.pk)
    assert metrics.next_pull_at == now + timedelta(seconds=900)
    assert metrics.pull_note == "rate_limited"
    assert ShareMetrics.objects.get(pk=fine.pk).peak_likes == 4
    pull_cycle(now + timedelta(minutes=5))
    assert len([call for call in fake_network.calls if call[0] == "bluesky"]) == 1


def test_dead_credentials_hand_the_batch_to_another_reader_and_mark_the_profile(cast, fake_network):
    dead = _employee_profile(cast.org)
    alive = _employee_profile(cast.org)
    company = company_profile(cast.org)
    fake_network.dead_readers = {company.pk}
    shares = [ShareFactory(profile=dead), ShareFactory(profile=alive)]
    for share in shares:
        fake_network.set(share, likes=3)

    pull_cycle(timezone.now())

    assert SocialProfile.objects.get(pk=company.pk).state == "needs_reconnect"
    assert [call[1] for call in fake_network.calls] == [company.pk, dead.pk]
    assert ShareMetrics.objects.filter(peak_likes=3).count() == 2


def test_a_share_left_out_of_the_answer_keeps_its_last_reading(cast, fake_network):
    now = timezone.now()
    profile = _employee_profile(cast.org)
    kept, answered = ShareFactory(profile=profile), ShareFactory(profile=profile)
    fake_network.set(kept, likes=5)
    fake_network.set(answered, likes=1)
    pull_cycle(now)
    del fake_network.counts[kept.remote_id]
    fake_network.set(answered, likes=2)

    pull_cycle(now + timedelta(hours=2))

    metrics = ShareMetrics.objects.get(pk=kept.pk)
    assert (metrics.likes, metrics.misses, metrics.pull_note) == (5, 1, "missing")
    assert metrics.next_pull_at is not None
    assert ShareMetrics.objects.get(pk=answered.pk).likes == 2


def test_a_post_deleted_on_the_network_is_no_longer_read_but_keeps_its_history(cast, fake_network):
    now = timezone.now()
    share = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.set(share, likes=7, reposts=1)
    pull_cycle(now)
    fake_network.set(share, deleted=True)

    pull_cycle(now + timedelta(hours=2))
    pull_cycle(now + timedelta(hours=4))

    share.refresh_from_db()
    assert share.metrics_deleted is True
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.next_pull_at, metrics.peak_likes, metrics.pull_note) == (None, 7, "deleted")
    assert EngagementSnapshot.objects.filter(share=share).count() == 1
    assert len(fake_network.calls) == 2
    assert sum(OrganizationDay.objects.values_list("likes", flat=True)) == 7


def test_a_count_going_down_is_kept_in_its_snapshot_but_never_subtracted(cast, fake_network):
    now = timezone.now()
    share = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.set(share, likes=10)
    pull_cycle(now)
    fake_network.set(share, likes=4)
    pull_cycle(now + timedelta(hours=2))
    fake_network.set(share, likes=12)
    pull_cycle(now + timedelta(hours=4))

    assert list(EngagementSnapshot.objects.order_by("at").values_list("likes", flat=True)) == [10, 4, 12]
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.likes, metrics.peak_likes) == (12, 12)
    assert sum(OrganizationDay.objects.values_list("likes", flat=True)) == 12
    assert all(value >= 0 for value in OrganizationDay.objects.values_list("likes", flat=True))


def test_company_profiles_own_posts_are_read_the_same_way(cast, fake_network):
    share = ShareFactory(profile=company_profile(cast.org), member=None)
    fake_network.set(share, likes=40, reposts=8)
    pull_cycle(timezone.now())
    row = organization_totals(cast.org)
    assert (row.is_company, row.likes, row.reposts, row.potential_reach) == (True, 40, 8, 5000)


def test_a_profile_the_network_gives_no_engagement_for_is_measured_by_clicks_only(cast, fake_network):
    profile = _employee_profile(cast.org, network="linkedin")
    share = ShareFactory(profile=profile, remote_id="urn:li:share:1")
    fake_network.counts[share.remote_id] = Unsupported("no analytics scope")
    pull_cycle(timezone.now())
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.measured, metrics.next_pull_at) == (False, None)
    row = organization_totals(cast.org)
    assert (row.shares, row.measured_shares) == (1, 0)


def test_clicks_only_profiles_and_facebook_shares_are_never_read(cast, fake_network):
    ShareFactory(profile=_employee_profile(cast.org, network="linkedin", clicks_only=True))
    ShareFactory(profile=_employee_profile(cast.org, network="facebook"), remote_id="", verified=False)
    pull_cycle(timezone.now())
    assert fake_network.calls == []
    assert ShareMetrics.objects.filter(measured=False).count() == 2


def test_a_refusal_by_the_network_is_noted_and_the_share_tried_again_on_schedule(cast, fake_network):
    share = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.counts[share.remote_id] = PermanentError("bad request")
    now = timezone.now()
    pull_cycle(now)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.pull_note, metrics.pull_error) == ("refused", "bad request")
    assert metrics.next_pull_at == now + timedelta(hours=1)


def test_shares_not_posted_are_not_enrolled(cast, fake_network):
    ShareFactory(profile=_employee_profile(cast.org), status=Share.Status.FAILED, posted_at=None)
    pull_cycle(timezone.now())
    assert not ShareMetrics.objects.exists()


def test_a_claimed_share_is_not_read_by_a_second_cycle(cast, fake_network):
    from analytics.services import pull, rollups

    share = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.set(share, likes=1)
    now = timezone.now()
    rollups.rollups_update(now=now)
    first = pull.engagement_pull_plan(now=now)
    assert pull.engagement_pull_plan(now=now) == []
    assert [job.share_ids for job in first] == [[share.pk]]


def test_the_beat_task_reads_due_shares_through_queued_jobs(cast, fake_network):
    from analytics.tasks import engagement_pull_due_task

    share = ShareFactory(profile=_employee_profile(cast.org))
    fake_network.set(share, likes=9)
    assert engagement_pull_due_task.delay().get() == 1
    assert ShareMetrics.objects.get(pk=share.pk).peak_likes == 9


def test_a_transient_failure_while_opening_credentials_waits_like_a_rate_limit(cast, fake_network, monkeypatch):
    share = ShareFactory(profile=_employee_profile(cast.org))

    def refresh_fails(*, profile_id):
        raise RetryLater("token endpoint down")

    monkeypatch.setattr("employees.profiles.services.profile_adapter_open", refresh_fails)
    now = timezone.now()
    pull_cycle(now)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.pull_note, metrics.next_pull_at, metrics.claim) == (
        "rate_limited",
        now + timedelta(minutes=15),
        None,
    )


def test_no_working_credentials_at_all_postpones_the_group_for_an_hour(cast, fake_network):
    profile = _employee_profile(cast.org, state="needs_reconnect")
    share = ShareFactory(profile=profile)
    now = timezone.now()
    pull_cycle(now)
    metrics = ShareMetrics.objects.get(pk=share.pk)
    assert (metrics.pull_note, metrics.next_pull_at) == ("no_reader", now + timedelta(hours=1))
    assert fake_network.calls == []
