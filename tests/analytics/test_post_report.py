"""The per-post report: the post's reach and shares, scoped, and 404 for outsiders."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from analytics.services import rollups
from tests.analytics.helpers import pull_cycle
from tests.factories import MembershipFactory, PostFactory, ShareFactory, SocialProfileFactory, company_profile


def test_the_report_shows_a_posts_shares_and_combined_reach(cast, login, fake_network):
    post = PostFactory.published(organization=cast.org, title="Our new office")
    share = ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, followers=300), post=post)
    ShareFactory(profile=company_profile(cast.org, followers=2000), member=None, post=post)
    fake_network.set(share, likes=11)
    pull_cycle(timezone.now())
    page = login(cast.carol).get(reverse("analytics:post_report", args=[post.id])).content.decode()
    assert "Our new office" in page
    assert "2,300" in page
    assert ">11<" in page
    assert "Company" in page


def test_a_manager_sees_only_their_teams_people_on_a_post_report(cast, login):
    post = PostFactory.published(organization=cast.org)
    mia = MembershipFactory(organization=cast.org, teams=[cast.marketing], user__name="Mia Marketing")
    cast.emma.user.name = "Emma Employee"
    cast.emma.user.save()
    ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma), post=post)
    ShareFactory(profile=SocialProfileFactory(owner_membership=mia, followers=7777), post=post)
    rollups.rollups_update()
    page = login(cast.mike).get(reverse("analytics:post_report", args=[post.id])).content.decode()
    assert "Emma Employee" in page
    assert "Mia Marketing" not in page and "7,777" not in page


def test_an_outsider_gets_404_for_another_organizations_post_report(cast, login):
    post = PostFactory.published(organization=cast.org)
    assert login(cast.olga).get(reverse("analytics:post_report", args=[post.id])).status_code == 404


def test_an_employee_is_refused_a_post_report(cast, login):
    post = PostFactory.published(organization=cast.org)
    assert login(cast.emma).get(reverse("analytics:post_report", args=[post.id])).status_code == 403
