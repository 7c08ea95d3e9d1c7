"""Beat publishes a post; a real worker plans and sends the push to the device."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Delivery
from notifications.services.push import push_subscription_save
from tests.factories import PostFactory
from tests.worker import running_worker, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_post_published_by_beat_reaches_the_device_through_a_real_worker(cast, push_service, monkeypatch):
    # The worker is another process: it reads the keys from its environment.
    monkeypatch.setenv("VAPID_PUBLIC_KEY", settings.VAPID_PUBLIC_KEY)
    monkeypatch.setenv("VAPID_PRIVATE_KEY", settings.VAPID_PRIVATE_KEY)
    monkeypatch.setenv("VAPID_SUBJECT", settings.VAPID_SUBJECT)
    device = push_service.device("phone")
    push_subscription_save(membership=cast.emma, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
    post = PostFactory(
        organization=cast.org, title="Due now", status="scheduled", publish_at=timezone.now() - timedelta(minutes=1)
    )
    with running_worker():
        celery_app.send_task(celery_app.conf.beat_schedule["publish-due-posts"]["task"])
        wait_for(lambda: Delivery.objects.filter(status=Delivery.Status.SENT).exists(), timeout=60)
        # Beat again: the post is published already and nothing is planned twice.
        celery_app.send_task(celery_app.conf.beat_schedule["release-notifications"]["task"])
    assert [item.message["title"] for item in push_service.received] == [post.title]
    assert push_service.refused == []
