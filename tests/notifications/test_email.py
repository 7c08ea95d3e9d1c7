"""Immediate email about new posts: the person's language, once, and one-click unsubscribe."""

from __future__ import annotations

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from content.services import post_publish_now, posts_publish_due, suggestion_approve
from notifications.models import Delivery, EmailFrequency
from notifications.selectors import preferences_for
from notifications.services.email import unsubscribe_token
from notifications.services.preferences import preferences_save
from notifications.tasks import delivery_send_task, post_published_notify_task
from tests.factories import PostFactory


def _wants_email_at_once(membership, *, language: str = "") -> None:
    current = preferences_for(membership=membership)
    preferences_save(
        membership=membership, grid=current.grid, new_post_email=EmailFrequency.IMMEDIATELY, language=language
    )


def _published(cast, **kwargs):
    post = PostFactory(organization=cast.org, title="Quarterly results are out", status="draft", **kwargs)
    post_publish_now(post=post)
    return post


@pytest.mark.django_db
def test_a_new_post_is_emailed_at_once_to_those_who_asked_and_no_one_else(cast):
    _wants_email_at_once(cast.emma)
    post = _published(cast)
    post_published_notify_task(post.id)
    # Mike and Carol keep the organization's default (weekly): the digest tells them.
    assert [message.to for message in mail.outbox] == [["emma@acme.test"]]
    message = mail.outbox[0]
    assert "Quarterly results are out" in message.subject
    assert reverse("advocacy:compose", args=[post.id]) in message.body
    html = message.alternatives[0][0]
    assert "Quarterly results are out" in html


@pytest.mark.django_db
def test_the_email_carries_rfc_8058_one_click_unsubscribe_headers(cast):
    _wants_email_at_once(cast.emma)
    post_published_notify_task(_published(cast).id)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<") and link.endswith(">")
    assert reverse("notifications:unsubscribe", args=[unsubscribe_token(cast.emma.id)]) in link


@pytest.mark.django_db
def test_the_email_is_in_the_persons_language_not_the_organizations(cast):
    assert cast.org.language == "en"
    _wants_email_at_once(cast.emma, language="da")
    _wants_email_at_once(cast.mike)
    post_published_notify_task(_published(cast).id)
    by_person = {message.to[0]: message for message in mail.outbox}
    assert by_person["emma@acme.test"].subject.startswith("Nyt opslag at dele")
    assert "Del det med dine egne ord" in by_person["emma@acme.test"].body
    assert by_person["mike@acme.test"].subject.startswith("New post to share")


@pytest.mark.django_db
def test_retries_never_send_an_email_twice(cast):
    _wants_email_at_once(cast.emma)
    post = _published(cast)
    post_published_notify_task(post.id)
    post_published_notify_task(post.id)
    delivery = Delivery.objects.get()
    delivery_send_task(delivery.id)
    delivery_send_task(delivery.id)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 1


@pytest.mark.django_db
def test_a_failed_send_gives_the_claim_back_so_that_the_retry_sends_it(cast, monkeypatch):
    from notifications.services import email

    _wants_email_at_once(cast.emma)
    post = _published(cast)
    from notifications.services import deliveries

    planned = deliveries.post_published_fan_out(post_id=post.id)
    real_send = email.new_post_email_send

    def broken(**kwargs):
        raise ConnectionError("SMTP server went away")

    monkeypatch.setattr(email, "new_post_email_send", broken)
    with pytest.raises(ConnectionError):
        deliveries.delivery_send(delivery_id=planned[0])
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    monkeypatch.setattr(email, "new_post_email_send", real_send)
    deliveries.delivery_send(delivery_id=planned[0])
    deliveries.delivery_send(delivery_id=planned[0])
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_every_channel_off_means_no_message_at_all(cast):
    current = preferences_for(membership=cast.emma)
    off = {event: dict.fromkeys(row, False) for event, row in current.grid.items()}
    preferences_save(membership=cast.emma, grid=off, new_post_email=EmailFrequency.OFF)
    assert preferences_for(membership=cast.emma).everything_off
    post_published_notify_task(_published(cast).id)
    assert mail.outbox == []
    assert not Delivery.objects.filter(membership=cast.emma).exists()


@pytest.mark.django_db(transaction=True)
def test_publishing_by_beat_by_hand_and_by_approval_each_announce_the_post(cast):
    from datetime import timedelta

    from django.utils import timezone

    _wants_email_at_once(cast.emma)
    scheduled = PostFactory(
        organization=cast.org,
        title="Scheduled one",
        status="scheduled",
        publish_at=timezone.now() - timedelta(minutes=1),
    )
    posts_publish_due()
    _published(cast)
    suggestion = PostFactory(organization=cast.org, title="Suggested one", status="pending_approval", source="employee")
    suggestion_approve(post=suggestion, reviewer=cast.carol.user, publish=True)
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 3
    assert any(scheduled.title in subject for subject in subjects)
    assert any("Suggested one" in subject for subject in subjects)


@pytest.mark.django_db
def test_the_unsubscribe_link_shows_a_confirmation_and_changes_nothing_on_get(cast):
    _wants_email_at_once(cast.emma)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(cast.emma.id)])
    response = Client().get(url)
    assert response.status_code == 200
    assert b"emma@acme.test" in response.content
    assert preferences_for(membership=cast.emma).new_post_email == EmailFrequency.IMMEDIATELY


@pytest.mark.django_db
def test_one_click_unsubscribe_posts_without_session_or_csrf_token(cast):
    _wants_email_at_once(cast.emma)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(cast.emma.id)])
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences_for(membership=cast.emma).new_post_email == EmailFrequency.OFF
    post_published_notify_task(_published(cast).id)
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps(1, salt="analytics.digest.unsubscribe"),  # another link's signature
        "x" * 400,
    ],
)
def test_a_forged_or_foreign_unsubscribe_token_is_refused_and_changes_nothing(cast, token):
    _wants_email_at_once(cast.emma)
    response = Client(enforce_csrf_checks=True).post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert preferences_for(membership=cast.emma).new_post_email == EmailFrequency.IMMEDIATELY


@pytest.mark.django_db
def test_a_changed_signature_is_refused(cast):
    _wants_email_at_once(cast.emma)
    token = unsubscribe_token(cast.emma.id)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = Client().post(reverse("notifications:unsubscribe", args=[tampered]))
    assert response.status_code == 404
    assert preferences_for(membership=cast.emma).new_post_email == EmailFrequency.IMMEDIATELY
