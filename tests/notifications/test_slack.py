"""Slack: the OAuth v2 connection, team channels, personal messages, Slack's signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.models import Share
from content.services import post_publish_now
from notifications.models import ChannelMessage, SlackConnection, TeamChannel
from notifications.services import channels
from notifications.tasks import channel_message_send_task, post_published_notify_task, share_failed_notify_task
from tests.factories import PostFactory, SocialProfileFactory
from tests.notifications.standins import BOT_TOKEN


def _connect(cast, login, slack_api):
    client = login(cast.alice)
    start = client.get(reverse("notifications:slack_connect"))
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.url).query)
    assert query["client_id"] == [slack_api.client_id]
    assert "chat:write" in query["scope"][0].split(",")
    callback = client.get(reverse("notifications:slack_callback"), {"code": slack_api.code, "state": query["state"][0]})
    assert callback.status_code == 302
    return client


def _route(cast, team, channel="#sales-news"):
    return TeamChannel.objects.create(organization=cast.org, team=team, slack_channel=channel)


@pytest.mark.django_db
def test_an_admin_connects_slack_and_the_bot_token_is_encrypted_at_rest(cast, login, slack_api):
    from django.db import connection

    _connect(cast, login, slack_api)
    stored = SlackConnection.objects.get(organization=cast.org)
    assert stored.team_name == "Acme Slack"
    assert stored.bot_token == BOT_TOKEN
    with connection.cursor() as cursor:
        cursor.execute("SELECT bot_token FROM notifications_slackconnection WHERE id = %s", [stored.id])
        (raw,) = cursor.fetchone()
    assert BOT_TOKEN not in raw
    oauth = [call for call in slack_api.calls if call[0] == "/api/oauth.v2.access"]
    assert oauth[0][2]["redirect_uri"].endswith(reverse("notifications:slack_callback"))


@pytest.mark.django_db
def test_a_callback_with_a_foreign_state_or_a_refused_code_connects_nothing(cast, login, slack_api):
    client = login(cast.alice)
    client.get(reverse("notifications:slack_connect"))
    forged = client.get(reverse("notifications:slack_callback"), {"code": slack_api.code, "state": "someone-elses"})
    assert forged.status_code == 302
    start = client.get(reverse("notifications:slack_connect"))
    state = parse_qs(urlsplit(start.url).query)["state"][0]
    refused = client.get(reverse("notifications:slack_callback"), {"code": "stolen-code", "state": state}, follow=True)
    assert "invalid_code" in refused.content.decode()
    assert not SlackConnection.objects.exists()


@pytest.mark.django_db
def test_only_admins_of_the_organization_reach_the_channel_settings(cast, login, slack_api):
    _connect(cast, login, slack_api)
    assert login(cast.emma).get(reverse("notifications:team_channels")).status_code == 403
    page = login(cast.olga).get(reverse("notifications:team_channels")).content.decode()
    assert "Acme Slack" not in page
    assert "Sales" not in page


@pytest.mark.django_db
def test_a_new_post_goes_to_its_teams_slack_channel_with_a_composer_button(cast, login, slack_api):
    _connect(cast, login, slack_api)
    _route(cast, cast.sales)
    _route(cast, cast.marketing, "#marketing")
    post = PostFactory(organization=cast.org, title="Big launch <today>", status="draft", audience=[cast.nordics])
    post_publish_now(post=post)
    post_published_notify_task(post.id)

    sent = [body for path, _headers, body in slack_api.calls if path == "/api/chat.postMessage"]
    # Nordics is below Sales: Sales' channel is not told of a Nordics-only post; no route for Nordics.
    assert sent == []
    _route(cast, cast.nordics, "C0NORDICS1")
    post_published_notify_task(post.id)
    sent = [(headers, body) for path, headers, body in slack_api.calls if path == "/api/chat.postMessage"]
    assert len(sent) == 1
    headers, body = sent[0]
    assert headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert body["channel"] == "C0NORDICS1"
    assert body["text"] == "Big launch <today>"
    assert "*Big launch &lt;today&gt;*" in body["blocks"][0]["text"]["text"]
    button = body["blocks"][-1]["elements"][0]
    assert button["type"] == "button"
    assert button["url"].endswith(reverse("advocacy:compose", args=[post.id]))


@pytest.mark.django_db
def test_retries_never_post_to_a_channel_twice(cast, login, slack_api):
    _connect(cast, login, slack_api)
    _route(cast, cast.sales)
    post = PostFactory.published(organization=cast.org)
    post_published_notify_task(post.id)
    post_published_notify_task(post.id)
    for message in ChannelMessage.objects.all():
        channel_message_send_task(message.id)
    assert len([call for call in slack_api.calls if call[0] == "/api/chat.postMessage"]) == 1


@pytest.mark.django_db
def test_a_rate_limited_slack_message_waits_for_retry_after(cast, login, slack_api):
    _connect(cast, login, slack_api)
    _route(cast, cast.sales)
    post = PostFactory.published(organization=cast.org)
    [message_id] = channels.post_channels_plan(post_id=post.id)
    slack_api.scripted.append((429, {"Retry-After": "17"}, {"ok": False, "error": "ratelimited"}))
    assert channels.channel_message_send(message_id=message_id) == 17
    assert ChannelMessage.objects.get().status == ChannelMessage.Status.PENDING
    assert channels.channel_message_send(message_id=message_id) is None
    assert ChannelMessage.objects.get().status == ChannelMessage.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth"])
def test_a_revoked_bot_token_marks_the_connection_broken_for_the_admin(cast, login, slack_api, error):
    client = _connect(cast, login, slack_api)
    _route(cast, cast.sales)
    post = PostFactory.published(organization=cast.org)
    [message_id] = channels.post_channels_plan(post_id=post.id)
    slack_api.scripted.append((200, {}, {"ok": False, "error": error}))
    channels.channel_message_send(message_id=message_id)
    connection = SlackConnection.objects.get()
    assert connection.state == SlackConnection.State.BROKEN
    assert error in connection.problem
    page = client.get(reverse("notifications:team_channels")).content.decode()
    assert 'id="slack-broken"' in page
    # Nothing more is tried on a broken connection.
    post_published_notify_task(PostFactory.published(organization=cast.org).id)
    assert len([call for call in slack_api.calls if call[0] == "/api/chat.postMessage"]) == 1


@pytest.mark.django_db
def test_a_failed_share_reaches_its_owner_as_a_slack_direct_message(cast, login, slack_api):
    _connect(cast, login, slack_api)
    slack_api.users["emma@acme.test"] = "U0EMMA123"
    share = Share.objects.create(
        organization=cast.org,
        post=PostFactory.published(organization=cast.org, title="Launch day"),
        profile=SocialProfileFactory(owner_membership=cast.emma, network="mastodon"),
        member=cast.emma,
        network="mastodon",
        status=Share.Status.FAILED,
        last_error="boom",
    )
    share_failed_notify_task(share.id)
    share_failed_notify_task(share.id)
    dms = [body for path, _headers, body in slack_api.calls if path == "/api/chat.postMessage"]
    assert len(dms) == 1
    assert dms[0]["channel"] == "U0EMMA123"
    assert "Launch day" in dms[0]["text"]


def _signed(body: bytes, *, secret: str, timestamp: int) -> dict:
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp), "HTTP_X_SLACK_SIGNATURE": signature}


@pytest.mark.django_db
def test_slacks_signed_request_is_answered_without_a_session_or_csrf_token(settings, slack_api):
    body = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    headers = _signed(body, secret=settings.SLACK_SIGNING_SECRET, timestamp=int(time.time()))
    response = Client(enforce_csrf_checks=True).post(
        reverse("notifications:slack_events"), body, content_type="application/json", **headers
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}


@pytest.mark.django_db
@pytest.mark.parametrize("problem", ["bad signature", "old timestamp", "no signature", "changed body"])
def test_a_request_claiming_to_be_slack_without_a_valid_fresh_signature_gets_401(settings, slack_api, problem):
    body = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
    now = int(time.time())
    headers = _signed(body, secret=settings.SLACK_SIGNING_SECRET, timestamp=now)
    if problem == "bad signature":
        headers = _signed(body, secret="not-the-secret", timestamp=now)
    elif problem == "old timestamp":
        headers = _signed(body, secret=settings.SLACK_SIGNING_SECRET, timestamp=now - 6 * 60)
    elif problem == "no signature":
        headers = {}
    elif problem == "changed body":
        body = body + b"x"
    response = Client().post(
        reverse("notifications:slack_events"), body, content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_slack_message_and_the_teams_card_carry_the_posts_first_image(cast, login, slack_api, media_root):
    from django.core.files.base import ContentFile

    from content.models import PostImage
    from notifications.services import teams
    from tests.images import png

    _connect(cast, login, slack_api)
    _route(cast, cast.sales)
    post = PostFactory.published(organization=cast.org, title="With a picture")
    PostImage.objects.create(post=post, image=ContentFile(png(), name="office.png"), alt_text="The new office")
    post_published_notify_task(post.id)
    [body] = [body for path, _headers, body in slack_api.calls if path == "/api/chat.postMessage"]
    [image] = [block for block in body["blocks"] if block["type"] == "image"]
    assert image["image_url"].startswith("http") and "office" in image["image_url"]
    assert image["alt_text"] == "The new office"
    card = teams.adaptive_card(**channels.post_content(post))
    assert [item["url"] for item in card["attachments"][0]["content"]["body"] if item["type"] == "Image"] == [
        image["image_url"]
    ]
