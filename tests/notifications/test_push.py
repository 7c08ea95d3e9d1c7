"""Web push end to end against a local push service that checks VAPID and decrypts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from content.services import post_publish_now
from notifications.models import Channel, Delivery, PushSubscription
from notifications.selectors import preferences_for
from notifications.services import deliveries
from notifications.services.preferences import preferences_save
from notifications.services.push import push_subscription_save
from notifications.tasks import delivery_send_task, post_published_notify_task
from tests.factories import PostFactory


def _subscribe(membership, device):
    return push_subscription_save(
        membership=membership, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, device="Test browser"
    )


def _publish(cast, **kwargs):
    post = PostFactory(organization=cast.org, title="Our new office opens", status="draft", **kwargs)
    post_publish_now(post=post)
    return post


@pytest.mark.django_db
def test_a_published_post_reaches_every_device_as_the_notification_sent(cast, push_service):
    phone, laptop = push_service.device("phone"), push_service.device("laptop")
    _subscribe(cast.emma, phone)
    _subscribe(cast.emma, laptop)
    post = _publish(cast)

    post_published_notify_task(post.id)

    assert push_service.refused == []
    assert sorted(item.path for item in push_service.received) == sorted(
        [phone.endpoint.removeprefix(push_service.base_url), laptop.endpoint.removeprefix(push_service.base_url)]
    )
    for item in push_service.received:
        assert item.message == {
            "title": "Our new office opens",
            "body": "New post to share from Acme",
            "url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id]),
            "tag": f"post-{post.id}",
        }
        assert item.claims["aud"] == push_service.base_url
        assert item.vapid_key == settings.VAPID_PUBLIC_KEY
    assert Delivery.objects.filter(channel=Channel.PUSH, status=Delivery.Status.SENT).count() == 2


@pytest.mark.django_db
def test_the_notification_is_in_the_persons_language(cast, push_service):
    device = push_service.device("phone")
    _subscribe(cast.emma, device)
    current = preferences_for(membership=cast.emma)
    preferences_save(membership=cast.emma, grid=current.grid, new_post_email=current.new_post_email, language="da")
    post = _publish(cast)
    post_published_notify_task(post.id)
    assert [item.message["body"] for item in push_service.received] == ["Nyt opslag at dele fra Acme"]


@pytest.mark.django_db
def test_nothing_is_sent_twice_when_the_fan_out_and_the_send_are_retried(cast, push_service):
    _subscribe(cast.emma, push_service.device("phone"))
    post = _publish(cast)
    post_published_notify_task(post.id)
    post_published_notify_task(post.id)
    for delivery in Delivery.objects.all():
        delivery_send_task(delivery.id)
    assert len(push_service.received) == 1
    assert Delivery.objects.get().attempts == 1


@pytest.mark.django_db
def test_a_device_the_push_service_forgot_is_removed(cast, push_service):
    _subscribe(cast.emma, push_service.device("phone"))
    push_service.answers.append((410, {}))
    post = _publish(cast)
    post_published_notify_task(post.id)
    assert not PushSubscription.objects.filter(membership=cast.emma).exists()
    assert Delivery.objects.get().status == Delivery.Status.GONE


@pytest.mark.django_db
def test_a_rate_limited_push_waits_for_retry_after_and_is_sent_once(cast, push_service):
    _subscribe(cast.emma, push_service.device("phone"))
    push_service.answers.append((429, {"Retry-After": "120"}))
    post = _publish(cast)
    deliveries.post_published_fan_out(post_id=post.id)
    delivery = Delivery.objects.get()
    started = datetime.now(UTC)

    wait = deliveries.delivery_send(delivery_id=delivery.id, now=started)

    assert wait == 120
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DEFERRED
    assert delivery.not_before == started + timedelta(seconds=120)
    assert deliveries.delivery_send(delivery_id=delivery.id, now=started + timedelta(seconds=60)) is None
    assert push_service.received == []
    assert deliveries.deliveries_due(now=started + timedelta(seconds=121)) == [delivery.id]
    deliveries.delivery_send(delivery_id=delivery.id, now=started + timedelta(seconds=121))
    deliveries.delivery_send(delivery_id=delivery.id, now=started + timedelta(seconds=122))
    assert len(push_service.received) == 1


@pytest.mark.django_db
def test_quiet_hours_defer_the_push_to_their_end_in_the_organizations_time_zone(cast, push_service):
    cast.org.timezone = "Europe/Copenhagen"
    cast.org.save()
    _subscribe(cast.emma, push_service.device("phone"))
    current = preferences_for(membership=cast.emma)
    preferences_save(
        membership=cast.emma, grid=current.grid, new_post_email=current.new_post_email, quiet_start=22, quiet_end=7
    )
    post = _publish(cast)
    deliveries.post_published_fan_out(post_id=post.id)
    delivery = Delivery.objects.get()
    # 23:30 in Copenhagen in winter (UTC+1) is 22:30 UTC; quiet hours end at 07:00 local, 06:00 UTC.
    late = datetime(2026, 1, 14, 22, 30, tzinfo=UTC)
    Delivery.objects.update(not_before=late - timedelta(minutes=1))  # planned a minute before, on that clock

    deliveries.delivery_send(delivery_id=delivery.id, now=late)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DEFERRED
    assert delivery.not_before == datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
    assert push_service.received == []
    assert deliveries.deliveries_due(now=datetime(2026, 1, 15, 5, 59, tzinfo=UTC)) == []
    assert deliveries.deliveries_due(now=datetime(2026, 1, 15, 6, 0, tzinfo=UTC)) == [delivery.id]
    deliveries.delivery_send(delivery_id=delivery.id, now=datetime(2026, 1, 15, 6, 0, tzinfo=UTC))
    assert len(push_service.received) == 1


@pytest.mark.django_db
def test_a_person_with_push_off_gets_no_push(cast, push_service):
    _subscribe(cast.emma, push_service.device("phone"))
    current = preferences_for(membership=cast.emma)
    grid = {event: dict.fromkeys(row, False) for event, row in current.grid.items()}
    preferences_save(membership=cast.emma, grid=grid, new_post_email="off")
    post_published_notify_task(_publish(cast).id)
    assert push_service.received == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_people_outside_the_posts_teams_get_nothing(cast, push_service):
    _subscribe(cast.emma, push_service.device("emma"))  # Nordics, under Sales
    _subscribe(cast.carol, push_service.device("carol"))  # Marketing
    post = _publish(cast, audience=[cast.sales])
    post_published_notify_task(post.id)
    assert [item.path.split("-")[0] for item in push_service.received] == ["/push/emma"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/send/abc",
        "https://127.0.0.1/send/abc",
        "https://10.0.0.8/send/abc",
        "https://localhost/send/abc",
        "https://[::1]/send/abc",
        "https://2130706433/send/abc",
        "javascript:alert(1)",
        "not an address",
    ],
)
def test_a_subscription_endpoint_that_is_not_public_https_is_refused(cast, endpoint):
    with pytest.raises(ValidationError):
        push_subscription_save(
            membership=cast.emma, endpoint=endpoint, p256dh="B" + "A" * 86, auth="A" * 22, device="x"
        )
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
def test_the_subscribe_view_refuses_a_private_endpoint_with_a_message(cast, login):
    client = login(cast.emma)
    response = client.post(
        reverse("notifications:push_subscribe"),
        {"endpoint": "https://192.168.1.1/push", "p256dh": "B" + "A" * 86, "auth": "A" * 22},
    )
    assert response.status_code == 400
    assert "not a public internet address" in response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
def test_the_subscribe_view_stores_a_public_https_subscription_and_refuses_bad_keys(cast, login, push_service):
    device = push_service.device("phone")
    client = login(cast.emma)
    bad = client.post(
        reverse("notifications:push_subscribe"), {"endpoint": device.endpoint, "p256dh": "short", "auth": device.auth}
    )
    assert bad.status_code == 400
    good = client.post(
        reverse("notifications:push_subscribe"),
        {"endpoint": device.endpoint, "p256dh": device.p256dh, "auth": device.auth},
    )
    assert good.status_code == 201
    assert PushSubscription.objects.get().membership == cast.emma


@pytest.mark.django_db
def test_nobody_removes_another_organizations_device(cast, login, push_service):
    subscription = _subscribe(cast.emma, push_service.device("phone"))
    response = login(cast.olga).post(reverse("notifications:push_unsubscribe", args=[subscription.id]))
    assert response.status_code == 404
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    mine = login(cast.emma).post(reverse("notifications:push_unsubscribe", args=[subscription.id]))
    assert mine.status_code == 302
    assert not PushSubscription.objects.exists()
