"""From an event to messages: who is told, on which channels, and sending each once.

Every message is a `Delivery` row, unique per (person, event, subject, channel,
target), created before anything is sent and claimed with a conditional update when
it is. A repeated fan-out finds the rows and queues nothing new; a retried or
duplicated send task finds the row claimed and sends nothing.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from content.models import Post
from content.selectors import post_list_visible_to
from employees.locale import override_for
from employees.models import Membership, Organization
from notifications.models import Channel, Delivery, EmailFrequency, Event, PushSubscription, SlackConnection
from notifications.selectors import (
    organization_zone,
    post_audience,
    preferences_for,
    preferences_for_many,
    push_subscriptions_for,
    quiet_until,
    slack_connection_active,
)
from notifications.services import channels, email, push, slack

logger = logging.getLogger(__name__)

DAILY_PERIOD = timedelta(days=1)
# A pending message whose task was lost (a broker restart, say) is queued again after this.
LOST_AFTER = timedelta(minutes=3)
# Longer waits are kept in the database and released by beat, never held by the broker.
BROKER_WAIT_LIMIT = 300
# Waits asked for by a push service or Slack, before a message counts as failed.
MAX_ATTEMPTS = 5


def _subject_for_post(post_id: int) -> str:
    return f"post:{post_id}"


def _create(*, membership, event: str, channel: str, subject: str, target: str = "") -> Delivery | None:
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                organization_id=membership.organization_id,
                membership=membership,
                event=event,
                channel=channel,
                subject=subject,
                target=target,
            )
    except IntegrityError:
        return None  # planned before: that fan-out queued it


def _plan(*, membership, event: str, channel: str, subject: str) -> list[int]:
    """The new delivery's id, or none when an earlier fan-out planned it."""
    row = _create(membership=membership, event=event, channel=channel, subject=subject)
    return [row.id] if row else []


def _plan_push(*, membership, event: str, subject: str, devices: list[int]) -> list[int]:
    """One web-push delivery per device of the person; the ids of those not planned before."""
    planned = []
    for subscription_id in devices:
        row = _create(
            membership=membership, event=event, channel=Channel.PUSH, subject=subject, target=str(subscription_id)
        )
        if row:
            planned.append(row.id)
    return planned


def _devices(membership) -> list[int]:
    return list(push_subscriptions_for(membership=membership).values_list("id", flat=True))


def post_published_fan_out(*, post_id: int) -> list[int]:
    """Plan the messages for a newly published post; the ids of the deliveries to send."""
    post = Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).first()
    if post is None:
        return []
    audience = post_audience(post=post)
    preferences = preferences_for_many(memberships=audience)
    devices: dict[int, list[int]] = {}
    for membership_id, subscription_id in PushSubscription.objects.filter(
        organization_id=post.organization_id, membership__in=audience
    ).values_list("membership_id", "id"):
        devices.setdefault(membership_id, []).append(subscription_id)
    subject = _subject_for_post(post.id)
    slack_ready = slack_connection_active(organization_id=post.organization_id)
    planned: list[int] = []
    for membership in audience:
        wanted = preferences[membership.id]
        # A personal Slack message, besides the team channels, for those who chose it.
        if wanted.wants(Event.NEW_POST, Channel.SLACK) and slack_ready and membership.user.email:
            planned += _plan(membership=membership, event=Event.NEW_POST, channel=Channel.SLACK, subject=subject)
        if wanted.wants(Event.NEW_POST, Channel.PUSH):
            planned += _plan_push(
                membership=membership, event=Event.NEW_POST, subject=subject, devices=devices.get(membership.id, [])
            )
        # Daily and weekly readers get new posts in the digest, not one email each.
        if wanted.new_post_email == EmailFrequency.IMMEDIATELY and membership.user.email:
            planned += _plan(membership=membership, event=Event.NEW_POST, channel=Channel.EMAIL, subject=subject)
    return planned


def share_failed_fan_out(*, share_id: int) -> list[int]:
    """Plan the push messages telling a person that their share failed or needs reconnecting."""
    from advocacy.models import Share

    share = (
        Share.objects.select_related("member__user", "member__organization")
        .filter(pk=share_id, status__in=[Share.Status.FAILED, Share.Status.NEEDS_RECONNECT])
        .first()
    )
    if share is None or share.member is None:
        return []
    membership = share.member
    if not (membership.is_active and membership.user.is_active):
        return []
    wanted = preferences_for(membership=membership)
    planned = []
    # One message per failure: a share retried and failing again is news again.
    subject = f"share:{share.id}:{share.attempts}"
    slack_ready = slack_connection_active(organization_id=share.organization_id)
    # A profile to reconnect has its own email (sent by connected profiles); a plain
    # failure is emailed here.
    if (
        wanted.wants(Event.SHARE_FAILED, Channel.EMAIL)
        and share.status == Share.Status.FAILED
        and membership.user.email
    ):
        planned += _plan(membership=membership, event=Event.SHARE_FAILED, channel=Channel.EMAIL, subject=subject)
    if wanted.wants(Event.SHARE_FAILED, Channel.SLACK) and slack_ready and membership.user.email:
        planned += _plan(membership=membership, event=Event.SHARE_FAILED, channel=Channel.SLACK, subject=subject)
    if wanted.wants(Event.SHARE_FAILED, Channel.PUSH):
        planned += _plan_push(
            membership=membership, event=Event.SHARE_FAILED, subject=subject, devices=_devices(membership)
        )
    return planned


def _impact_subject(week: date) -> str:
    year, number, _day = week.isocalendar()
    return f"impact:{year}-W{number:02d}"


def weekly_impact_fan_out(*, membership_id: int, week: date) -> list[int]:
    """Plan the weekly impact note by push (each device) and Slack, when the digest goes out.

    `week` is the digest's day; one note per person, ISO week, channel and device.
    """
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=membership_id, is_active=True, is_employee=True, user__is_active=True)
        .first()
    )
    if membership is None:
        return []
    wanted = preferences_for(membership=membership)
    subject = _impact_subject(week)
    planned = []
    slack_wanted = wanted.wants(Event.WEEKLY_IMPACT, Channel.SLACK) and membership.user.email
    if slack_wanted and slack_connection_active(organization_id=membership.organization_id):
        planned += _plan(membership=membership, event=Event.WEEKLY_IMPACT, channel=Channel.SLACK, subject=subject)
    if wanted.wants(Event.WEEKLY_IMPACT, Channel.PUSH):
        planned += _plan_push(
            membership=membership, event=Event.WEEKLY_IMPACT, subject=subject, devices=_devices(membership)
        )
    return planned


def _impact_payload(delivery: Delivery, iso_week: str) -> dict | None:
    """The week's figures, read as the digest reads them; None when there is nothing to say."""
    from analytics.selectors.impact import member_side
    from analytics.selectors.settings import analytics_settings_get
    from analytics.services.digests import digest_period
    from analytics.templatetags.analytics_tags import count

    year, _w, number = iso_week.partition("-W")
    rules = analytics_settings_get(organization_id=delivery.organization_id)
    day = date.fromisocalendar(int(year), int(number), 1) + timedelta(days=rules.digest_weekday)
    me = member_side(membership=delivery.membership, filters=digest_period(day, delivery.organization))
    if me.is_empty:
        return None
    return {
        "title": _("Your week on %(site)s") % {"site": settings.SITE_NAME},
        "body": _("Your shares this week: %(shares)s, %(engagements)s")
        % {
            "shares": ngettext("%(count)s share", "%(count)s shares", me.shares) % {"count": count(me.shares)},
            "engagements": ngettext("%(count)s engagement", "%(count)s engagements", me.engagements)
            % {"count": count(me.engagements)},
        },
        "url": settings.SITE_URL + reverse("analytics:my_impact"),
        "tag": f"impact-{iso_week}",
    }


def daily_emails_plan(*, now=None) -> list[int]:
    """Beat, hourly: claim today's email of new posts for the people who chose daily.

    Sent at the organization's digest hour in its time zone (Analytics settings); a
    beat that was down then catches up later the same day. One per person and day.
    """
    from analytics.selectors.settings import analytics_settings_get

    now = now or timezone.now()
    planned = []
    for organization in Organization.objects.all():
        local = now.astimezone(organization_zone(organization))
        if local.hour < analytics_settings_get(organization_id=organization.id).digest_hour:
            continue
        members = list(
            Membership.objects.filter(organization=organization, is_active=True, is_employee=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", "organization")
        )
        preferences = preferences_for_many(memberships=members)
        for membership in members:
            if preferences[membership.id].new_post_email != EmailFrequency.DAILY:
                continue
            planned += _plan(
                membership=membership,
                event=Event.NEW_POST,
                channel=Channel.EMAIL,
                subject=f"daily:{local.date().isoformat()}",
            )
    return planned


def deliveries_due(*, now=None) -> list[int]:
    """Messages to queue again: quiet hours that ended, waits that ran out, lost tasks."""
    now = now or timezone.now()
    waiting = Q(status=Delivery.Status.DEFERRED, not_before__lte=now) | Q(
        status=Delivery.Status.PENDING, not_before__lte=now - LOST_AFTER
    )
    return list(Delivery.objects.filter(waiting).order_by("not_before").values_list("id", flat=True)[:1000])


def _finish(delivery: Delivery, status: str, *, error: str = "", **fields) -> None:
    values = {"status": status, "last_error": error[:300], **fields}
    if status == Delivery.Status.SENT:
        values["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(**values)


def _post_payload(delivery: Delivery, post: Post) -> dict:
    return {
        "title": post.title,
        "body": _("New post to share from %(organization)s") % {"organization": delivery.organization.name},
        "url": settings.SITE_URL + reverse("advocacy:compose", args=[post.id]),
        "tag": f"post-{post.id}",
    }


def delivery_send(*, delivery_id: int, now=None) -> int | None:
    """Send one claimed message. Returns seconds to wait before a retry, or None when done."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.DEFERRED],
        not_before__lte=now,
    ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    delivery = Delivery.objects.select_related("membership__user", "membership__organization", "organization").get(
        pk=delivery_id
    )
    membership = delivery.membership
    if not (membership.is_active and membership.user.is_active):
        _finish(delivery, Delivery.Status.SKIPPED, error="person inactive")
        return None
    wanted = preferences_for(membership=membership)
    if not wanted.wants(delivery.event, delivery.channel):
        _finish(delivery, Delivery.Status.SKIPPED, error="turned off")
        return None
    kind, _sep, rest = delivery.subject.partition(":")
    post = None
    if kind == "post":
        post = Post.objects.filter(pk=int(rest), organization_id=delivery.organization_id).first()
        if post is None or post.status != Post.Status.PUBLISHED:
            _finish(delivery, Delivery.Status.SKIPPED, error="post no longer live")
            return None
    if delivery.channel == Channel.PUSH:
        with _written_for(delivery, wanted.language):
            if post:
                payload = _post_payload(delivery, post)
            elif kind == "impact":
                payload = _impact_payload(delivery, rest)
            else:
                payload = _share_payload(delivery, int(rest.split(":")[0]))
        if payload is None:
            _finish(delivery, Delivery.Status.SKIPPED, error="nothing to say" if kind == "impact" else "share gone")
            return None
        return _send_push(delivery, wanted, payload, now)
    if delivery.channel == Channel.EMAIL:
        if kind == "daily":
            posts = list(
                post_list_visible_to(membership)
                .filter(published_at__gt=delivery.created_at - DAILY_PERIOD, published_at__lte=delivery.created_at)
                .order_by("-published_at")[:20]
            )
            if not posts:
                _finish(delivery, Delivery.Status.SKIPPED, error="no new posts")
                return None
        share = None
        if kind == "share":
            share = _share(delivery, int(rest.split(":")[0]))
            if share is None or share.status != type(share).Status.FAILED:
                # Gone, or retried and sent since: nothing to tell.
                _finish(delivery, Delivery.Status.SKIPPED, error="share gone")
                return None
        try:
            with override_for(delivery.organization, wanted.language):
                if kind == "daily":
                    email.daily_email_send(membership=membership, posts=posts)
                elif share is not None:
                    email.share_failed_email_send(membership=membership, share=share)
                else:
                    email.new_post_email_send(membership=membership, post=post)
        except Exception:
            # Not sent: give the claim back so that the retried task sends it.
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING)
            raise
        _finish(delivery, Delivery.Status.SENT)
        return None
    if delivery.channel == Channel.SLACK and kind in ("share", "impact", "post"):
        return _send_slack_message(delivery, wanted, kind, rest, post, now)
    _finish(delivery, Delivery.Status.FAILED, error="channel not available")
    return None


def _send_slack_message(delivery: Delivery, wanted, kind: str, rest: str, post, now) -> int | None:
    connection = SlackConnection.objects.filter(organization_id=delivery.organization_id).first()
    if connection is None:
        _finish(delivery, Delivery.Status.SKIPPED, error="Slack not connected")
        return None
    blocks = None
    button = ""
    with _written_for(delivery, wanted.language):
        if kind == "post":
            # The post with a button to the composer, never a one-click share.
            content = channels.post_content(post)
            payload = {"title": post.title, "body": "", "url": content["composer_url"]}
            blocks = slack.post_blocks(**content)
        elif kind == "impact":
            payload = _impact_payload(delivery, rest)
            button = _("Open my impact")
        else:
            payload = _share_payload(delivery, int(rest.split(":")[0]))
    if payload is None:
        _finish(delivery, Delivery.Status.SKIPPED, error="nothing to say" if kind == "impact" else "share gone")
        return None
    result = slack.slack_direct_message(
        connection=connection,
        email=delivery.membership.user.email,
        text=f"{payload['title']}\n{payload['body']}".strip(),
        url=payload["url"],
        button=button,
        blocks=blocks,
    )
    if result.sent:
        _finish(delivery, Delivery.Status.SENT)
        return None
    return _wait_or_fail(delivery, result, now)


@contextmanager
def _written_for(delivery: Delivery, language: str):
    """A message's language, formats and time zone: the person's language, the organization's ways."""
    with override_for(delivery.organization, language), timezone.override(organization_zone(delivery.organization)):
        yield


def _share(delivery: Delivery, share_id: int):
    from advocacy.models import Share

    return (
        Share.objects.select_related("post", "profile")
        .filter(pk=share_id, organization_id=delivery.organization_id, member=delivery.membership)
        .first()
    )


def _share_payload(delivery: Delivery, share_id: int) -> dict | None:
    from advocacy.models import Share

    share = _share(delivery, share_id)
    if share is None:
        return None
    if share.status == Share.Status.NEEDS_RECONNECT:
        body = _("Reconnect your %(network)s profile, then retry.") % {"network": share.profile.network_adapter.label}
    else:
        body = _("Your share on %(network)s did not go out. Open it to see why and retry.") % {
            "network": share.profile.network_adapter.label
        }
    return {
        "title": _("Your share of “%(title)s” failed") % {"title": share.post.title},
        "body": body,
        "url": settings.SITE_URL + reverse("advocacy:my_shares"),
        "tag": f"share-{share.id}",
    }


def _send_push(delivery: Delivery, wanted, payload: dict, now) -> int | None:
    ends = quiet_until(preferences=wanted, organization=delivery.organization, now=now)
    if ends is not None:
        # Quiet hours: kept for later, never dropped; beat releases it when they end.
        _finish(delivery, Delivery.Status.DEFERRED, not_before=ends)
        return None
    subscription = PushSubscription.objects.filter(
        pk=int(delivery.target), membership=delivery.membership, organization_id=delivery.organization_id
    ).first()
    if subscription is None:
        _finish(delivery, Delivery.Status.GONE, error="device unsubscribed")
        return None
    result = push.push_send(subscription=subscription, payload=payload)
    if result.sent:
        _finish(delivery, Delivery.Status.SENT)
        return None
    if result.gone:
        subscription.delete()
        _finish(delivery, Delivery.Status.GONE, error=result.error)
        return None
    return _wait_or_fail(delivery, result, now)


def _wait_or_fail(delivery: Delivery, result, now) -> int | None:
    """A refusal with Retry-After waits (a few attempts at most); any other fails for good."""
    if result.retry_after is not None and delivery.attempts < MAX_ATTEMPTS:
        _finish(
            delivery,
            Delivery.Status.DEFERRED,
            error=result.error,
            not_before=now + timedelta(seconds=result.retry_after),
        )
        return result.retry_after if result.retry_after <= BROKER_WAIT_LIMIT else None
    _finish(delivery, Delivery.Status.FAILED, error=result.error)
    logger.warning("%s message not delivered: %s", delivery.channel, result.error)
    return None
