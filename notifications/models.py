"""Who is told what, on which channel, and a record of every message sent.

Preferences are a grid of events × channels: the organization sets the defaults, and
a person who saves their own page keeps a copy of their own from then on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.crypto import EncryptedTextField


class Event(models.TextChoices):
    NEW_POST = "new_post", _("New post for my teams")
    SHARE_FAILED = "share_failed", _("My share failed or needs reconnecting")
    WEEKLY_IMPACT = "weekly_impact", _("Weekly impact note")


class Channel(models.TextChoices):
    PUSH = "push", _("Web push")
    EMAIL = "email", _("Email")
    SLACK = "slack", _("Slack")


class EmailFrequency(models.TextChoices):
    OFF = "off", _("Off")
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


# What an organization starts with: failures reach people on every channel they set
# up, news by push and in the weekly note, nothing by email at once; a personal Slack
# message for each new post only for those who ask (team channels already carry them).
DEFAULT_GRID: dict[str, dict[str, bool]] = {
    Event.NEW_POST: {Channel.PUSH: True, Channel.EMAIL: True, Channel.SLACK: False},
    Event.SHARE_FAILED: {Channel.PUSH: True, Channel.EMAIL: True, Channel.SLACK: True},
    Event.WEEKLY_IMPACT: {Channel.PUSH: False, Channel.EMAIL: True, Channel.SLACK: False},
}
DEFAULT_NEW_POST_EMAIL = EmailFrequency.WEEKLY
# The cells of the grid that send something: every one. The email about a profile to
# reconnect is sent by connected profiles themselves (the failed-share email covers the
# rest); the weekly impact note by email is the weekly digest, and by push or Slack a
# short summary sent when the digest goes out.
OFFERED: frozenset[tuple[str, str]] = frozenset(
    {
        (Event.NEW_POST, Channel.PUSH),
        (Event.NEW_POST, Channel.EMAIL),
        (Event.NEW_POST, Channel.SLACK),
        (Event.SHARE_FAILED, Channel.PUSH),
        (Event.SHARE_FAILED, Channel.EMAIL),
        (Event.SHARE_FAILED, Channel.SLACK),
        (Event.WEEKLY_IMPACT, Channel.PUSH),
        (Event.WEEKLY_IMPACT, Channel.EMAIL),
        (Event.WEEKLY_IMPACT, Channel.SLACK),
    }
)


def default_grid() -> dict[str, dict[str, bool]]:
    return {str(event): {str(channel): on for channel, on in row.items()} for event, row in DEFAULT_GRID.items()}


class OrganizationDefaults(models.Model):
    """An organization's defaults for people who have not set their own."""

    organization = models.OneToOneField("employees.Organization", on_delete=models.CASCADE, related_name="+")
    grid = models.JSONField(default=default_grid)
    new_post_email = models.CharField(max_length=12, choices=EmailFrequency.choices, default=DEFAULT_NEW_POST_EMAIL)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.organization_id)


class MemberPreferences(models.Model):
    """One person's own choices in one organization."""

    membership = models.OneToOneField("employees.Membership", on_delete=models.CASCADE, related_name="+")
    grid = models.JSONField(default=default_grid)
    new_post_email = models.CharField(max_length=12, choices=EmailFrequency.choices, default=DEFAULT_NEW_POST_EMAIL)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # Hours 0-23 in the organization's time zone; both empty: no quiet hours.
    quiet_start = models.PositiveSmallIntegerField(null=True, blank=True)
    quiet_end = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(quiet_start__isnull=True) & models.Q(quiet_end__isnull=True))
                | (models.Q(quiet_start__lte=23) & models.Q(quiet_end__lte=23)),
                name="notifications_quiet_hours_valid",
            )
        ]

    def __str__(self) -> str:
        return str(self.membership_id)


class PushSubscription(models.Model):
    """One browser on one device that asked for web push, for one person."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("employees.Membership", on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    device = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.device or str(self.pk)


class Delivery(models.Model):
    """One message for one event, person, channel and target, claimed before it goes.

    The unique rule is what makes "only once" hold: a retried task, a second worker or
    a repeated fan-out finds the row and sends nothing. A row whose worker died in the
    middle of sending stays "sending" and is not tried again: a notice missed is
    better than one sent twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DEFERRED = "deferred", _("Waiting for quiet hours to end")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        GONE = "gone", _("Device gone")
        SKIPPED = "skipped", _("Not sent: turned off")

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("employees.Membership", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # What the event is about ("post:12") and where it goes (a push subscription's id).
    subject = models.CharField(max_length=60)
    target = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    not_before = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "event", "channel", "subject", "target"], name="notification_delivered_once"
            )
        ]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.event} {self.subject} → {self.membership_id} ({self.channel})"


class SlackConnection(models.Model):
    """An organization's Slack workspace, connected by an admin through OAuth v2."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Connected")
        BROKEN = "broken", _("Needs connecting again")

    organization = models.OneToOneField("employees.Organization", on_delete=models.CASCADE, related_name="+")
    team_id = models.CharField(max_length=32)
    team_name = models.CharField(max_length=200, blank=True)
    bot_user_id = models.CharField(max_length=32, blank=True)
    bot_token = EncryptedTextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    problem = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    connected_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.team_name or self.team_id


class TeamChannel(models.Model):
    """Where a team's new posts go: a Slack channel, a Microsoft Teams incoming webhook, or both."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Working")
        BROKEN = "broken", _("Broken")

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    team = models.OneToOneField("employees.Team", on_delete=models.CASCADE, related_name="+")
    slack_channel = models.CharField(max_length=80, blank=True)
    teams_webhook = EncryptedTextField(blank=True, default="")
    teams_state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    teams_problem = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.team_id)


class ChannelMessage(models.Model):
    """One post announced in one team channel, claimed before it is sent (once only)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    route = models.ForeignKey(TeamChannel, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=10)  # "slack" or "teams"
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["route", "service", "post"], name="channel_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.post_id} → {self.route_id}"
