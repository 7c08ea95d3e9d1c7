"""The profiles My impact names: the person's connected profiles, and any profile their
shares of the period came from, even one since disconnected (shown as such), so that
the list matches the shares above it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from advocacy.models import Share
from analytics.forms import Filters
from employees.models import Membership, SocialProfile


def member_profiles(*, membership: Membership, filters: Filters) -> QuerySet[SocialProfile]:
    start, end = filters.moments()
    shared = Share.objects.filter(
        organization_id=membership.organization_id,
        member_id=membership.pk,
        profile_id=OuterRef("pk"),
        status=Share.Status.POSTED,
        posted_at__gte=start,
        posted_at__lt=end,
    )
    return (
        SocialProfile.objects.filter(organization_id=membership.organization_id, owner_membership=membership)
        .filter(~Q(state=SocialProfile.State.DISCONNECTED) | Exists(shared))
        .order_by("network", "handle")
    )
