"""Analytics: raw engagement and audience snapshots, per-share latest metrics, daily
rollups the dashboard reads, and the organization's analytics settings.

Raw rows (EngagementSnapshot, AudienceSnapshot, advocacy's Click) are kept as they
came. Everything else here is derived from them and can be rebuilt with
`manage.py analytics_rebuild`; the incremental path and the rebuild produce the same
rows (tests/analytics/test_rollups.py).
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The highest verdict weight, in percent: ten times a share's plain points.
MAX_WEIGHT = 1000
WEIGHT_FIELDS = {
    "personal": "weight_personal",
    "caption": "weight_caption",
    "near_duplicate": "weight_near_duplicate",
    "empty": "weight_empty",
}


class AnalyticsSettings(models.Model):
    """An organization's analytics rules, set by its admins. Defaults apply without a row."""

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    organization = models.OneToOneField(
        "employees.Organization", on_delete=models.CASCADE, related_name="analytics_settings"
    )
    # Engagement refresh: often while a share is young, daily after, never when old.
    young_hours = models.PositiveSmallIntegerField(
        _("a share is young for (hours)"), default=48, help_text=_("While young, its engagement is read often.")
    )
    young_interval_minutes = models.PositiveSmallIntegerField(_("read young shares every (minutes)"), default=60)
    old_interval_hours = models.PositiveSmallIntegerField(_("read older shares every (hours)"), default=24)
    stop_after_days = models.PositiveSmallIntegerField(
        _("stop reading after (days)"), default=30, help_text=_("History is kept; only new readings stop.")
    )

    leaderboard_enabled = models.BooleanField(_("show the leaderboard"), default=True)
    points_per_share = models.PositiveSmallIntegerField(_("points per share"), default=10)
    points_per_engagement = models.PositiveSmallIntegerField(_("points per engagement"), default=1)
    points_per_click = models.PositiveSmallIntegerField(_("points per click"), default=2)
    # A share's points are multiplied by the weight (in percent) of its authenticity
    # verdict: one's own words count in full, copied or echoed words for less.
    weight_personal = models.PositiveSmallIntegerField(
        _("own words (%)"), default=100, db_default=100, validators=[MaxValueValidator(MAX_WEIGHT)]
    )
    weight_caption = models.PositiveSmallIntegerField(
        _("suggested caption as is (%)"), default=50, db_default=50, validators=[MaxValueValidator(MAX_WEIGHT)]
    )
    weight_near_duplicate = models.PositiveSmallIntegerField(
        _("near-identical to colleagues (%)"), default=25, db_default=25, validators=[MaxValueValidator(MAX_WEIGHT)]
    )
    weight_empty = models.PositiveSmallIntegerField(
        _("no comment (%)"), default=50, db_default=50, validators=[MaxValueValidator(MAX_WEIGHT)]
    )

    # Works-council mode: teams smaller than `council_min_team_size` are left out of every
    # team table, chart and export (their figures still count in the totals), and the
    # leaderboard lists only the people who opted in (LeaderboardOptIn).
    works_council = models.BooleanField(
        _("works-council mode"),
        default=False,
        db_default=False,
        help_text=_("Hide small teams' figures and list on the leaderboard only the people who opt in."),
    )
    council_min_team_size = models.PositiveSmallIntegerField(
        _("smallest team shown (people)"), default=5, db_default=5, help_text=_("At least 2.")
    )

    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # {network: {action: "rate"}}; networks and actions left out use emv.DEFAULT_RATES.
    emv_rates = models.JSONField(_("earned media value rates"), default=dict, blank=True)

    digests_enabled = models.BooleanField(_("send weekly digests"), default=True)
    digest_weekday = models.PositiveSmallIntegerField(_("digest day"), choices=WEEKDAYS, default=0)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=8, help_text=_("In the organization's time zone, 0 to 23.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="analytics_digest_hour_valid"),
            models.CheckConstraint(condition=models.Q(digest_weekday__lte=6), name="analytics_digest_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(council_min_team_size__gte=2), name="analytics_council_min_team_size_valid"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__lte": MAX_WEIGHT}), name=f"analytics_{field}_valid"
                )
                for field in WEIGHT_FIELDS.values()
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization_id)

    def weights(self) -> dict[str, int]:
        """{verdict: weight in percent} for every verdict a share can carry."""
        return {verdict: getattr(self, field) for verdict, field in WEIGHT_FIELDS.items()}


class LeaderboardOptIn(models.Model):
    """A person who chose to be listed on the leaderboard in works-council mode."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        "employees.Membership", on_delete=models.CASCADE, related_name="leaderboard_opt_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.membership_id)


class EngagementSnapshot(models.Model):
    """What the network said about one share at one moment. Never changed afterwards."""

    share = models.ForeignKey("advocacy.Share", on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField()
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)
    # Only where the network tells (X, LinkedIn with analytics access).
    impressions = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["share", "at"])]

    def __str__(self) -> str:
        return f"{self.share_id} @ {self.at}"


class ShareMetrics(models.Model):
    """A share's latest reading and pull schedule, and what the rollups have counted.

    `peak_*` are the highest values seen: rollups add `new peak − old peak`, so they
    never scan history and never go negative when a network lowers a count.
    """

    class Note(models.TextChoices):
        CLICKS_ONLY = "clicks_only", _("Measured by clicks only: the network gives no engagement for it.")
        MISSING = "missing", _("Left out of the network's last answer; the last reading is kept.")
        DELETED = "deleted", _("Deleted on the network: its history is kept, it is no longer read.")
        RATE_LIMITED = "rate_limited", _("The network asked us to wait; it is read again when allowed.")
        NO_READER = "no_reader", _("No working connection could read it; it is tried again later.")
        REFUSED = "refused", _("The network refused to answer; it is tried again on schedule.")

    share = models.OneToOneField("advocacy.Share", on_delete=models.CASCADE, primary_key=True, related_name="metrics")
    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20)
    post_id = models.BigIntegerField()
    # 0 for the company's own profiles.
    member_id = models.BigIntegerField()
    posted_at = models.DateTimeField()
    # The company's share this one quotes (an employee amplifying the company's post).
    quoted_share_id = models.BigIntegerField(null=True, blank=True)
    # False: the network gives no engagement for this share; it is measured by clicks only.
    measured = models.BooleanField(default=True)

    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    peak_likes = models.PositiveIntegerField(default=0)
    peak_reposts = models.PositiveIntegerField(default=0)
    peak_replies = models.PositiveIntegerField(default=0)
    peak_quotes = models.PositiveIntegerField(default=0)
    peak_impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)

    next_pull_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    pulls = models.PositiveIntegerField(default=0)
    # Pulls in a row in which the network left this share out of its answer.
    misses = models.PositiveSmallIntegerField(default=0)
    pull_note = models.CharField(max_length=20, choices=Note.choices, blank=True)
    # The network's own words for the last failure, for whoever investigates.
    pull_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_pull_at"], condition=models.Q(next_pull_at__isnull=False), name="sharemetrics_due"
            ),
            models.Index(fields=["claim"], condition=models.Q(claim__isnull=False), name="sharemetrics_claimed"),
            models.Index(fields=["post_id"]),
            models.Index(fields=["member_id", "-posted_at"]),
            # A period's shares of one organization: the leaderboard and the twist dividend.
            models.Index(fields=["organization", "posted_at"], name="sharemetrics_org_posted"),
            models.Index(
                fields=["quoted_share_id"],
                condition=models.Q(quoted_share_id__isnull=False),
                name="sharemetrics_quotes",
            ),
        ]

    def __str__(self) -> str:
        return f"metrics of share {self.share_id}"

    @property
    def engagements(self) -> int:
        return self.peak_likes + self.peak_reposts + self.peak_replies + self.peak_quotes


class Measures(models.Model):
    """The additive figures every rollup carries. Deltas are never negative."""

    shares = models.PositiveIntegerField(default=0)
    measured_shares = models.PositiveIntegerField(default=0)
    personal_shares = models.PositiveIntegerField(default=0)
    potential_reach = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    quotes = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    unique_clicks = models.PositiveBigIntegerField(default=0)

    MEASURES = (
        "shares",
        "measured_shares",
        "personal_shares",
        "potential_reach",
        "likes",
        "reposts",
        "replies",
        "quotes",
        "impressions",
        "clicks",
        "unique_clicks",
    )

    class Meta:
        abstract = True


class OrganizationDay(Measures):
    """Per organization, local day, network and sender kind: the dashboard's main table."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    is_company = models.BooleanField()

    KEY = ("organization_id", "day", "network", "is_company")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "network", "is_company"], name="orgday_key")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.network}{' company' if self.is_company else ''}"


class MemberDay(Measures):
    """Per employee, local day and network: top sharers, leaderboard, distribution, teams."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    member_id = models.BigIntegerField()

    KEY = ("organization_id", "day", "network", "member_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "network", "member_id"], name="memberday_key")
        ]
        indexes = [
            models.Index(fields=["member_id", "day"]),
            # Covering: a period's sums per member are read from the index alone, without
            # visiting the table's pages (key columns rather than INCLUDE, which SQLite lacks).
            models.Index(
                fields=["organization", "day", "member_id", "network", *Measures.MEASURES], name="memberday_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.network} member {self.member_id}"


class PostDay(Measures):
    """Per post, local day, network and sender kind: top posts, topics, post reports."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    post_id = models.BigIntegerField()
    is_company = models.BooleanField()

    KEY = ("organization_id", "day", "network", "post_id", "is_company")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "network", "post_id", "is_company"], name="postday_key"
            )
        ]
        indexes = [
            models.Index(fields=["post_id", "day"]),
            # Covering, for ranking a period's posts (as MemberDay's memberday_period).
            models.Index(
                fields=["organization", "day", "post_id", "is_company", "network", *Measures.MEASURES],
                name="postday_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.network} post {self.post_id}"


class PostMemberDay(Measures):
    """The finest grain (member 0 = company): for team and topic filters together."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    post_id = models.BigIntegerField()
    member_id = models.BigIntegerField()

    KEY = ("organization_id", "day", "network", "post_id", "member_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "network", "post_id", "member_id"], name="postmemberday_key"
            )
        ]
        indexes = [models.Index(fields=["member_id", "day"]), models.Index(fields=["post_id", "day"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.network} post {self.post_id} member {self.member_id}"


ROLLUP_MODELS = (OrganizationDay, MemberDay, PostDay, PostMemberDay)


class AudienceSnapshot(models.Model):
    """A profile's follower count on one local day."""

    profile = models.ForeignKey("employees.SocialProfile", on_delete=models.CASCADE, related_name="audience_snapshots")
    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    # 0 for company profiles.
    member_id = models.BigIntegerField()
    network = models.CharField(max_length=20)
    day = models.DateField()
    followers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "day"], name="audiencesnapshot_once_a_day")]
        indexes = [models.Index(fields=["organization", "day", "member_id"])]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.day}: {self.followers}"


class AudienceDay(models.Model):
    """Followers per organization, day, network and sender kind (from AudienceSnapshot)."""

    organization = models.ForeignKey("employees.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    is_company = models.BooleanField()
    followers = models.PositiveBigIntegerField(default=0)
    profiles = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "network", "is_company"], name="audienceday_key")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.network}: {self.followers}"


class RollupCursor(models.Model):
    """How far an incremental job has read (e.g. the last click id), and its lock row."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"


class RollupVersion(models.Model):
    """Moves on whenever an organization's rollup rows change: the key of cached reads.

    Every flush of booked deltas and every rebuild bumps `version` in the same
    transaction as the rows it changed. `generation` is new whenever the row is
    (re)created, so a version number seen before a database was emptied never
    matches again.

    Nearly every delta lands on today (readings and clicks are booked when they
    happen), so `settled_version` moves on only when a row of a *settled* day changes:
    SETTLED_AFTER_DAYS or more days before the writer's today (a share enrolled late,
    a withdrawal, a rebuild). Sums over settled days are cached under it and
    outlive the many writes to the last few days, which are always read fresh. The
    readers' settled days end a day earlier still, so that a writer and a reader on
    either side of midnight never disagree about a day.
    """

    SETTLED_AFTER_DAYS = 2

    organization = models.OneToOneField(
        "employees.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    generation = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveBigIntegerField(default=0)
    settled_version = models.PositiveBigIntegerField(default=0)
    # Moves on with every change of the organization's people, teams, team links and
    # connected profiles (analytics/signals.py), in the changing transaction: figures
    # that depend on who is in which team as well as on the rollups are cached under
    # both (`people_key`). Leaves `changed_at` alone: that tells when figures changed.
    people_version = models.PositiveBigIntegerField(default=0, db_default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.version}"

    @property
    def key(self) -> str:
        return f"{self.generation.hex}.{self.version}"

    @property
    def settled_key(self) -> str:
        return f"{self.generation.hex}.s{self.settled_version}"

    @property
    def people_key(self) -> str:
        return f"{self.key}.p{self.people_version}"

    @property
    def people_only_key(self) -> str:
        """For values that depend on people and teams alone, not on any rollup row."""
        return f"{self.generation.hex}.p{self.people_version}"


class DigestOptOut(models.Model):
    """A person who unsubscribed from the weekly digests (no login needed to do so)."""

    membership = models.OneToOneField("employees.Membership", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.membership_id)


class DigestDelivery(models.Model):
    """One digest claimed for one person and week: the unique rule keeps it to one email."""

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Employee digest")
        MANAGER = "manager", _("Manager digest")

    membership = models.ForeignKey("employees.Membership", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    week = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "kind", "week"], name="digest_once_a_week")]

    def __str__(self) -> str:
        return f"{self.kind} {self.week} → {self.membership_id}"


__all__ = [
    "ROLLUP_MODELS",
    "AnalyticsSettings",
    "AudienceDay",
    "AudienceSnapshot",
    "DigestDelivery",
    "DigestOptOut",
    "EngagementSnapshot",
    "MemberDay",
    "OrganizationDay",
    "PostDay",
    "PostMemberDay",
    "RollupCursor",
    "RollupVersion",
    "ShareMetrics",
]
