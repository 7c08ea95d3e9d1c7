"""Bearer tokens of the SCIM endpoint, and what an identity provider knows about the
people and teams it provisions beyond Chorus's own columns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from employees.models import Membership, Organization, Team


class ScimToken(models.Model):
    """A bearer token that lets one organization's identity provider provision it.

    Only a SHA-256 hash is stored: the token is shown once, when it is created.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so that an admin can tell tokens apart; never enough to use.
    prefix = models.CharField(max_length=24)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimUser(models.Model):
    """The SCIM side of a membership: the IdP's userName and externalId, and the
    attributes it sent that Chorus has no column for (name parts, email types).

    A member who was never provisioned has no row: their userName is their email.
    Offboarding deletes the row, since it holds personal data.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="scim")
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=255, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("user_name"), "organization", name="scimuser_user_name_unique_per_org"),
        ]
        indexes = [models.Index(fields=["organization", "external_id"])]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """The SCIM side of a team: the IdP's externalId."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="scim")
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "external_id"])]

    def __str__(self) -> str:
        return self.external_id or str(self.team_id)
