"""What the comms team publishes: posts, captions, topics, sources and compliance rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.models import Organization, Team
from networks import NETWORK_CHOICES
from networks.media import THUMBNAIL

THUMBNAIL_SIDE = THUMBNAIL.max_side or 480


class Topic(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), "organization", name="topic_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet):
    def live(self, now=None):
        """Published and not past its expiry: what employees may share."""
        now = now or timezone.now()
        return self.filter(status=Post.Status.PUBLISHED).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Expired")
        ARCHIVED = "archived", _("Archived")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        COMMS = "comms", _("Communications")
        EMPLOYEE = "employee", _("Employee suggestion")
        RSS = "rss", _("Feed")
        COLLEAGUE = "colleague", _("Written by an employee")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("context for employees"), blank=True)
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts", verbose_name=_("topics"))
    audience_teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="targeted_posts",
        verbose_name=_("audience"),
        help_text=_("Leave empty for everyone. A team includes every team below it."),
    )
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Only the comms team sees these."))

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.COMMS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # An employee's suggestion: why it is worth sharing, and the comms team's answer.
    suggestion_reason = models.TextField(_("why share this"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    # Link preview, filled by a task from the page's Open Graph and meta tags.
    class PreviewStatus(models.TextChoices):
        NONE = "none", _("No link")
        PENDING = "pending", _("Fetching")
        OK = "ok", _("Fetched")
        FAILED = "failed", _("Failed")

    preview_status = models.CharField(max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.NONE)
    preview_title = models.CharField(max_length=300, blank=True)
    preview_description = models.TextField(blank=True)
    preview_image_url = models.URLField(max_length=1000, blank=True)
    preview_error = models.CharField(max_length=300, blank=True)
    preview_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status", "-published_at"]),
            models.Index(fields=["status", "publish_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["organization", "link_url"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(publish_at__isnull=True)
                | models.Q(expires_at__gt=models.F("publish_at")),
                name="post_expires_after_publish",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PostImage(models.Model):
    """One of a post's pictures (up to four), stored through the configured storage.

    The original is kept as uploaded and never shown in pages: they show the
    thumbnail, made without metadata. Networks get a copy fitted to their limits.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to="posts/%Y/%m/", max_length=300)
    thumbnail = models.FileField(upload_to="posts/thumbs/%Y/%m/", max_length=300, blank=True)
    alt_text = models.TextField(
        _("description (alt text)"), blank=True, help_text=_("What the picture shows, for people who cannot see it.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    # None for images kept from before sizes were recorded.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post image")
        verbose_name_plural = _("post images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name

    @property
    def display(self):
        """The file pages show: the thumbnail, or the original where none was made."""
        return self.thumbnail or self.image

    @property
    def display_size(self) -> tuple[int, int] | None:
        """The thumbnail's width and height, so a page keeps its place while it loads."""
        if not self.width or not self.height:
            return None
        scale = min(1.0, THUMBNAIL_SIDE / max(self.width, self.height))
        return max(1, int(self.width * scale)), max(1, int(self.height * scale))


class CaptionSuggestion(models.Model):
    """A ready-made caption employees may start from, for one network or any."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="captions")
    network = models.CharField(
        _("network"), max_length=20, choices=[("", _("Any network")), *NETWORK_CHOICES], blank=True
    )
    text = models.TextField(_("caption"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("suggested caption")
        verbose_name_plural = _("suggested captions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ComplianceSettings(models.Model):
    """An organization's rules for what goes out in its people's names."""

    class DisclosureMode(models.TextChoices):
        OFF = "off", _("No disclosure")
        APPEND = "append", _("Add it to every share")
        REQUIRE = "require", _("Require employees to include it")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="compliance")
    disclosure_text = models.CharField(
        _("disclosure"), max_length=100, blank=True, help_text=_("For example #employee or #ansat.")
    )
    disclosure_mode = models.CharField(
        _("disclosure rule"), max_length=10, choices=DisclosureMode.choices, default=DisclosureMode.OFF
    )
    blocked_phrases = models.TextField(
        _("blocked words and phrases"),
        blank=True,
        help_text=_("One per line. A caption or comment containing one cannot be saved or shared."),
    )
    alt_text_required = models.BooleanField(
        _("images need a description"),
        default=True,
        help_text=_("Every image of a post must have alt text, for people who use a screen reader."),
    )

    class Meta:
        verbose_name = _("compliance settings")
        verbose_name_plural = _("compliance settings")

    def __str__(self) -> str:
        return str(self.organization)

    def phrases(self) -> list[str]:
        return [line.strip() for line in self.blocked_phrases.splitlines() if line.strip()]


class ComplianceEvent(models.Model):
    """A rule that fired: shown to the comms team so they see what people try to say."""

    class Rule(models.TextChoices):
        BLOCKED_PHRASE = "blocked_phrase", _("Blocked phrase")
        MISSING_DISCLOSURE = "missing_disclosure", _("Missing disclosure")

    class Where(models.TextChoices):
        CAPTION = "caption", _("Suggested caption")
        COMMENT = "comment", _("Share comment")
        POST = "post", _("Employee's post")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="compliance_events")
    rule = models.CharField(max_length=30, choices=Rule.choices)
    detail = models.CharField(max_length=200)
    where = models.CharField(max_length=10, choices=Where.choices)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


class FeedSource(models.Model):
    """An RSS or Atom feed whose new items become drafts or suggestions."""

    class Creates(models.TextChoices):
        DRAFT = "draft", _("Drafts")
        SUGGESTION = "suggestion", _("Suggestions for approval")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="feed_sources")
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("feed address"), max_length=1000)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics for new items"))
    creates = models.CharField(_("new items become"), max_length=12, choices=Creates.choices, default=Creates.DRAFT)
    is_active = models.BooleanField(_("active"), default=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    items_imported = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed source")
        verbose_name_plural = _("feed sources")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "url"], name="feed_source_unique_url")]

    def __str__(self) -> str:
        return self.name


class FeedEntry(models.Model):
    """An item already seen in a feed, so it is imported once."""

    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "guid"], name="feed_entry_unique_guid")]

    def __str__(self) -> str:
        return self.guid
