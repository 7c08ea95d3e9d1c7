"""How much engagement the company's own posts gathered through the employees who
quoted them (LinkedIn reshares, Bluesky, Mastodon and X quotes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from advocacy.models import Share
from analytics.models import ShareMetrics
from analytics.selectors.scope import member_ids_in

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

ENGAGEMENT = F("likes") + F("reposts") + F("replies") + F("quotes")


@dataclass(frozen=True)
class AmplifiedPost:
    share_id: int
    post_id: int
    title: str
    network: str
    remote_url: str
    own_engagements: int
    amplifiers: int
    amplifier_engagements: int


def amplified_company_posts(*, scope: Scope, filters: Filters, limit: int = 10) -> list[AmplifiedPost]:
    """The company's posts quoted by employees in the scope, most amplified first.

    Engagement is the networks' latest reading of each quote (measured shares only);
    the company post's own engagement is shown beside it, not added to it.
    """
    quotes = Share.objects.filter(
        organization_id=scope.organization_id,
        quoted_share__isnull=False,
        status=Share.Status.POSTED,
        posted_at__date__gte=filters.start,
        posted_at__date__lte=filters.end,
    )
    if scope.team_ids is not None:
        quotes = quotes.filter(member_id__in=member_ids_in(scope.team_ids))
    if filters.network:
        quotes = quotes.filter(network=filters.network)
    per_company_share = (
        quotes.values("quoted_share_id").annotate(amplifiers=Count("member_id", distinct=True)).order_by()
    )
    amplifiers = {row["quoted_share_id"]: row["amplifiers"] for row in per_company_share}
    if not amplifiers:
        return []
    gathered = dict(
        ShareMetrics.objects.filter(share__in=quotes, measured=True)
        .values("share__quoted_share_id")
        .annotate(total=Coalesce(Sum(ENGAGEMENT), 0))
        .values_list("share__quoted_share_id", "total")
        .order_by()
    )
    own = dict(
        ShareMetrics.objects.filter(share_id__in=amplifiers).annotate(total=ENGAGEMENT).values_list("share_id", "total")
    )
    company_shares = (
        Share.objects.filter(pk__in=amplifiers)
        .select_related("post")
        .only("id", "post_id", "post__title", "network", "remote_url")
    )
    rows = [
        AmplifiedPost(
            share_id=share.id,
            post_id=share.post_id,
            title=share.post.title,
            network=share.network,
            remote_url=share.remote_url,
            own_engagements=int(own.get(share.id) or 0),
            amplifiers=amplifiers[share.id],
            amplifier_engagements=int(gathered.get(share.id) or 0),
        )
        for share in company_shares
    ]
    rows.sort(key=lambda row: (-row.amplifier_engagements, -row.amplifiers, row.share_id))
    return rows[:limit]
