"""Form labels end without Django's colon, in every form of the project."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import PostFactory


@pytest.mark.parametrize(
    ("person", "page", "args"),
    [
        ("carol", "content:post_create", []),
        ("carol", "content:compliance", []),
        ("alice", "employees:people", []),
        ("alice", "employees:organization_settings", []),
        ("emma", "advocacy:compose", ["post"]),
    ],
)
def test_labels_have_no_trailing_colon(cast, login, person, page, args):
    post = PostFactory.published(organization=cast.org)
    url = reverse(page, args=[post.id if arg == "post" else arg for arg in args])
    html = login(getattr(cast, person)).get(url).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)
    assert labels, "no labels on the page"
    with_colon = [label for label in labels if re.sub(r"<[^>]+>", "", label).strip().endswith(":")]
    assert with_colon == []


def test_labels_have_no_trailing_colon_in_danish_either(cast, login, settings):
    html = login(cast.carol).get(reverse("content:post_create"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    cleaned = [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)]
    assert cleaned and not [label for label in cleaned if label.endswith(":")]
