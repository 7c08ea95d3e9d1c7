"""New posts in team channels (Slack and Microsoft Teams), each announced once.

A `ChannelMessage` row, unique per route, service and post, is created before
anything is sent and claimed with a conditional update when it is: a repeated
fan-out or a retried task sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from content.models import Post
from employees.access import descendant_team_ids
from employees.locale import override_for
from notifications.models import ChannelMessage, SlackConnection, TeamChannel
from notifications.selectors import slack_connection_active
from notifications.services import slack, teams

BROKER_WAIT_LIMIT = 300


def _routes_for(post: Post):
    routes = TeamChannel.objects.filter(organization_id=post.organization_id).select_related("team")
    audience = set(post.audience_teams.values_list("id", flat=True))
    if audience:
        routes = routes.filter(team_id__in=descendant_team_ids(post.organization_id, audience))
    return routes


def post_channels_plan(*, post_id: int) -> list[int]:
    post = Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).first()
    if post is None:
        return []
    slack_ready = slack_connection_active(organization_id=post.organization_id)
    planned = []
    for route in _routes_for(post):
        services = []
        if route.slack_channel and slack_ready:
            services.append("slack")
        if route.teams_webhook and route.teams_state == TeamChannel.State.ACTIVE:
            services.append("teams")
        for service in services:
            try:
                with transaction.atomic():
                    row = ChannelMessage.objects.create(
                        organization_id=post.organization_id, route=route, service=service, post=post
                    )
            except IntegrityError:
                continue
            planned.append(row.id)
    return planned


def post_content(post: Post) -> dict:
    image = post.images.first() if hasattr(post, "images") else None
    image_url, image_alt = "", ""
    if image is not None:
        image_alt = image.alt_text or post.title
        url = image.display.url
        image_url = url if url.startswith("https://") else settings.SITE_URL + url
    return {
        "title": post.title,
        "text": (post.body or "")[:500],
        "image_url": image_url,
        "image_alt": image_alt,
        "composer_url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id]),
    }


def channel_message_send(*, message_id: int) -> int | None:
    """Send one claimed channel message; seconds to wait before a retry, or None when done."""
    claimed = ChannelMessage.objects.filter(pk=message_id, status=ChannelMessage.Status.PENDING).update(
        status=ChannelMessage.Status.SENDING
    )
    if claimed != 1:
        return None
    message = ChannelMessage.objects.select_related("route", "post", "organization").get(pk=message_id)
    post = message.post
    if post.status != Post.Status.PUBLISHED:
        return _finish(message, ChannelMessage.Status.FAILED, "post no longer live")
    with override_for(message.organization):
        content = post_content(post)
        if message.service == "slack":
            connection = SlackConnection.objects.filter(organization_id=message.organization_id).first()
            if connection is None:
                return _finish(message, ChannelMessage.Status.FAILED, "Slack not connected")
            result = slack.slack_post_to_channel(
                connection=connection,
                channel=message.route.slack_channel,
                title=post.title,
                blocks=slack.post_blocks(**content),
            )
        else:
            result = teams.teams_post(webhook=str(message.route.teams_webhook), card=teams.adaptive_card(**content))
            if result.broken:
                TeamChannel.objects.filter(pk=message.route_id).update(
                    teams_state=TeamChannel.State.BROKEN, teams_problem=result.error[:300]
                )
    if result.sent:
        return _finish(message, ChannelMessage.Status.SENT, "")
    if result.retry_after is not None:
        ChannelMessage.objects.filter(pk=message.pk).update(
            status=ChannelMessage.Status.PENDING, last_error=result.error[:300]
        )
        return result.retry_after
    return _finish(message, ChannelMessage.Status.FAILED, result.error)


def _finish(message: ChannelMessage, status: str, error: str) -> None:
    values = {"status": status, "last_error": error[:300]}
    if status == ChannelMessage.Status.SENT:
        values["sent_at"] = timezone.now()
    ChannelMessage.objects.filter(pk=message.pk).update(**values)
    return None


def channel_messages_due(*, now=None) -> list[int]:
    """Messages whose task was lost or whose wait ran past the broker's limit."""
    now = now or timezone.now()
    return list(
        ChannelMessage.objects.filter(
            status=ChannelMessage.Status.PENDING, created_at__lte=now - timedelta(minutes=3)
        ).values_list("id", flat=True)[:500]
    )
