from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from advocacy.echo import COLLEAGUES, WINDOW
from advocacy.models import Share
from tests.factories import MembershipFactory, PostFactory, SocialProfileFactory

ECHOED = "We are hiring engineers in Aarhus, come and join us"


def _shared(organization, text, *, member=None, ago=timedelta(minutes=20)):
    member = member or MembershipFactory(organization=organization)
    share = Share.objects.create(
        organization=organization,
        post=PostFactory.published(organization=organization),
        profile=SocialProfileFactory(owner_membership=member),
        member=member,
        network="mastodon",
        comment=text,
        final_text=text,
    )
    Share.objects.filter(pk=share.pk).update(created_at=timezone.now() - ago)
    return member


def _preview(client, post, profile, comment):
    response = client.post(
        reverse("advocacy:compose_preview", args=[post.id]), {"profiles": [profile.id], "comment": comment}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_composer_warns_when_many_colleagues_just_posted_the_same_words(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES):
        _shared(cast.org, ECHOED)
    page = _preview(login(cast.emma), post, mastodon_profile, "We're hiring engineers in Aarhus: come and join us!")
    assert 'id="echo-risk"' in page
    assert f"{COLLEAGUES} colleagues posted near-identical words in the last 3 hours." in page


def test_words_of_ones_own_raise_no_echo(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES):
        _shared(cast.org, ECHOED)
    page = _preview(login(cast.emma), post, mastodon_profile, "Our Aarhus team saved my project last spring")
    assert 'id="echo-risk"' not in page


def test_fewer_colleagues_older_posts_or_one_colleague_repeating_are_no_echo(cast, login, post, mastodon_profile):
    client = login(cast.emma)
    # One short of an echo: the repeater counts once, the older post not at all.
    for _ in range(COLLEAGUES - 2):
        _shared(cast.org, ECHOED)
    _shared(cast.org, ECHOED, ago=WINDOW + timedelta(minutes=5))
    repeater = _shared(cast.org, "Hiring engineers in Aarhus, come and join us")
    _shared(cast.org, ECHOED, member=repeater)
    assert 'id="echo-risk"' not in _preview(client, post, mastodon_profile, ECHOED)


def test_my_own_shares_and_another_organizations_are_not_colleagues(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES):
        _shared(cast.other_org, ECHOED)
        _shared(cast.org, ECHOED, member=cast.emma)
    assert 'id="echo-risk"' not in _preview(login(cast.emma), post, mastodon_profile, ECHOED)


def test_a_short_comment_is_no_campaign(cast, login, post, mastodon_profile):
    for _ in range(COLLEAGUES + 2):
        _shared(cast.org, "So proud!")
    assert 'id="echo-risk"' not in _preview(login(cast.emma), post, mastodon_profile, "So proud!")
