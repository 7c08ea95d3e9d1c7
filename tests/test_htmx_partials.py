"""Pages that answer htmx with a partial of themselves say so (Vary) and take only GET.

One URL serves the page and its fragment; without `Vary: HX-Request` a cache, or the
browser's back button after `hx-push-url`, may show the bare fragment as the page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PostFactory

PAGES = [
    ("employees:people", "alice", False),
    ("advocacy:my_shares", "emma", False),
    ("advocacy:feed", "emma", False),
    ("content:library", "carol", False),
    ("analytics:leaderboard", "emma", False),
    ("analytics:my_impact", "emma", False),
    ("analytics:dashboard", "mike", False),
    ("analytics:post_report", "mike", True),
    ("advocacy:compose", "emma", True),
]


@pytest.fixture
def post(cast):
    return PostFactory.published(organization=cast.org, title="Our new office", link_url="https://example.com/office")


@pytest.mark.parametrize(("name", "person", "with_post"), PAGES)
def test_the_page_and_its_fragment_vary_on_the_htmx_header(cast, login, post, name, person, with_post):
    client = login(getattr(cast, person))
    url = reverse(name, args=[post.id] if with_post else [])

    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200, (page.status_code, fragment.status_code)
    assert "HX-Request" in page["Vary"]
    assert "HX-Request" in fragment["Vary"]


@pytest.mark.parametrize(("name", "person", "with_post"), [page for page in PAGES if page[0] != "advocacy:compose"])
def test_a_read_only_page_refuses_other_methods(cast, login, post, name, person, with_post):
    url = reverse(name, args=[post.id] if with_post else [])

    assert login(getattr(cast, person)).post(url).status_code == 405
