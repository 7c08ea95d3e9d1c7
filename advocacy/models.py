"""The sharing core: a share of a post to one profile, its tracked link and the clicks."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Share(models.Model):
    """One post passed on through one profile: the unit that is pushed and measured."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        POSTING = "posting", _("Posting")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
        # Facebook: the sharer got the text and the dialog; nothing says it was posted
        # until someone follows its tracked link (then it is "posted", unverified).
        HANDED_OFF = "handed_off", _("Handed off")

    FINAL_STATES = (Status.POSTED, Status.FAILED, Status.NEEDS_RECONNECT, Status.HANDED_OFF)

    class Twist(models.TextChoices):
        """How personal the comment is: the authenticity guard's verdict."""

        PERSONAL = "personal", _("Personal comment")
        EMPTY = "empty", _("No comment")
        CAPTION = "caption", _("Suggested caption as is")
        NEAR_DUPLICATE = "near_duplicate", _("Near-identical to colleagues")

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="shares")
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="shares")
    profile = models.ForeignKey("employees.SocialProfile", on_delete=models.PROTECT, related_name="shares")
    # The sharer; empty for the company's own profiles. Kept when a person leaves.
    member = models.ForeignKey(
        "employees.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="shares"
    )
    network = models.CharField(max_length=20)
    # 1 for the first share of a post to a profile; "share again" takes the next number,
    # so an accidental double submit hits the unique rule instead of posting twice.
    sequence = models.PositiveSmallIntegerField(default=1)

    # The company's own share of the same post that this one quotes (an employee
    # amplifying the company's post); empty for an ordinary share with a link.
    quoted_share = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="amplifications"
    )

    comment = models.TextField(_("personal comment"), blank=True)
    # The words sent (comment and disclosure) and the full text with the link, both
    # fixed when the share is made: later edits of the post or the rules change neither.
    body_text = models.TextField(blank=True)
    final_text = models.TextField(_("text sent"))
    twist = models.CharField(max_length=20, choices=Twist.choices, default=Twist.PERSONAL)
    twist_similarity = models.FloatField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    posting_started_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    # Facebook shares go through the share dialog: nothing confirms they happened.
    verified = models.BooleanField(default=True)
    # Followers of the profile when the share went out: the share's potential reach.
    followers_at_share = models.PositiveIntegerField(null=True, blank=True)
    metrics_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "profile", "sequence"], name="share_once_per_post_profile"),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"]),
            models.Index(fields=["status", "posting_started_at"]),
            models.Index(fields=["member", "-created_at"]),
            # The feed's "shared by me" mark: one probe per post shown, however many the person shared.
            models.Index(fields=["member", "post"], name="share_member_post"),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["post", "status"]),
            models.Index(fields=["status", "posted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.network} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATES


class TrackedLink(models.Model):
    """A short code that redirects to exactly one stored target, with UTM parameters."""

    code = models.CharField(max_length=16, unique=True)
    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    share = models.OneToOneField(Share, on_delete=models.CASCADE, related_name="tracked_link", null=True)
    target_url = models.URLField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """One visit of a tracked link. No IP address is stored."""

    # No foreign key constraint and no index of its own: the constraint's check cost
    # every click a lookup of the link that the one statement writing the click has
    # just made (advocacy/links.py), and the (link, at) index below serves every read
    # by link. Clicks still go when their link is deleted (the ORM's cascade).
    link = models.ForeignKey(
        TrackedLink, on_delete=models.CASCADE, related_name="clicks", db_constraint=False, db_index=False
    )
    at = models.DateTimeField(db_index=True)
    is_bot = models.BooleanField(default=False)
    # A daily, salted hash of the visitor, for unique-click counts without identifying anyone.
    visitor = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["link", "at"])]

    def __str__(self) -> str:
        return f"{self.link_id} @ {self.at}"
