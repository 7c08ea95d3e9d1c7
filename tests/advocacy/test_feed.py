from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Share
from content.models import CaptionSuggestion
from tests.factories import PostFactory, SocialProfileFactory, TopicFactory


def _make_posts(cast, count, topic=None):
    posts = []
    for _ in range(count):
        post = PostFactory.published(organization=cast.org, audience=[cast.sales])
        CaptionSuggestion.objects.create(post=post, text="A caption")
        if topic:
            post.topics.add(topic)
        posts.append(post)
    return posts


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("advocacy:feed"), params)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_feed_costs_the_same_number_of_queries_whatever_the_data_size(cast, login):
    topic = TopicFactory(organization=cast.org)
    client = login(cast.emma)
    _make_posts(cast, 3, topic)
    # The first view of a visit also writes the session (three statements) and reads
    # the organization's topics (cached in process under their version after that);
    # then the session, the user, the membership (with the switcher's memberships),
    # the posts (the team ancestry inside), the cards' topics, their first images and
    # the company posts an employee may amplify: seven. No reconnect banner query
    # while no profile needs reconnecting.
    assert _queries(client) <= 11
    small = _queries(client)
    posts = _make_posts(cast, 40, topic)
    profile = SocialProfileFactory(owner_membership=cast.emma)
    for post in posts[:15]:
        Share.objects.create(
            organization=cast.org, post=post, profile=profile, member=cast.emma, network="mastodon", final_text="x"
        )
    large = _queries(client)
    assert large == small
    assert large <= 7
    assert _queries(client, topic=topic.id, page=2) == small


def test_the_feed_marks_new_expiring_and_already_shared_posts(cast, login):
    client = login(cast.emma)
    shared = PostFactory.published(organization=cast.org, title="Shared one")
    session = client.session
    session["feed_seen_at"] = (timezone.now() - timedelta(hours=1)).isoformat()  # the previous visit
    session.save()
    expiring = PostFactory(
        organization=cast.org,
        title="Expiring one",
        status="published",
        publish_at=timezone.now() - timedelta(minutes=5),
        published_at=timezone.now() - timedelta(minutes=5),
        expires_at=timezone.now() + timedelta(hours=5),
    )
    profile = SocialProfileFactory(owner_membership=cast.emma)
    Share.objects.create(organization=cast.org, post=shared, profile=profile, member=cast.emma, network="mastodon")
    page = client.get(reverse("advocacy:feed")).content.decode()
    shared_card = page[page.index("Shared one") - 600 : page.index("Shared one")]
    expiring_card = page[page.index("Expiring one") - 600 : page.index("Expiring one")]
    assert "You shared this" in shared_card
    assert "New" in expiring_card and "Expires in" in expiring_card
    assert "New" not in shared_card
    assert expiring.id and "Share again" in page


def test_load_more_returns_only_the_next_posts_for_htmx(cast, login):
    _make_posts(cast, 12)
    client = login(cast.emma)
    response = client.get(reverse("advocacy:feed"), {"page": 2}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert page.count('class="card feed-post"') == 2
    full = client.get(reverse("advocacy:feed"), {"page": 2}).content.decode()
    assert "<html" in full


def test_the_feed_filters_by_topic(cast, login):
    topic = TopicFactory(organization=cast.org, name="Hiring")
    hiring = PostFactory.published(organization=cast.org, title="Join us")
    hiring.topics.add(topic)
    PostFactory.published(organization=cast.org, title="Other news")
    page = login(cast.emma).get(reverse("advocacy:feed"), {"topic": topic.id}).content.decode()
    assert "Join us" in page and "Other news" not in page


def test_my_shares_polls_until_every_share_is_final(cast, login):
    post = PostFactory.published(organization=cast.org)
    profile = SocialProfileFactory(owner_membership=cast.emma)
    share = Share.objects.create(
        organization=cast.org, post=post, profile=profile, member=cast.emma, network="mastodon", status="queued"
    )
    client = login(cast.emma)
    assert 'hx-trigger="every 2s"' in client.get(reverse("advocacy:my_shares")).content.decode()
    Share.objects.filter(pk=share.pk).update(status="posted")
    response = client.get(reverse("advocacy:my_shares"), headers={"HX-Request": "true", "HX-Target": "share-list"})
    assert 'hx-trigger="every 2s"' not in response.content.decode()
    assert "<html" not in response.content.decode()
    assert "Posted" in response.content.decode()
