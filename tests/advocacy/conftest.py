from __future__ import annotations

import pytest

from content.models import CaptionSuggestion
from tests.factories import PostFactory, SocialProfileFactory


@pytest.fixture
def post(cast):
    post = PostFactory.published(organization=cast.org, title="Our new office", link_url="https://example.com/office")
    CaptionSuggestion.objects.create(post=post, text="Proud to open our new office in Aarhus today!")
    return post


@pytest.fixture
def mastodon_profile(cast):
    return SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
