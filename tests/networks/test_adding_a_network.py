"""Adding a network is one module and one registry line.

`tests/networks/fakenet.py` is a network the product has never heard of. Registered
in `networks.ADAPTERS` (and the model's choices, for its display name) and nowhere
else, it is offered on the profiles page, connects through OAuth, is offered and
counted in the composer, is posted to, and is read by the engagement pull in its
own batch size.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

import networks
from advocacy.models import Share
from analytics.models import ShareMetrics
from employees.models import SocialProfile
from tests.analytics.helpers import pull_cycle
from tests.employees.profiles.conftest import network_url_of
from tests.factories import ShareFactory
from tests.networks.fakenet import AUTHORIZE_URL, FakenetAdapter, FakenetServer


@pytest.fixture
def fakenet(monkeypatch, settings):
    monkeypatch.setitem(networks.ADAPTERS, FakenetAdapter.name, FakenetAdapter)
    field = SocialProfile._meta.get_field("network")
    monkeypatch.setattr(field, "choices", [*field.choices, (FakenetAdapter.name, FakenetAdapter.label)])
    monkeypatch.setattr(FakenetAdapter, "server", FakenetServer())
    settings.FAKENET_CLIENT_ID = "fakenet-client"
    settings.FAKENET_CLIENT_SECRET = "fakenet-secret"
    return FakenetAdapter.server


@pytest.fixture
def connected(cast, login, fakenet, post):
    """Emma connects Fakenet the way she connects any OAuth network."""
    client = login(cast.emma)
    url = network_url_of(client, client.post(reverse("profiles:profile_connect", args=["fakenet"])))
    state = parse_qs(urlsplit(url).query)["state"][0]
    client.get(reverse("profiles:profile_callback", args=["fakenet"]), {"state": state, "code": "fn-code"})
    return client, SocialProfile.objects.get(network="fakenet")


@pytest.fixture
def post(cast):
    from tests.factories import PostFactory

    return PostFactory.published(organization=cast.org, title="Our new office", link_url="https://example.com/office")


def test_a_registered_network_is_offered_on_the_profiles_page(cast, login, fakenet):
    page = login(cast.emma).get(reverse("profiles:my_profiles")).content.decode()

    assert "<strong>Fakenet</strong>" in page
    assert "Connect Fakenet" in page


def test_it_connects_through_our_own_page_and_the_networks_authorize_url(cast, login, fakenet, connected):
    client, profile = connected

    assert (profile.owner_membership, profile.handle, profile.followers) == (cast.emma, "@emma_fn", 77)
    assert profile.access_token == "fakenet-token-fn-code"
    assert list(fakenet.codes) == ["fn-code"]  # the code went to the adapter with its PKCE verifier
    page = client.get(reverse("profiles:my_profiles")).content.decode()
    assert "@emma_fn" in page
    assert "Fakenet" in page


def test_the_authorize_url_is_the_adapters(cast, login, fakenet):
    client = login(cast.emma)

    url = network_url_of(client, client.post(reverse("profiles:profile_connect", args=["fakenet"])))

    assert url.startswith(AUTHORIZE_URL)
    assert parse_qs(urlsplit(url).query)["client_id"] == ["fakenet-client"]


def test_the_composer_offers_it_counts_by_its_rule_and_posts_to_it(
    cast, fakenet, connected, post, django_capture_on_commit_callbacks
):
    client, profile = connected

    page = client.get(reverse("advocacy:compose", args=[post.id])).content.decode()
    preview = client.post(
        reverse("advocacy:compose_preview", args=[post.id]), {"profiles": [profile.id], "comment": "Lovely new office."}
    ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("advocacy:compose", args=[post.id]),
            {"profiles": [profile.id], "comment": "Lovely new office.", "when": "now"},
        )

    assert "@emma_fn" in page
    assert "/120" in preview  # the adapter's own text rule
    share = Share.objects.get(profile=profile)
    assert share.status == Share.Status.POSTED
    assert fakenet.posts[share.remote_id] == share.final_text
    assert "/l/" in share.final_text


def test_the_pull_reads_it_in_its_own_batch_size(cast, fakenet, connected):
    _client, profile = connected
    shares = [ShareFactory(profile=profile, remote_id=f"fn-{index}") for index in range(5)]
    for index, share in enumerate(shares):
        fakenet.likes[share.remote_id] = index + 1

    pull_cycle(timezone.now())

    assert len(fakenet.metric_calls) == math.ceil(5 / FakenetAdapter.metrics_batch_size)
    assert sorted(rid for call in fakenet.metric_calls for rid in call) == sorted(share.remote_id for share in shares)
    likes = dict(ShareMetrics.objects.filter(share__in=shares).values_list("share__remote_id", "likes"))
    assert likes == {share.remote_id: index + 1 for index, share in enumerate(shares)}
