"""Employees amplifying the company's own post: quote shares, pushed exactly like any
share, failing alone when the company's post is gone (networks mocked in their
documented shapes)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy import services
from advocacy.models import Share
from analytics.models import ShareMetrics
from content.models import ComplianceSettings
from employees.models import SocialProfile
from tests.factories import SocialProfileFactory

X_TWEETS = "https://api.x.com/2/tweets"
LI_POSTS = "https://api.linkedin.com/rest/posts"
LI_ACLS = "https://api.linkedin.com/rest/organizationAcls"
MASTODON_STATUSES = "https://social.example/api/v1/statuses"
FEED_OFFER = "Share the company's post with my thoughts"


@pytest.fixture
def disclosure(cast):
    return ComplianceSettings.objects.create(organization=cast.org, disclosure_text="#ansat", disclosure_mode="append")


def company_share(post, network="x", remote_id="1700", **profile_fields):
    profile = SocialProfileFactory(
        organization=post.organization, owner_membership=None, network=network, **profile_fields
    )
    return Share.objects.create(
        organization=post.organization,
        post=post,
        profile=profile,
        member=None,
        network=network,
        final_text="Our new office",
        status=Share.Status.POSTED,
        posted_at=timezone.now() - timedelta(hours=2),
        remote_id=remote_id,
        remote_url=f"https://x.com/acme/status/{remote_id}",
    )


@pytest.fixture
def emma_x(cast):
    return SocialProfileFactory(owner_membership=cast.emma, network="x", remote_id="42", handle="@emma")


def quote(cast, post, profiles, comment="Proud of the team behind this"):
    return services.shares_create(
        member=cast.emma, actor=cast.emma.user, post=post, profiles=profiles, comment=comment, quote_company=True
    )


def test_a_quote_share_points_at_the_companys_post_and_carries_only_the_words(
    cast, post, emma_x, mastodon_profile, disclosure, django_capture_on_commit_callbacks
):
    company = company_share(post)
    with django_capture_on_commit_callbacks(execute=False):
        x_share, masto_share = sorted(
            quote(cast, post, [emma_x, mastodon_profile]), key=lambda s: s.network, reverse=True
        )

    assert x_share.quoted_share == company
    assert x_share.final_text == "Proud of the team behind this #ansat"
    assert x_share.twist == Share.Twist.PERSONAL
    # No company post on Mastodon: that profile gets an ordinary share with the link.
    assert masto_share.quoted_share is None
    assert "/l/" in masto_share.final_text


def test_the_quote_is_pushed_as_an_x_quote_tweet(
    cast, post, emma_x, disclosure, respx_mock, django_capture_on_commit_callbacks
):
    company_share(post)
    route = respx_mock.post(X_TWEETS).mock(return_value=httpx.Response(201, json={"data": {"id": "1800"}}))

    with django_capture_on_commit_callbacks(execute=True):
        (share,) = quote(cast, post, [emma_x])

    share.refresh_from_db()
    assert (share.status, share.remote_id) == ("posted", "1800")
    assert json.loads(route.calls.last.request.content) == {
        "text": "Proud of the team behind this #ansat",
        "quote_tweet_id": "1700",
    }


def test_a_quote_of_a_deleted_company_post_fails_alone_with_a_message(
    cast, post, emma_x, mastodon_profile, respx_mock, django_capture_on_commit_callbacks
):
    company_share(post)
    respx_mock.post(X_TWEETS).mock(return_value=httpx.Response(400, json={"title": "Invalid Request"}))
    respx_mock.get(X_TWEETS).mock(
        return_value=httpx.Response(
            200,
            json={
                "errors": [
                    {
                        "resource_id": "1700",
                        "title": "Not Found Error",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
        )
    )
    respx_mock.post(MASTODON_STATUSES).mock(
        return_value=httpx.Response(200, json={"id": "1100", "url": "https://social.example/@emma/1100"})
    )

    with django_capture_on_commit_callbacks(execute=True):
        shares = quote(cast, post, [emma_x, mastodon_profile])

    by_network = {share.network: Share.objects.get(pk=share.pk) for share in shares}
    assert by_network["x"].status == "failed"
    assert by_network["x"].last_error == (
        "The company's post was deleted on X, so it cannot be quoted. Share the post with its link instead."
    )
    assert by_network["mastodon"].status == "posted"


def test_the_composer_offers_the_quote_where_the_company_posted(cast, post, emma_x, login):
    company_share(post)
    client = login(cast.emma)

    page = client.get(reverse("advocacy:compose", args=[post.id]) + "?quote=1").content.decode()

    assert "Share the company&#x27;s post with my thoughts" in page
    assert "The company posted it on: X." in page
    assert 'id="id_quote_company" checked' in page


def test_sharing_from_the_composer_with_the_quote_creates_a_quote_share(
    cast, post, emma_x, login, django_capture_on_commit_callbacks
):
    company = company_share(post)
    with django_capture_on_commit_callbacks(execute=False):
        response = login(cast.emma).post(
            reverse("advocacy:compose", args=[post.id]),
            {"profiles": [emma_x.id], "comment": "Proud of this one", "when": "now", "quote_company": "on"},
        )

    assert response.status_code == 302
    assert Share.objects.get(member=cast.emma).quoted_share == company


def test_the_feed_offers_to_amplify_only_where_the_member_has_a_profile(cast, post, emma_x, login):
    client = login(cast.emma)
    assert FEED_OFFER not in client.get(reverse("advocacy:feed")).content.decode()

    company_share(post, network="linkedin", remote_id="urn:li:share:1")
    assert FEED_OFFER not in client.get(reverse("advocacy:feed")).content.decode()

    company_share(post, network="x", remote_id="1700")
    page = client.get(reverse("advocacy:feed")).content.decode()
    assert FEED_OFFER in page
    assert f"{reverse('advocacy:compose', args=[post.id])}?quote=1" in page


def test_a_company_post_known_to_be_deleted_is_not_offered(cast, post, emma_x, login):
    company = company_share(post)
    Share.objects.filter(pk=company.pk).update(metrics_deleted=True)

    assert FEED_OFFER not in login(cast.emma).get(reverse("advocacy:feed")).content.decode()


def test_a_company_page_that_lost_its_administrator_is_marked_for_reconnect_and_nothing_posts(
    cast, post, respx_mock, django_capture_on_commit_callbacks
):
    page = SocialProfileFactory(
        organization=cast.org,
        owner_membership=None,
        network="linkedin",
        remote_id="2414183",
        extra={"organization_urn": "urn:li:organization:2414183", "scopes": ["w_organization_social"]},
    )
    posts = respx_mock.post(LI_POSTS).mock(
        return_value=httpx.Response(
            403, json={"status": 403, "code": "ACCESS_DENIED", "message": "Not enough permissions"}
        )
    )
    respx_mock.get(LI_ACLS).mock(return_value=httpx.Response(200, json={"elements": []}))

    with django_capture_on_commit_callbacks(execute=True):
        (share,) = services.shares_create(
            member=None, actor=cast.carol.user, post=post, profiles=[page], comment="Our new office"
        )

    share.refresh_from_db()
    page.refresh_from_db()
    assert share.status == Share.Status.NEEDS_RECONNECT
    assert page.state == SocialProfile.State.NEEDS_RECONNECT
    assert "no longer administers the page 2414183" in page.last_error
    assert posts.call_count == 1  # refused once; not retried


def amplified(cast, post):
    """The company's X post, quoted by Emma (7 likes, 1 repost) and Mike (5 likes, 1 repost)."""
    company = company_share(post)
    now = timezone.now()
    for likes, member in ((7, cast.emma), (5, cast.mike)):
        profile = SocialProfileFactory(owner_membership=member, network="x")
        quote_share = Share.objects.create(
            organization=cast.org,
            post=post,
            profile=profile,
            member=member,
            network="x",
            final_text="Proud",
            status=Share.Status.POSTED,
            posted_at=now,
            remote_id=f"18{likes}",
            quoted_share=company,
        )
        ShareMetrics.objects.create(
            share=quote_share,
            organization=cast.org,
            network="x",
            post_id=post.id,
            member_id=member.id,
            posted_at=now,
            likes=likes,
            reposts=1,
            quoted_share_id=company.id,
        )
    ShareMetrics.objects.create(
        share=company, organization=cast.org, network="x", post_id=post.id, member_id=0, posted_at=now, likes=3
    )
    return company


def test_the_dashboard_shows_the_engagement_gathered_through_amplifiers(cast, post, login):
    amplified(cast, post)

    page = login(cast.carol).get(reverse("analytics:dashboard")).content.decode()

    assert "The company's posts, amplified" in page
    row = page.split("The company's posts, amplified")[1].split("</table>")[0]
    assert "<td>2</td><td>14</td><td>3</td>" in row  # two amplifiers, 7+1 + 5+1 through them, 3 on its own


def test_another_organizations_dashboard_shows_none_of_it(cast, post, login):
    amplified(cast, post)

    page = login(cast.olga).get(reverse("analytics:dashboard")).content.decode()

    assert "The company's posts, amplified" not in page
