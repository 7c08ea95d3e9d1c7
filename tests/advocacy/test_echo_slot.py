"""The next quieter slot: the earliest half hour ahead around which fewer of the same
post's shares by colleagues go out, offered in the composer beside the echo warning."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.echo import COLLEAGUES, WINDOW, quieter_slot
from advocacy.models import Share
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory

NOW = datetime(2026, 3, 10, 10, 7, tzinfo=UTC)
ECHOED = "We are hiring engineers in Aarhus, come and join us"


@pytest.fixture(autouse=True)
def _utc():
    with timezone.override(ZoneInfo("UTC")):
        yield


def _share(post, *, at=None, scheduled=None, status=Share.Status.POSTED, member=None, comment=ECHOED):
    member = member or MembershipFactory(organization=post.organization)
    share = Share.objects.create(
        organization=post.organization,
        post=post,
        profile=SocialProfileFactory(owner_membership=member),
        member=member,
        network="mastodon",
        comment=comment,
        final_text=comment,
        status=Share.Status.SCHEDULED if scheduled else status,
        posted_at=at,
        scheduled_for=scheduled,
    )
    return share


def _slot(cast, post):
    return quieter_slot(membership=cast.emma, post=post, now=NOW)


def test_the_slot_is_the_first_half_hour_a_whole_window_after_the_busy_shares(cast, post):
    for _ in range(3):
        _share(post, at=NOW - timedelta(hours=1))  # 09:07
    slot = _slot(cast, post)
    # 12:00 still has 09:07 within three hours; 12:30 does not.
    assert (slot.at, slot.shares, slot.busy) == (datetime(2026, 3, 10, 12, 30, tzinfo=UTC), 0, 3)


def test_a_share_exactly_one_window_before_a_slot_is_outside_it_and_a_minute_later_inside(cast, post):
    _share(post, at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    assert _slot(cast, post).at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    _share(post, at=datetime(2026, 3, 10, 9, 1, tzinfo=UTC))
    # Two around now; at 12:00 the 09:01 share is still inside: fewer (1) already counts.
    assert _slot(cast, post).at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert _slot(cast, post).shares == 1


def test_shares_scheduled_ahead_count_and_the_slot_leaves_them_behind(cast, post):
    _share(post, at=NOW - timedelta(minutes=7))  # 10:00
    for _ in range(2):
        _share(post, scheduled=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    slot = _slot(cast, post)
    assert slot.busy == 3
    # 13:00: 10:00 is exactly a window away (outside), the 12:00 pair still inside.
    assert (slot.at, slot.shares) == (datetime(2026, 3, 10, 13, 0, tzinfo=UTC), 2)


def test_the_first_slot_leaves_time_to_send_the_form(cast, post):
    _share(post, at=datetime(2026, 3, 10, 7, 30, tzinfo=UTC))
    # 10:27 is within five minutes of 10:30: the first slot offered is 11:00.
    slot = quieter_slot(membership=cast.emma, post=post, now=datetime(2026, 3, 10, 10, 27, tzinfo=UTC))
    assert slot.at == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def test_failed_my_own_other_posts_and_other_organizations_shares_make_no_slot(cast, post):
    _share(post, at=NOW - timedelta(minutes=30), status=Share.Status.FAILED)
    _share(post, at=NOW - timedelta(minutes=30), member=cast.emma)
    _share(PostFactory.published(organization=cast.org), at=NOW - timedelta(minutes=30))
    _share(PostFactory.published(organization=cast.other_org), at=NOW - timedelta(minutes=30))
    assert _slot(cast, post) is None


def test_no_slot_when_none_ahead_is_quieter_or_the_post_expires_first(cast, post):
    for hours in range(0, 27, 1):
        _share(post, scheduled=NOW + timedelta(hours=hours, minutes=1))
    _share(post, at=NOW - timedelta(minutes=1))
    assert _slot(cast, post) is None  # busy every half hour of the next day
    quiet = PostFactory(
        organization=cast.org,
        status="published",
        publish_at=NOW - timedelta(days=1),
        published_at=NOW - timedelta(days=1),
        expires_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
    )
    _share(quiet, at=NOW - timedelta(hours=1))
    assert _slot(cast, quiet) is None  # quieter only from 12:30, after it expires
    Share.objects.filter(post=quiet).delete()
    _share(quiet, at=datetime(2026, 3, 10, 8, 30, tzinfo=UTC))
    assert _slot(cast, quiet).at == datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


def test_the_composer_offers_the_quieter_slot_beside_the_echo_warning(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES):
        _share(post, status=Share.Status.QUEUED)
    response = login(cast.emma).post(
        reverse("advocacy:compose_preview", args=[post.id]), {"profiles": [mastodon_profile.id], "comment": ECHOED}
    )
    page = response.content.decode()
    assert 'id="echo-risk"' in page and 'id="quieter-slot"' in page
    offer = re.search(r'<label for="id_when_1"[^>]*data-fill="#id_scheduled_for" data-text="([^"]+)"', page)
    picked = datetime.fromisoformat(offer.group(1)).replace(tzinfo=ZoneInfo(cast.org.timezone))
    assert picked.minute in (0, 30)
    # Three hours after the colleagues' shares, on the organization's clock.
    assert timezone.now() + WINDOW <= picked <= timezone.now() + WINDOW + timedelta(minutes=40)


def test_no_slot_is_offered_without_an_echo(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES):
        _share(post, status=Share.Status.QUEUED)
    response = login(cast.emma).post(
        reverse("advocacy:compose_preview", args=[post.id]),
        {"profiles": [mastodon_profile.id], "comment": "Our Aarhus team saved my project last spring"},
    )
    assert 'id="quieter-slot"' not in response.content.decode()
