"""What an employee's own posts gathered through their colleagues' shares (My impact)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from advocacy.models import Share
from content.models import Post

if TYPE_CHECKING:
    from analytics.forms import Filters
    from employees.models import Membership

POSTED = (Share.Status.POSTED, Share.Status.HANDED_OFF)


@dataclass(frozen=True)
class AuthoredReach:
    posts: int
    shares: int
    sharers: int
    potential_reach: int
    engagements: int
    clicks: int


def authored_reach(*, membership: Membership, filters: Filters) -> AuthoredReach | None:
    """Colleagues' shares of the member's own posts made in the period; None when the
    member wrote no post. The author's own shares count on their other figures already."""
    posts = Post.objects.filter(
        organization_id=membership.organization_id, source=Post.Source.COLLEAGUE, created_by_id=membership.user_id
    )
    start, end = filters.moments()
    shares = (
        Share.objects.filter(
            organization_id=membership.organization_id,
            post__in=posts,
            status__in=POSTED,
            posted_at__gte=start,
            posted_at__lt=end,
        )
        .exclude(member_id=membership.id)
        .exclude(member__isnull=True)
    )
    if filters.network:
        shares = shares.filter(network=filters.network)
    totals = shares.aggregate(
        shares=Count("id"),
        sharers=Count("member_id", distinct=True),
        reach=Coalesce(Sum("followers_at_share"), 0),
        engagements=Coalesce(
            Sum(
                F("metrics__peak_likes")
                + F("metrics__peak_reposts")
                + F("metrics__peak_replies")
                + F("metrics__peak_quotes")
            ),
            0,
        ),
        clicks=Coalesce(Sum("metrics__clicks"), 0),
        posts=Count("post_id", distinct=True),
    )
    written = posts.count()
    if not written:
        return None
    return AuthoredReach(
        posts=written,
        shares=totals["shares"],
        sharers=totals["sharers"],
        potential_reach=int(totals["reach"]),
        engagements=int(totals["engagements"]),
        clicks=int(totals["clicks"]),
    )
