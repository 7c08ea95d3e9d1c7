"""Facebook is an honest hand-off: the sharer keeps their text, the share says "handed off"
until a person follows its tracked link, and the preview shows what goes into the dialog."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from advocacy import links, services
from advocacy.models import Share
from analytics.models import ShareMetrics
from analytics.services import rollups
from tests.factories import SocialProfileFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


@pytest.fixture
def facebook(cast):
    return SocialProfileFactory(owner_membership=cast.emma, network="facebook", handle="Emma E", access_token="")


@pytest.fixture
def share(cast, post, facebook):
    (share,) = services.shares_create(
        member=cast.emma, actor=cast.emma.user, post=post, profiles=[facebook], comment="Our office opens today"
    )
    return share


def test_a_facebook_share_is_handed_off_not_posted(share):
    share.refresh_from_db()
    assert share.status == Share.Status.HANDED_OFF
    assert share.posted_at is None
    assert share.verified is False
    assert share.final_text.startswith("Our office opens today")
    # The dialog carries the tracked link.
    assert parse_qs(urlsplit(share.remote_url).query)["u"] == [links.short_url(share.tracked_link.code)]


def test_my_shares_keeps_the_text_with_a_copy_button_and_the_dialog(cast, login, share):
    html = login(cast.emma).get(reverse("advocacy:my_shares")).content.decode()
    assert "Handed off" in html
    assert ">Posted<" not in html
    assert "Our office opens today</textarea>" in html
    assert f'data-copy="#share-text-{share.id}"' in html
    assert "Open Facebook" in html
    assert 'hx-trigger="every 2s"' not in html  # nothing left to wait for


def test_a_crawler_fetching_the_link_does_not_count_as_posted(client, share):
    client.get(
        reverse("advocacy:tracked_link", args=[share.tracked_link.code]), HTTP_USER_AGENT="facebookexternalhit/1.1"
    )
    assert Share.objects.get(pk=share.pk).status == Share.Status.HANDED_OFF


def test_a_person_following_the_link_shows_the_share_went_out(client, share):
    response = client.get(reverse("advocacy:tracked_link", args=[share.tracked_link.code]), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == Share.Status.POSTED
    assert share.posted_at is not None
    assert share.verified is False  # still counted by clicks only
    rollups.rollups_update()
    assert ShareMetrics.objects.filter(share=share).exists()


def test_the_visit_that_confirms_is_still_one_statement(client, share, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(reverse("advocacy:tracked_link", args=[share.tracked_link.code]), HTTP_USER_AGENT=BROWSER)


def test_the_facebook_preview_shows_the_text_and_the_link_for_the_dialog(cast, login, post, facebook):
    html = (
        login(cast.emma)
        .post(
            reverse("advocacy:compose_preview", args=[post.id]), {"comment": "Proud of this", "profiles": [facebook.id]}
        )
        .content.decode()
    )
    assert "Proud of this" in html
    assert links.sample_short_url(post) in html
