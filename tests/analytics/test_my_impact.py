"""My impact: a person's own figures and shares, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from analytics.services import rollups
from tests.analytics.helpers import pull_cycle
from tests.factories import ClickFactory, PostFactory, ShareFactory, SocialProfileFactory, TrackedLinkFactory


def test_an_employee_without_shares_sees_an_invitation_to_share(cast, login):
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert "Nothing shared in this period" in page
    assert reverse("advocacy:feed") in page


def test_an_employee_sees_their_own_reach_engagement_clicks_and_shares(cast, login, fake_network):
    profile = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", followers=250)
    post = PostFactory.published(organization=cast.org, title="Our new office")
    share = ShareFactory(profile=profile, post=post)
    fake_network.set(share, likes=6, reposts=2, replies=1)
    ClickFactory(link=TrackedLinkFactory(share=share))
    pull_cycle(timezone.now() + timedelta(minutes=5))
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.carol, followers=9999))
    rollups.rollups_update()

    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()

    assert "Our new office" in page
    assert ">250<" in page  # potential reach
    assert ">9<" in page  # engagements: 6 + 2 + 1
    assert "9,999" not in page  # carol's share is not emma's
    assert "<svg" in page


def test_a_share_deleted_on_the_network_is_marked_on_my_impact(cast, login, fake_network):
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky"))
    fake_network.set(share, deleted=True)
    pull_cycle(timezone.now())
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert "Deleted on the network" in page


def test_my_impact_shows_my_place_on_the_leaderboard(cast, login):
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma))
    rollups.rollups_update()
    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    assert "#1 of 1" in page


def test_htmx_gets_only_the_impact_body(cast, login):
    response = login(cast.emma).get(reverse("analytics:my_impact"), {"days": 7}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert 'id="impact-body"' in response.content.decode()


def test_my_impact_names_the_profiles_my_shares_came_from_even_disconnected_ones(cast, login):
    gone = SocialProfileFactory(owner_membership=cast.emma, network="x", handle="emma.gone", state="disconnected")
    ShareFactory(profile=gone, post=PostFactory.published(organization=cast.org, title="From a profile now gone"))
    SocialProfileFactory(owner_membership=cast.emma, network="bluesky", handle="emma.live")
    SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="emma.old", state="disconnected")
    rollups.rollups_update()

    page = login(cast.emma).get(reverse("analytics:my_impact")).content.decode()
    profiles = page[page.index("<h2>My profiles</h2>") :]
    assert "emma.gone" in profiles and "Disconnected" in profiles
    assert "emma.live" in profiles
    assert "emma.old" not in profiles  # disconnected, and nothing shared from it in the period
