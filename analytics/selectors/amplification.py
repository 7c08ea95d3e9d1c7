"""How much engagement the company's own posts gathered through the employees who
quoted them (LinkedIn reshares, Bluesky, Mastodon and X quotes).

Read from the shares' metrics rows, like the rest of the dashboard: never from the
raw shares or snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from analytics.models import ShareMetrics
from analytics.selectors.scope import member_ids_in
from content.models import Post

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
    own_engagements: int
    amplifiers: int
    amplifier_engagements: int


def amplified_company_posts(*, scope: Scope, filters: Filters, limit: int = 10) -> list[AmplifiedPost]:
    """The company's posts quoted by employees in the scope, most amplified first.

    Engagement is each quote's latest reading (measured quotes only); the company
    post's own engagement is shown beside it, not added to it.
    """
    quotes = ShareMetrics.objects.filter(
        organization_id=scope.organization_id,
        quoted_share_id__isnull=False,
        posted_at__date__gte=filters.start,
        posted_at__date__lte=filters.end,
    )
    if scope.team_ids is not None:
        quotes = quotes.filter(member_id__in=member_ids_in(scope.team_ids))
    if filters.network:
        quotes = quotes.filter(network=filters.network)
    per_company_share = list(
        quotes.values("quoted_share_id")
        .annotate(
            amplifiers=Count("member_id", distinct=True),
            gathered=Coalesce(Sum(ENGAGEMENT, filter=Q(measured=True)), 0),
        )
        .order_by("-gathered", "-amplifiers", "quoted_share_id")[:limit]
    )
    if not per_company_share:
        return []
    company = {
        row["share_id"]: row
        for row in ShareMetrics.objects.filter(
            organization_id=scope.organization_id, share_id__in=[r["quoted_share_id"] for r in per_company_share]
        )
        .annotate(total=ENGAGEMENT)
        .values("share_id", "post_id", "network", "total")
    }
    titles = dict(Post.objects.filter(pk__in=[row["post_id"] for row in company.values()]).values_list("id", "title"))
    rows = []
    for row in per_company_share:
        own = company.get(row["quoted_share_id"])
        if own is None:
            continue  # the company's share is not enrolled yet
        rows.append(
            AmplifiedPost(
                share_id=row["quoted_share_id"],
                post_id=own["post_id"],
                title=titles.get(own["post_id"], ""),
                network=own["network"],
                own_engagements=int(own["total"] or 0),
                amplifiers=row["amplifiers"],
                amplifier_engagements=int(row["gathered"]),
            )
        )
    return rows
