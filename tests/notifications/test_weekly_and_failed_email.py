"""The cells added last: the weekly impact note by push and Slack, the failed-share email,
and a personal Slack message for each new post."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Share
from analytics.models import AnalyticsSettings
from analytics.selectors.impact import member_side
from analytics.services import rollups
from analytics.services.digests import digest_period
from analytics.tasks import digests_send_due_task
from notifications.models import Channel, Delivery, EmailFrequency, Event, SlackConnection
from notifications.selectors import organization_zone, preferences_for
from notifications.services import deliveries
from notifications.services.preferences import preferences_save
from notifications.services.push import push_subscription_save
from notifications.tasks import (
    delivery_send_task,
    post_published_notify_task,
    share_failed_notify_task,
    weekly_impact_notify_task,
)
from tests.factories import PostFactory, ShareFactory, SocialProfileFactory
from tests.notifications.standins import BOT_TOKEN


def _choose(membership, event, channel, on=True, **extra):
    current = preferences_for(membership=membership)
    grid = {name: dict(row) for name, row in current.grid.items()}
    grid[event][channel] = on
    preferences_save(
        membership=membership,
        grid=grid,
        new_post_email=extra.get("new_post_email", current.new_post_email),
        language=extra.get("language", current.chosen_language),
        quiet_start=extra.get("quiet_start", current.quiet_start),
        quiet_end=extra.get("quiet_end", current.quiet_end),
    )


def _subscribe(membership, device):
    return push_subscription_save(
        membership=membership, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, device="Test browser"
    )


def _digest_today(cast) -> date:
    """Make the digest due now: today (in the organization's zone) from midnight on."""
    today = timezone.now().astimezone(organization_zone(cast.org)).date()
    AnalyticsSettings.objects.update_or_create(
        organization=cast.org, defaults={"digest_weekday": today.weekday(), "digest_hour": 0}
    )
    return today


def _a_week_of_shares(cast):
    ShareFactory(
        profile=SocialProfileFactory(owner_membership=cast.emma, followers=300),
        posted_at=timezone.now() - timedelta(days=2),
    )
    rollups.rollups_update(enrol_since=None)


def _iso(day: date) -> str:
    year, week, _day = day.isocalendar()
    return f"impact:{year}-W{week:02d}"


def _connect_slack(cast) -> SlackConnection:
    return SlackConnection.objects.create(organization=cast.org, team_id="T0ACME123", bot_token=BOT_TOKEN)


def _dms(slack_api) -> list[dict]:
    return [body for path, _headers, body in slack_api.calls if path == "/api/chat.postMessage"]


# 1. The weekly impact note by web push


@pytest.mark.django_db
def test_the_weekly_impact_note_is_pushed_with_the_digest_once_per_device_and_week(cast, push_service):
    today = _digest_today(cast)
    _a_week_of_shares(cast)
    phone, laptop = push_service.device("phone"), push_service.device("laptop")
    _subscribe(cast.emma, phone)
    _subscribe(cast.emma, laptop)
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.PUSH)

    digests_send_due_task()
    digests_send_due_task()
    for delivery in Delivery.objects.all():
        delivery_send_task(delivery.id)

    me = member_side(membership=cast.emma, filters=digest_period(today, cast.org))
    assert me.shares > 0
    assert push_service.refused == []
    assert sorted(item.path for item in push_service.received) == sorted(
        [phone.endpoint.removeprefix(push_service.base_url), laptop.endpoint.removeprefix(push_service.base_url)]
    )
    for item in push_service.received:
        shares = f"{me.shares} share" + ("s" if me.shares != 1 else "")
        engagements = f"{me.engagements} engagement" + ("s" if me.engagements != 1 else "")
        assert item.message["body"] == f"Your shares this week: {shares}, {engagements}"
        assert item.message["url"] == settings.SITE_URL + reverse("analytics:my_impact")
    rows = Delivery.objects.filter(event=Event.WEEKLY_IMPACT, channel=Channel.PUSH)
    assert {row.subject for row in rows} == {_iso(today)}
    assert {row.status for row in rows} == {Delivery.Status.SENT}
    # The digest email itself still goes out once.
    assert [message.to for message in mail.outbox].count([cast.emma.user.email]) == 1


@pytest.mark.django_db
def test_the_pushed_impact_note_is_in_the_persons_language(cast, push_service):
    today = _digest_today(cast)
    _a_week_of_shares(cast)
    _subscribe(cast.emma, push_service.device("phone"))
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.PUSH, language="da")
    weekly_impact_notify_task(cast.emma.id, today.isoformat())
    [item] = push_service.received
    assert item.message["body"].startswith("Dine delinger denne uge:")


@pytest.mark.django_db
def test_no_impact_push_for_people_who_left_it_off_or_had_nothing_this_week(cast, push_service):
    today = _digest_today(cast)
    _subscribe(cast.emma, push_service.device("phone"))
    _subscribe(cast.mike, push_service.device("mike-phone"))
    _choose(cast.mike, Event.WEEKLY_IMPACT, Channel.PUSH)
    _a_week_of_shares(cast)  # Emma's shares; Mike shared nothing
    assert not preferences_for(membership=cast.emma).wants(Event.WEEKLY_IMPACT, Channel.PUSH)

    weekly_impact_notify_task(cast.emma.id, today.isoformat())
    weekly_impact_notify_task(cast.mike.id, today.isoformat())

    assert push_service.received == []
    assert not Delivery.objects.filter(membership=cast.emma).exists()
    assert Delivery.objects.get(membership=cast.mike).last_error == "nothing to say"


@pytest.mark.django_db
def test_quiet_hours_hold_the_impact_push_until_they_end(cast, push_service):
    cast.org.timezone = "Europe/Copenhagen"
    cast.org.save()
    today = _digest_today(cast)
    _a_week_of_shares(cast)
    _subscribe(cast.emma, push_service.device("phone"))
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.PUSH, quiet_start=22, quiet_end=7)
    [delivery_id] = deliveries.weekly_impact_fan_out(membership_id=cast.emma.id, week=today)
    # 23:30 in Copenhagen in winter is 22:30 UTC; quiet hours end at 07:00 local, 06:00 UTC.
    late = datetime(2026, 1, 14, 22, 30, tzinfo=UTC)
    Delivery.objects.update(not_before=late - timedelta(minutes=1))

    deliveries.delivery_send(delivery_id=delivery_id, now=late)

    assert Delivery.objects.get().status == Delivery.Status.DEFERRED
    assert Delivery.objects.get().not_before == datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
    assert push_service.received == []
    deliveries.delivery_send(delivery_id=delivery_id, now=datetime(2026, 1, 15, 6, 0, tzinfo=UTC))
    assert len(push_service.received) == 1


# 2. The weekly impact note by Slack


@pytest.mark.django_db
def test_the_weekly_impact_note_reaches_slack_as_one_direct_message(cast, slack_api):
    today = _digest_today(cast)
    _a_week_of_shares(cast)
    _connect_slack(cast)
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.SLACK, language="da")

    digests_send_due_task()
    digests_send_due_task()
    weekly_impact_notify_task(cast.emma.id, today.isoformat())

    me = member_side(membership=cast.emma, filters=digest_period(today, cast.org))
    [dm] = _dms(slack_api)
    assert dm["channel"] == "U0EMMA123"
    assert f"Dine delinger denne uge: {me.shares} deling" in dm["text"]
    button = dm["blocks"][-1]["elements"][0]
    assert button["url"] == settings.SITE_URL + reverse("analytics:my_impact")
    lookups = [body for path, _headers, body in slack_api.calls if path == "/api/users.lookupByEmail"]
    assert lookups == [{"email": "emma@acme.test"}]
    assert Delivery.objects.get(channel=Channel.SLACK).subject == _iso(today)


@pytest.mark.django_db
def test_no_impact_message_on_slack_without_a_connection_or_the_persons_choice(cast, slack_api):
    today = _digest_today(cast)
    _a_week_of_shares(cast)
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.SLACK)
    assert weekly_impact_notify_task(cast.emma.id, today.isoformat()) == 0  # Slack not connected
    _connect_slack(cast)
    _choose(cast.emma, Event.WEEKLY_IMPACT, Channel.SLACK, on=False)
    assert weekly_impact_notify_task(cast.emma.id, today.isoformat()) == 0
    assert _dms(slack_api) == []


# 3. The failed-share email


def _failed_share(cast, *, status=Share.Status.FAILED, error="The network said: text too long"):
    return Share.objects.create(
        organization=cast.org,
        post=PostFactory.published(organization=cast.org, title="Launch day"),
        profile=SocialProfileFactory(owner_membership=cast.emma, network="mastodon"),
        member=cast.emma,
        network="mastodon",
        comment="Proud",
        final_text="Proud",
        status=status,
        last_error=error,
    )


@pytest.mark.django_db
def test_a_failed_share_is_emailed_once_with_the_reason_and_a_link_to_my_shares(cast):
    share = _failed_share(cast)
    share_failed_notify_task(share.id)
    share_failed_notify_task(share.id)
    for delivery in Delivery.objects.all():
        delivery_send_task(delivery.id)

    [message] = mail.outbox
    assert message.to == ["emma@acme.test"]
    label = share.profile.network_adapter.label
    assert label in message.subject
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Launch day" in body
        assert "text too long" in body
        assert settings.SITE_URL + reverse("advocacy:my_shares") in body
    assert message.extra_headers["List-Unsubscribe"].startswith("<" + settings.SITE_URL)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Delivery.objects.get(channel=Channel.EMAIL)
    assert (row.event, row.status) == (Event.SHARE_FAILED, Delivery.Status.SENT)


@pytest.mark.django_db
def test_the_failed_share_email_is_in_the_persons_language(cast):
    _choose(cast.emma, Event.SHARE_FAILED, Channel.EMAIL, language="da")
    share_failed_notify_task(_failed_share(cast).id)
    [message] = mail.outbox
    assert message.subject.startswith("Din deling til")
    assert "Se den og prøv igen under Mine delinger" in message.body


@pytest.mark.django_db
def test_no_failed_share_email_for_a_profile_to_reconnect_or_with_that_email_off(cast):
    share_failed_notify_task(_failed_share(cast, status=Share.Status.NEEDS_RECONNECT).id)
    assert mail.outbox == []
    _choose(cast.emma, Event.SHARE_FAILED, Channel.EMAIL, on=False)
    share_failed_notify_task(_failed_share(cast).id)
    assert mail.outbox == []
    assert not Delivery.objects.filter(channel=Channel.EMAIL).exists()


@pytest.mark.django_db
def test_a_share_sent_since_it_failed_is_not_emailed(cast):
    share = _failed_share(cast)
    [delivery_id] = deliveries.share_failed_fan_out(share_id=share.id)
    Share.objects.filter(pk=share.id).update(status=Share.Status.POSTED)
    deliveries.delivery_send(delivery_id=delivery_id)
    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


@pytest.mark.django_db
def test_one_click_unsubscribe_stops_failed_share_emails_only(cast):
    _choose(cast.emma, Event.SHARE_FAILED, Channel.EMAIL, new_post_email=EmailFrequency.IMMEDIATELY)
    share_failed_notify_task(_failed_share(cast).id)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.SITE_URL)
    page = Client().get(link).content.decode()
    assert "failed shares" in page
    assert preferences_for(membership=cast.emma).wants(Event.SHARE_FAILED, Channel.EMAIL)

    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    wanted = preferences_for(membership=cast.emma)
    assert not wanted.wants(Event.SHARE_FAILED, Channel.EMAIL)
    assert wanted.new_post_email == EmailFrequency.IMMEDIATELY
    assert wanted.wants(Event.SHARE_FAILED, Channel.PUSH)


# 4. A personal Slack message for each new post


@pytest.mark.django_db
def test_a_new_post_reaches_slack_as_a_direct_message_with_a_composer_button(cast, slack_api):
    _connect_slack(cast)
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    slack_api.users["mike@acme.test"] = "U0MIKE123"
    _choose(cast.emma, Event.NEW_POST, Channel.SLACK)
    post = PostFactory.published(organization=cast.org, title="Big launch")

    post_published_notify_task(post.id)
    post_published_notify_task(post.id)
    for delivery in Delivery.objects.filter(channel=Channel.SLACK):
        delivery_send_task(delivery.id)

    # Mike left it at the default (off): team channels carry new posts.
    [dm] = _dms(slack_api)
    assert dm["channel"] == "U0EMMA123"
    assert "Big launch" in dm["text"]
    button = dm["blocks"][-1]["elements"][0]
    assert button["url"] == settings.SITE_URL + reverse("advocacy:compose", args=[post.id])
    assert button["action_id"] == "open_composer"


@pytest.mark.django_db
def test_the_new_post_direct_message_is_in_the_persons_language(cast, slack_api):
    _connect_slack(cast)
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    _choose(cast.emma, Event.NEW_POST, Channel.SLACK, language="da")
    post_published_notify_task(PostFactory.published(organization=cast.org).id)
    [dm] = _dms(slack_api)
    assert dm["blocks"][-1]["elements"][0]["text"]["text"] == "Del med mine egne ord"


@pytest.mark.django_db
def test_no_new_post_direct_message_without_slack_or_for_a_withdrawn_post(cast, slack_api):
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    _choose(cast.emma, Event.NEW_POST, Channel.SLACK)
    post = PostFactory.published(organization=cast.org)
    post_published_notify_task(post.id)
    assert not Delivery.objects.filter(channel=Channel.SLACK).exists()
    _connect_slack(cast)
    [delivery_id] = [
        row
        for row in deliveries.post_published_fan_out(post_id=post.id)
        if Delivery.objects.get(pk=row).channel == Channel.SLACK
    ]
    post.status = "draft"
    post.save()
    deliveries.delivery_send(delivery_id=delivery_id)
    assert _dms(slack_api) == []
    assert Delivery.objects.get(pk=delivery_id).status == Delivery.Status.SKIPPED
