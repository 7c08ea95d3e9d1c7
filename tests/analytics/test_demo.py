"""Demo history: ninety days that make the dashboard alive, added once."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from advocacy.models import Click, Share
from analytics.demo import seed_history
from analytics.models import AudienceDay, EngagementSnapshot, OrganizationDay, ShareMetrics
from analytics.services import rebuild
from employees.models import SocialProfile
from tests.analytics.helpers import rollup_tables


def test_seeding_history_twice_adds_it_once(cast):
    first = seed_history(organization=cast.org)
    counts = (Share.objects.count(), EngagementSnapshot.objects.count(), Click.objects.count())
    second = seed_history(organization=cast.org)
    assert first.created and not second.created
    assert (Share.objects.count(), EngagementSnapshot.objects.count(), Click.objects.count()) == counts
    assert first.shares > 100 and first.snapshots > 1000 and first.clicks > 100


def test_the_seeded_history_spans_ninety_days_and_fills_the_dashboard(cast, login):
    seed_history(organization=cast.org)
    days = OrganizationDay.objects.filter(organization=cast.org).values_list("day", flat=True)
    assert (timezone.localdate() - min(days)).days >= 80
    assert AudienceDay.objects.filter(organization=cast.org).count() > 80
    page = login(cast.carol).get(reverse("analytics:dashboard"), {"days": 90}).content.decode()
    assert "No activity in this period" not in page
    assert 'class="point now"' in page
    assert page.count('class="point"') == 6  # six slices of the period, then the whole period
    assert page.count('class="point now"') == 1


def test_seeded_rollups_equal_a_rebuild_and_nothing_asks_a_network_about_demo_shares(cast):
    seed_history(organization=cast.org)
    before = rollup_tables()
    rebuild.rollups_rebuild(organization_id=cast.org.id)
    assert rollup_tables() == before
    assert not ShareMetrics.objects.filter(next_pull_at__isnull=False).exists()


def test_people_who_can_log_in_get_no_active_demo_profile(cast):
    seed_history(organization=cast.org)
    active = SocialProfile.objects.filter(remote_id__startswith="demo-", state="active")
    assert not active.filter(owner_membership__in=[cast.emma, cast.mike, cast.carol]).exists()
    assert active.exists()


def test_demo_shares_are_dated_when_they_were_posted_and_come_from_their_sharers_profiles(cast):
    seed_history(organization=cast.org)
    shares = Share.objects.filter(profile__remote_id__startswith="demo-").select_related("profile")
    assert shares.exists()
    for share in shares:
        assert share.created_at == share.posted_at
        assert share.profile.owner_membership_id == share.member_id
        assert share.profile.network == share.network
        assert share.posted_at >= share.post.published_at
