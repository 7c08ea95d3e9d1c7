"""People and tenancy: users, organizations, teams, memberships and invitations."""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.locale import Formats

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Email is the login; organizations come through Membership."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


def new_version() -> str:
    """A fresh, unguessable version token (never reused, unlike a counter on a recreated row)."""
    return secrets.token_hex(16)


class Organization(models.Model):
    """A tenant. Every row of company data belongs to exactly one."""

    class Control(models.TextChoices):
        """How much of its voice the organization hands to its people, after Baran's networks."""

        CENTRALIZED = "centralized", _("Centralized")
        DECENTRALIZED = "decentralized", _("Decentralized")
        DISTRIBUTED = "distributed", _("Distributed")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    formats = models.CharField(
        _("dates and numbers in English"),
        max_length=8,
        choices=Formats.choices,
        blank=True,
        # A default in the database too, for rows written by code older than the column.
        default=Formats.US,
        db_default=Formats.US,
        help_text=_(
            "How the English interface writes dates, times and numbers. Danish is always written the Danish way."
        ),
    )
    require_mfa_for_admins = models.BooleanField(
        _("require two-factor authentication for admins"),
        default=False,
        help_text=_("Admins must set up an authenticator app before they can use the platform."),
    )
    # A database default too: rows written by code that predates the dial get the default.
    control = models.CharField(
        _("control dial"),
        max_length=16,
        choices=Control.choices,
        default=Control.CENTRALIZED,
        db_default=Control.CENTRALIZED,
    )
    # Whether a company profile needs reconnecting, so that the banner every page may
    # show costs a query only when there is something to show (profiles/services.py
    # keeps it up to date).
    company_needs_reconnect = models.BooleanField(default=False, db_default=False, editable=False)
    # Changes with every change of the organization's topics, so that a cached list of
    # them is read under it and never stale (content/selectors.py). Rows written
    # outside the ORM start empty (the cache keys on the creation time too).
    topics_version = models.CharField(max_length=32, default=new_version, db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("parent team")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="team_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COMMS = "comms", _("Communications")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")


class Membership(models.Model):
    """A user's place in an organization: their roles (several at once) and teams.

    A manager manages the teams they belong to and every team below them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(_("admin"), default=False)
    is_comms = models.BooleanField(_("communications"), default=False)
    is_manager = models.BooleanField(_("manager"), default=False)
    is_employee = models.BooleanField(_("employee"), default=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships", verbose_name=_("teams"))
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Offboarded for good: profiles disconnected, the person anonymised; no way back.
    offboarded_at = models.DateTimeField(null=True, blank=True)
    # Whether one of the member's own profiles needs reconnecting (see Organization).
    needs_reconnect = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def roles(self) -> list[str]:
        return [role for role in Role.values if getattr(self, f"is_{role}")]

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    def has_role(self, *roles: str) -> bool:
        return any(getattr(self, f"is_{role}") for role in roles)

    def set_roles(self, roles: list[str] | set[str]) -> None:
        for role in Role.values:
            setattr(self, f"is_{role}", role in roles)


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    teams = models.ManyToManyField(Team, blank=True, related_name="invitations", verbose_name=_("teams"))
    # Only a hash of the token is stored: a leaked database cannot be used to join.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.email

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles if role in Role.values]


# -- connected social profiles ---------------------------------------------------------
# Imported here rather than at the top so that the models above read as they did
# before profiles existed; both modules are pure Python apart from Django.
import json  # noqa: E402

from employees.crypto import EncryptedTextField  # noqa: E402
from networks import NETWORK_CHOICES, get_adapter_class  # noqa: E402
from networks.base import Adapter, Credentials  # noqa: E402

# Keys of an adapter's `Credentials.extra` that are secrets (Bluesky's exported session
# holds both tokens): they are kept encrypted, apart from the plain, queryable extra.
SECRET_EXTRA_KEYS = frozenset({"session"})


class SocialProfile(models.Model):
    """A connected account on a network: an employee's own, or the company's (no owner).

    Tokens are encrypted at rest. A disconnected profile keeps its row (shares and
    audience history point at it) but loses its tokens.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
        REVOKED = "revoked", _("Revoked")
        DISCONNECTED = "disconnected", _("Disconnected")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="social_profiles")
    # Null: a company profile, managed by admins and the comms team.
    owner_membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_profiles",
        verbose_name=_("owner"),
    )
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES)
    # The network's stable id for the account (Bluesky DID, X user id, LinkedIn sub,
    # Mastodon "id@instance"), never the handle, which can change.
    remote_id = models.CharField(_("account id"), max_length=255)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    profile_url = models.URLField(_("profile address"), max_length=500, blank=True)
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    followers_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE)
    # True where the network gives no post metrics: shares are measured by link clicks.
    clicks_only = models.BooleanField(_("measured by clicks only"), default=False)

    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    # Plain, so that the refresh schedule can query it; it is not a secret.
    expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    secret_extra = EncryptedTextField(blank=True, default="")
    # Non-secret connection details: did, pds_url, instance_url, person_urn, scopes.
    extra = models.JSONField(default=dict, blank=True)
    credentials_refreshed_at = models.DateTimeField(null=True, blank=True)

    last_error = models.TextField(_("last error"), blank=True)
    reconnect_notified_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(_("connected"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("social profile")
        verbose_name_plural = _("social profiles")
        ordering = ["network", "handle"]
        constraints = [
            # One live row per remote account in an organization, whoever owns it: the
            # same account connected twice would post twice and count its reach twice.
            models.UniqueConstraint(
                fields=["organization", "network", "remote_id"],
                condition=~models.Q(state="disconnected"),
                name="socialprofile_one_live_row_per_account",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["state", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.handle or self.remote_id}"

    @property
    def is_company(self) -> bool:
        return self.owner_membership_id is None

    @property
    def network_adapter(self) -> type[Adapter]:
        """The network's adapter class: what pages and services read of the network."""
        return get_adapter_class(self.network)

    def get_credentials(self) -> Credentials:
        extra = dict(self.extra or {})
        if self.secret_extra:
            extra |= json.loads(self.secret_extra)
        return Credentials(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.expires_at,
            extra=extra,
        )

    def set_credentials(self, credentials: Credentials, *, keep_refresh_token: bool = False) -> None:
        """Take over `credentials`; `keep_refresh_token` keeps ours when they bring none.

        A new grant without a refresh token (LinkedIn gives one only to partners) must
        not wipe one we hold; a refresh replaces the pair as the network returned it.
        """
        self.access_token = credentials.access_token
        if credentials.refresh_token or not keep_refresh_token:
            self.refresh_token = credentials.refresh_token
        self.expires_at = credentials.expires_at
        public = {key: value for key, value in credentials.extra.items() if key not in SECRET_EXTRA_KEYS}
        secret = {key: value for key, value in credentials.extra.items() if key in SECRET_EXTRA_KEYS}
        self.extra = public
        self.secret_extra = json.dumps(secret) if secret else ""

    def clear_credentials(self) -> None:
        self.access_token = ""
        self.refresh_token = ""
        self.expires_at = None
        self.secret_extra = ""


class NetworkApp(models.Model):
    """A network app's own credentials (client id and secret).

    LinkedIn and X: per organization (set by its admins) or global (organization
    empty); a row overrides the LINKEDIN_*/X_* settings. Mastodon: one global row per
    instance, registered there the first time anyone connects from it.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="network_apps"
    )
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES)
    instance_url = models.CharField(_("server address"), max_length=255, blank=True, default="")
    client_id = models.CharField(_("client id"), max_length=255)
    client_secret = EncryptedTextField(_("client secret"), blank=True, default="")
    # The callback a Mastodon registration was made for: a changed SITE_URL needs a new one.
    redirect_uri = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("network app")
        verbose_name_plural = _("network apps")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network", "instance_url"],
                condition=models.Q(organization__isnull=False),
                name="networkapp_unique_per_organization",
            ),
            models.UniqueConstraint(
                fields=["network", "instance_url"],
                condition=models.Q(organization__isnull=True),
                name="networkapp_unique_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.instance_url or ''}".strip()


class AuditEvent(models.Model):
    """Who did what, and when: kept when the actor leaves (their name is copied)."""

    class Action(models.TextChoices):
        POST_PUBLISHED = "post.published", _("Published a post")
        POST_SCHEDULED = "post.scheduled", _("Scheduled a post")
        POST_ARCHIVED = "post.archived", _("Archived posts")
        POST_DELETED = "post.deleted", _("Deleted a post")
        POST_TAKEN_DOWN = "post.taken_down", _("Took down an employee's post")
        SUGGESTION_APPROVED = "suggestion.approved", _("Approved a suggestion")
        SUGGESTION_REJECTED = "suggestion.rejected", _("Rejected a suggestion")
        ROLE_CHANGED = "member.roles_changed", _("Changed roles")
        MEMBER_INVITED = "member.invited", _("Invited a person")
        MEMBER_DEACTIVATED = "member.deactivated", _("Deactivated a person")
        MEMBER_REACTIVATED = "member.reactivated", _("Reactivated a person")
        MEMBER_OFFBOARDED = "member.offboarded", _("Offboarded a person")
        PROFILE_CONNECTED = "profile.connected", _("Connected a profile")
        PROFILE_DISCONNECTED = "profile.disconnected", _("Disconnected a profile")
        DATA_EXPORTED = "data.exported", _("Exported data")
        SETTINGS_CHANGED = "settings.changed", _("Changed settings")
        SSO_LOGIN = "sso.login", _("Signed in through single sign-on")
        SSO_PROVISIONED = "sso.provisioned", _("Joined through single sign-on")
        SSO_BREAK_GLASS = "sso.break_glass", _("Emergency password login")
        SSO_CHANGED = "sso.changed", _("Changed single sign-on")
        SCIM_TOKEN_CREATED = "scim.token_created", _("Created a SCIM token")
        SCIM_TOKEN_REVOKED = "scim.token_revoked", _("Revoked a SCIM token")
        SCIM_TOKEN_USED = "scim.token_used", _("Used a SCIM token")
        SCIM_TOKEN_REFUSED = "scim.token_refused", _("Tried a revoked SCIM token")
        SCIM_USER_CREATED = "scim.user_created", _("Provisioned a person")
        SCIM_USER_UPDATED = "scim.user_updated", _("Updated a provisioned person")
        SCIM_GROUP_CREATED = "scim.group_created", _("Provisioned a team")
        SCIM_GROUP_UPDATED = "scim.group_updated", _("Updated a provisioned team")
        SCIM_GROUP_DELETED = "scim.group_deleted", _("Deleted a provisioned team")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=300)
    action = models.CharField(max_length=40, choices=Action.choices)
    target = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target}"


# -- company single sign-on (its own package) ------------------------------------------
from employees.sso.models import IdentityProvider, VerifiedDomain  # noqa: E402, F401
