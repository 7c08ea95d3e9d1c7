"""The company's LinkedIn page in the pull: its posts' statistics count on the company
side of combined reach, and an employee's quote of it counts for the employee
(LinkedIn and X answer in their documented shapes)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from django.db.models import Sum
from django.utils import timezone

from advocacy.models import Share
from analytics.models import OrganizationDay, ShareMetrics
from tests.analytics.helpers import pull_cycle
from tests.factories import ShareFactory, SocialProfileFactory, company_profile

ORG = "urn:li:organization:2414183"
SHARE = "urn:li:share:7100000000000000001"
STATS = "https://api.linkedin.com/rest/organizationalEntityShareStatistics"


def stats(likes: int) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "elements": [
                {
                    "organizationalEntity": ORG,
                    "share": SHARE,
                    "totalShareStatistics": {
                        "likeCount": likes,
                        "shareCount": 2,
                        "commentCount": 1,
                        "impressionCount": 800,
                        "clickCount": 9,
                    },
                }
            ]
        },
    )


def test_page_post_statistics_count_for_the_company_and_quotes_for_the_employee(cast, respx_mock):
    now = timezone.now()
    page = company_profile(
        cast.org,
        network="linkedin",
        remote_id="2414183",
        extra={"organization_urn": ORG, "scopes": ["w_organization_social", "rw_organization_admin"]},
    )
    company = ShareFactory(profile=page, member=None, remote_id=SHARE, posted_at=now - timedelta(minutes=10))
    emma_x = SocialProfileFactory(owner_membership=cast.emma, network="x")
    quote = ShareFactory(
        profile=emma_x, post=company.post, remote_id="1800", quoted_share=company, posted_at=now - timedelta(minutes=5)
    )
    route = respx_mock.get(url__startswith=STATS).mock(return_value=stats(27))
    respx_mock.get("https://api.x.com/2/tweets").mock(
        return_value=httpx.Response(200, json={"data": [{"id": "1800", "public_metrics": {"like_count": 4}}]})
    )

    pull_cycle(now)

    assert "shares=List(urn%3Ali%3Ashare%3A7100000000000000001)" in str(route.calls.last.request.url)
    company_side = OrganizationDay.objects.filter(organization=cast.org, is_company=True, network="linkedin")
    assert company_side.aggregate(likes=Sum("likes"))["likes"] == 27
    quote_metrics = ShareMetrics.objects.get(share=quote)
    assert (quote_metrics.member_id, quote_metrics.quoted_share_id, quote_metrics.likes) == (
        cast.emma.id,
        company.id,
        4,
    )
    employees_side = OrganizationDay.objects.filter(organization=cast.org, is_company=False, network="x")
    assert employees_side.aggregate(likes=Sum("likes"))["likes"] == 4
    assert Share.objects.get(pk=company.pk).metrics_deleted is False
