"""The daily email of new posts, the weekly digest's preference, and failed shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from advocacy.models import Share
from analytics.models import AnalyticsSettings
from notifications.models import Channel, Delivery, EmailFrequency, Event
from notifications.selectors import preferences_for
from notifications.services import deliveries
from notifications.services.preferences import preferences_save
from notifications.services.push import push_subscription_save
from notifications.tasks import daily_emails_send_due_task, share_failed_notify_task
from tests.factories import PostFactory, SocialProfileFactory


def _frequency(membership, value):
    current = preferences_for(membership=membership)
    preferences_save(membership=membership, grid=current.grid, new_post_email=value)


@pytest.mark.django_db
def test_the_daily_email_lists_the_days_posts_once_from_the_digest_hour_on(cast):
    rules = AnalyticsSettings.objects.create(organization=cast.org, digest_hour=23)
    _frequency(cast.emma, EmailFrequency.DAILY)
    _frequency(cast.mike, EmailFrequency.IMMEDIATELY)
    fresh = PostFactory(
        organization=cast.org,
        title="Fresh news",
        status="published",
        publish_at=timezone.now() - timedelta(hours=2),
        published_at=timezone.now() - timedelta(hours=2),
    )
    old = PostFactory(
        organization=cast.org,
        title="Old news",
        status="published",
        publish_at=timezone.now() - timedelta(days=3),
        published_at=timezone.now() - timedelta(days=3),
    )
    ten_in_the_evening = timezone.now().astimezone(UTC).replace(hour=22, minute=0)
    assert deliveries.daily_emails_plan(now=ten_in_the_evening) == []
    rules.digest_hour = 0
    rules.save()

    daily_emails_send_due_task()
    daily_emails_send_due_task()

    assert [message.to for message in mail.outbox] == [["emma@acme.test"]]
    assert fresh.title in mail.outbox[0].body
    assert old.title not in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_the_weekly_digest_follows_the_persons_preferences(cast):
    from analytics.models import DigestDelivery
    from analytics.services.digests import digest_send

    current = preferences_for(membership=cast.emma)
    off = {event: dict.fromkeys(row, False) for event, row in current.grid.items()}
    preferences_save(membership=cast.emma, grid=off, new_post_email=EmailFrequency.OFF)
    PostFactory.published(organization=cast.org, title="News for the digest")
    sent = digest_send(membership_id=cast.emma.id, kind=DigestDelivery.Kind.EMPLOYEE, week=timezone.now().date())
    assert sent is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_share_is_pushed_to_its_owner_once(cast, push_service):
    device = push_service.device("phone")
    push_subscription_save(membership=cast.emma, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon")
    post = PostFactory.published(organization=cast.org, title="Launch day")
    share = Share.objects.create(
        organization=cast.org,
        post=post,
        profile=profile,
        member=cast.emma,
        network="mastodon",
        comment="Proud",
        final_text="Proud",
        status=Share.Status.NEEDS_RECONNECT,
        last_error="token revoked",
    )
    share_failed_notify_task(share.id)
    share_failed_notify_task(share.id)
    assert len(push_service.received) == 1
    message = push_service.received[0].message
    assert "Launch day" in message["title"]
    assert message["url"].endswith("/shares/")
    assert Delivery.objects.get().event == Event.SHARE_FAILED


@pytest.mark.django_db
def test_nobody_hears_of_a_failed_share_with_push_for_failures_off(cast, push_service):
    device = push_service.device("phone")
    push_subscription_save(membership=cast.emma, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    current = preferences_for(membership=cast.emma)
    current.grid[Event.SHARE_FAILED][Channel.PUSH] = False
    preferences_save(membership=cast.emma, grid=current.grid, new_post_email=current.new_post_email)
    share = Share.objects.create(
        organization=cast.org,
        post=PostFactory.published(organization=cast.org),
        profile=SocialProfileFactory(owner_membership=cast.emma, network="mastodon"),
        member=cast.emma,
        network="mastodon",
        status=Share.Status.FAILED,
    )
    share_failed_notify_task(share.id)
    assert push_service.received == []
    assert not Delivery.objects.filter(channel=Channel.PUSH).exists()


def test_quiet_hours_that_cross_midnight_end_the_next_morning():
    from employees.models import Organization
    from notifications.selectors import Preferences, quiet_until

    organization = Organization(timezone="Europe/Copenhagen")
    wanted = Preferences(grid={}, new_post_email="off", language="en", quiet_start=22, quiet_end=7, own=True)
    # Summer (UTC+2): 01:00 local is 23:00 UTC the day before.
    assert quiet_until(preferences=wanted, organization=organization, now=datetime(2026, 7, 1, 23, 0, tzinfo=UTC)) == (
        datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    )
    assert (
        quiet_until(preferences=wanted, organization=organization, now=datetime(2026, 7, 2, 10, 0, tzinfo=UTC)) is None
    )
