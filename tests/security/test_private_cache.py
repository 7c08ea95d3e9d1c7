"""Pages for a signed-in person say `Cache-Control: private`."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("person", "page"),
    [
        ("emma", "advocacy:feed"),
        ("emma", "advocacy:my_shares"),
        ("emma", "analytics:my_impact"),
        ("alice", "analytics:dashboard"),
        ("alice", "employees:people"),
    ],
)
def test_authenticated_pages_may_not_be_kept_by_shared_caches(cast, login, person, page):
    response = login(getattr(cast, person)).get(reverse(page))
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "private" in directives
    assert "public" not in directives


def test_an_export_stays_unstored_and_private(cast, login):
    response = login(cast.alice).get(reverse("analytics:export", args=["posts"]))
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
