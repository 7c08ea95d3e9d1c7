"""The registry of networks, and the interface every adapter honours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networks import ADAPTERS, NETWORK_CHOICES, get_adapter_class
from networks.base import Adapter, Credentials, Unsupported
from networks.facebook import FacebookAdapter, share_dialog_url


def test_every_network_is_registered_under_its_name():
    assert list(ADAPTERS) == ["linkedin", "x", "mastodon", "bluesky", "facebook"]
    assert NETWORK_CHOICES == [
        ("linkedin", "LinkedIn"),
        ("x", "X"),
        ("mastodon", "Mastodon"),
        ("bluesky", "Bluesky"),
        ("facebook", "Facebook"),
    ]
    assert get_adapter_class("mastodon").name == "mastodon"
    assert all(issubclass(adapter, Adapter) for adapter in ADAPTERS.values())


def test_an_unknown_network_is_an_error():
    with pytest.raises(ValueError, match="unknown network"):
        get_adapter_class("myspace")


def test_the_declared_metrics_batches_are_what_the_apis_take():
    sizes = {name: adapter.metrics_batch_size for name, adapter in ADAPTERS.items() if adapter.can_publish}
    assert sizes == {"linkedin": 1, "x": 100, "mastodon": 20, "bluesky": 25}


def test_credentials_never_show_their_tokens():
    credentials = Credentials(access_token="very-secret", refresh_token="also-secret", extra={"did": "did:plc:x"})
    assert "secret" not in repr(credentials)


def test_a_credential_without_expiry_or_refresh_token_never_needs_a_refresh():
    now = datetime.now(UTC)
    without_refresh = FacebookAdapter(Credentials(access_token="", expires_at=now - timedelta(days=1)))
    assert without_refresh.needs_refresh(now) is False


def test_facebook_offers_the_share_dialog_with_the_link_only():
    assert share_dialog_url("https://go.example/l/abc?x=1") == (
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fgo.example%2Fl%2Fabc%3Fx%3D1"
    )
    assert FacebookAdapter.share_dialog_url("https://go.example/l/a") == share_dialog_url("https://go.example/l/a")


def test_facebook_cannot_publish_and_says_why():
    facebook = FacebookAdapter(Credentials(access_token=""))
    assert (facebook.can_publish, facebook.measured) == (False, False)
    with pytest.raises(Unsupported, match="publish_actions"):
        facebook.publish(text="hi", link="https://go.example/l/a", idempotency_key="k")


def test_each_network_says_how_it_connects_and_who_reads_its_metrics():
    declared = {
        name: (adapter.connect_kind, adapter.metrics_readers, adapter.app_settings)
        for name, adapter in ADAPTERS.items()
    }
    assert declared == {
        "linkedin": ("oauth", "own", ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET")),
        "x": ("oauth", "network", ("X_CLIENT_ID", "X_CLIENT_SECRET")),
        "mastodon": ("instance", "server", None),
        "bluesky": ("app_password", "network", None),
        "facebook": ("share_dialog", "own", None),
    }


def test_only_a_mastodon_profile_brings_its_own_character_limit():
    extra = {"max_characters": 5000, "instance_url": "https://Social.Example/"}
    assert {name: adapter.profile_max_chars(extra) for name, adapter in ADAPTERS.items()} == {
        "linkedin": None,
        "x": None,
        "mastodon": 5000,
        "bluesky": None,
        "facebook": None,
    }
    assert get_adapter_class("mastodon").server_of(extra) == "https://social.example"
    assert get_adapter_class("mastodon").profile_max_chars({"max_characters": "lots"}) is None
