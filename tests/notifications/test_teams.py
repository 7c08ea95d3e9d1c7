"""Microsoft Teams: new posts as Adaptive Cards through a team's incoming webhook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import ChannelMessage, TeamChannel
from notifications.services import channels
from notifications.tasks import post_published_notify_task
from tests.factories import PostFactory


def _route(cast, teams_webhook):
    return TeamChannel.objects.create(
        organization=cast.org,
        team=cast.sales,
        teams_webhook=teams_webhook.base_url + "/webhookb2/abc/IncomingWebhook/def",
    )


@pytest.mark.django_db
def test_a_new_post_goes_to_the_teams_channel_as_an_adaptive_card(cast, teams_webhook):
    _route(cast, teams_webhook)
    post = PostFactory.published(organization=cast.org, title="Office opening", audience=[cast.sales])
    post_published_notify_task(post.id)
    post_published_notify_task(post.id)
    assert len(teams_webhook.calls) == 1
    path, _headers, body = teams_webhook.calls[0]
    assert path == "/webhookb2/abc/IncomingWebhook/def"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "Office opening"
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["title"] == "Open in Chorus"
    assert card["actions"][0]["url"].endswith(reverse("advocacy:compose", args=[post.id]))


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_4xx_marks_the_webhook_broken_with_a_clear_state(cast, login, teams_webhook, status):
    _route(cast, teams_webhook)
    teams_webhook.scripted.append((status, {}, {"error": "gone"}))
    post_published_notify_task(PostFactory.published(organization=cast.org).id)
    route = TeamChannel.objects.get()
    assert route.teams_state == TeamChannel.State.BROKEN
    assert str(status) in route.teams_problem
    assert ChannelMessage.objects.get().status == ChannelMessage.Status.FAILED
    page = login(cast.alice).get(reverse("notifications:team_channels")).content.decode()
    assert "teams-broken" in page
    post_published_notify_task(PostFactory.published(organization=cast.org).id)
    assert len(teams_webhook.calls) == 1


@pytest.mark.django_db
def test_a_rate_limited_webhook_is_retried_after_the_wait_and_sent_once(cast, teams_webhook):
    _route(cast, teams_webhook)
    teams_webhook.scripted.append((429, {"Retry-After": "9"}, {"error": "slow down"}))
    post = PostFactory.published(organization=cast.org)
    [message_id] = channels.post_channels_plan(post_id=post.id)
    assert channels.channel_message_send(message_id=message_id) == 9
    assert channels.channel_message_send(message_id=message_id) is None
    assert channels.channel_message_send(message_id=message_id) is None
    assert len(teams_webhook.calls) == 2
    assert ChannelMessage.objects.get().status == ChannelMessage.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "webhook", ["http://outlook.example.com/webhook", "https://10.1.2.3/webhook", "https://localhost/hook", "nonsense"]
)
def test_an_admin_cannot_store_a_webhook_that_is_not_public_https(cast, login, webhook):
    response = login(cast.alice).post(reverse("notifications:team_channels"), {f"teams-{cast.sales.id}": webhook})
    assert response.status_code == 400
    assert not TeamChannel.objects.exists()


@pytest.mark.django_db
def test_the_stored_webhook_is_encrypted_and_never_shown_again(cast, login, teams_webhook):
    from django.db import connection

    url = teams_webhook.base_url + "/webhookb2/secret-part"
    response = login(cast.alice).post(
        reverse("notifications:team_channels"), {f"teams-{cast.sales.id}": url, f"slack-{cast.sales.id}": "#sales"}
    )
    assert response.status_code == 302
    route = TeamChannel.objects.get()
    assert route.teams_webhook == url
    assert route.slack_channel == "#sales"
    with connection.cursor() as cursor:
        cursor.execute("SELECT teams_webhook FROM notifications_teamchannel")
        assert "secret-part" not in cursor.fetchone()[0]
    assert "secret-part" not in login(cast.alice).get(reverse("notifications:team_channels")).content.decode()
