"""Links a network gives back (a post's or an account's URL) never become a hostile href.

A Mastodon instance is anyone's server: its `url` fields can say `javascript:…`. Such
a value is not stored, and a row stored before the check is not rendered as a link
on the profiles, shares, post and impact pages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from advocacy import services as share_services
from employees.models import SocialProfile
from networks.links import web_url
from tests.analytics.helpers import FakeNetwork, pull_cycle
from tests.employees.profiles.conftest import network_url_of
from tests.factories import PostFactory, ShareFactory, SocialProfileFactory

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/@emma",
    "/@emma",
    "https:/no-host",
    "https://",
    "mailto:emma@example.com",
    "https://social.example/" + "a" * 600,
]
SERVER = "https://social.example"


def _hrefs(page: str) -> list[str]:
    return re.findall(r"""href\s*=\s*["']?([^"' >]*)""", page)


def _no_hostile_href(page: str) -> None:
    for href in _hrefs(page):
        assert href.strip().lower().startswith(("/", "https://", "http://", "#", "?")), href
    assert "javascript:" not in page.lower()


@pytest.mark.parametrize("value", [*HOSTILE, None, 42, ""])
def test_a_hostile_or_malformed_url_from_a_network_is_dropped(value):
    assert web_url(value) == ""
    assert web_url(value, allow_http=True) == ""


def test_plain_http_is_kept_only_where_allowed():
    assert web_url("http://social.example/@emma") == ""
    assert web_url("http://social.example/@emma", allow_http=True) == "http://social.example/@emma"
    assert web_url("https://social.example/@emma/1") == "https://social.example/@emma/1"


@pytest.mark.parametrize("value", HOSTILE)
def test_the_safe_href_filter_renders_nothing_for_a_hostile_url(value):
    rendered = Template("{% load safe_links %}[{{ url|safe_href }}]").render(Context({"url": value}))
    assert rendered == "[]"


def test_a_mastodon_account_url_that_is_not_a_web_address_is_not_stored(cast, login, respx_mock):
    respx_mock.get(f"{SERVER}/api/v2/instance").mock(return_value=httpx.Response(200, json={"version": "4.3.0"}))
    respx_mock.post(f"{SERVER}/api/v1/apps").mock(
        return_value=httpx.Response(200, json={"client_id": "masto-client", "client_secret": "masto-secret"})
    )
    respx_mock.post(f"{SERVER}/oauth/token").mock(
        return_value=httpx.Response(200, json={"access_token": "masto-user-token", "scope": "write:statuses"})
    )
    respx_mock.get(f"{SERVER}/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(
            200, json={"id": "1091", "username": "emma", "url": "javascript:alert(document.cookie)"}
        )
    )
    client = login(cast.emma)
    start = client.post(reverse("profiles:profile_connect", args=["mastodon"]), {"instance_url": "social.example"})
    state = parse_qs(urlsplit(network_url_of(client, start)).query)["state"][0]

    client.get(reverse("profiles:profile_callback", args=["mastodon"]), {"state": state, "code": "the-code"})

    profile = SocialProfile.objects.get()
    assert profile.profile_url == ""
    page = client.get(reverse("profiles:my_profiles")).content.decode()
    assert "@emma@social.example" in page
    _no_hostile_href(page)


def test_a_mastodon_status_url_that_is_not_a_web_address_is_not_stored(
    cast, login, respx_mock, django_capture_on_commit_callbacks
):
    respx_mock.post(f"{SERVER}/api/v1/statuses").mock(
        return_value=httpx.Response(200, json={"id": "1100", "url": "javascript:alert(document.cookie)"})
    )
    profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon")
    post = PostFactory.published(organization=cast.org, link_url="https://example.com/office")
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = share_services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[profile], comment="Proud of this"
        )

    assert share_services.share_push(share_id=share.id) == "posted"

    share.refresh_from_db()
    assert (share.remote_id, share.remote_url) == ("1100", "")
    _no_hostile_href(login(cast.emma).get(reverse("advocacy:my_shares")).content.decode())


@pytest.mark.parametrize("hostile", ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,x"])
def test_links_stored_before_the_check_are_not_rendered_as_links(cast, login, monkeypatch, hostile):
    network = FakeNetwork()
    monkeypatch.setattr("employees.profiles.services.profile_adapter_open", network.adapter_open)
    profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
    share = ShareFactory(profile=profile, post=PostFactory.published(organization=cast.org, title="Our new office"))
    network.set(share, likes=3)
    pull_cycle(timezone.now() + timedelta(minutes=5))
    SocialProfile.objects.filter(pk=profile.pk).update(profile_url=hostile)
    type(share).objects.filter(pk=share.pk).update(remote_url=hostile)

    emma = login(cast.emma)
    pages = {
        "profiles": emma.get(reverse("profiles:my_profiles")).content.decode(),
        "shares": emma.get(reverse("advocacy:my_shares")).content.decode(),
        "impact": emma.get(reverse("analytics:my_impact")).content.decode(),
    }
    pages["post"] = login(cast.carol).get(reverse("content:post_detail", args=[share.post_id])).content.decode()

    assert "@emma@social.example" in pages["profiles"]
    assert "Our new office" in pages["impact"]
    for name, page in pages.items():
        assert hostile.strip() not in page, name
        _no_hostile_href(page)
