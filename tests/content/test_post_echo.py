"""Comms see per post how many of its shares echoed colleagues' words: count and share."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.echo import PostEcho, posts_echo
from advocacy.models import Share
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory


def _share(post, twist, *, company=False):
    member = None if company else MembershipFactory(organization=post.organization)
    return Share.objects.create(
        organization=post.organization,
        post=post,
        profile=SocialProfileFactory(organization=post.organization, owner_membership=member),
        member=member,
        network="mastodon",
        comment="Words",
        final_text="Words",
        twist=twist,
    )


def _echoed(cast):
    post = PostFactory.published(organization=cast.org, title="Harbour news")
    for twist in ("near_duplicate", "near_duplicate", "personal", "caption", "empty"):
        _share(post, twist)
    _share(post, "empty", company=True)  # the company's own share is nobody's echo
    return post


def test_the_echo_figure_counts_near_duplicates_among_the_employees_shares(cast):
    post = _echoed(cast)
    quiet = PostFactory.published(organization=cast.org)
    _share(quiet, "personal")
    unshared = PostFactory.published(organization=cast.org)
    echoes = posts_echo(organization_id=cast.org.id, post_ids=[post.id, quiet.id, unshared.id])
    assert echoes == {post.id: PostEcho(near_duplicates=2, shares=5), quiet.id: PostEcho(0, 1)}
    assert (echoes[post.id].percent, echoes[quiet.id].percent) == (40, 0)


def test_the_figure_is_one_query_for_a_page_of_posts_and_stays_in_the_organization(cast):
    post = _echoed(cast)
    with CaptureQueriesContext(connection) as queries:
        posts_echo(organization_id=cast.org.id, post_ids=[post.id, *range(1000, 1030)])
    assert len(queries) == 1
    assert posts_echo(organization_id=cast.other_org.id, post_ids=[post.id]) == {}


def test_the_library_and_the_post_page_show_the_echo_to_comms(cast, login):
    post = _echoed(cast)
    client = login(cast.carol)
    library = client.get(reverse("content:library")).content.decode()
    assert "2 of 5 shares (40%)" in library
    detail = client.get(reverse("content:post_detail", args=[post.id])).content.decode()
    assert 'id="post-echo"' in detail
    assert "Echo: 2 of 5 shares by colleagues (40%) were near-identical" in detail


def test_the_echo_figure_speaks_danish(cast, login):
    cast.org.language = "da"
    cast.org.save(update_fields=["language"])
    post = _echoed(cast)
    client = login(cast.carol)
    assert "2 af 5 delinger (40%)" in client.get(reverse("content:library")).content.decode()
    assert "Ekko: 2 af 5 delinger" in client.get(reverse("content:post_detail", args=[post.id])).content.decode()


def test_an_outsider_sees_no_echo_of_our_posts(cast, login):
    post = _echoed(cast)
    assert login(cast.olga).get(reverse("content:post_detail", args=[post.id])).status_code == 404
