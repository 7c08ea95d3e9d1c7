from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from advocacy import links
from advocacy.models import Click, TrackedLink


@pytest.fixture
def link(cast):
    return TrackedLink.objects.create(
        code="abcDEF12",
        organization=cast.org,
        share=None,
        target_url=links.with_utm(
            "https://example.com/news?id=7", network="bluesky", campaign="post-1", content="share-2"
        ),
    )


def test_utm_parameters_name_the_network_the_post_and_the_share():
    url = links.with_utm("https://example.com/a?id=7&utm_source=old", network="x", campaign="post-3", content="share-9")
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "id": ["7"],
        "utm_source": ["x"],
        "utm_medium": ["employee_advocacy"],
        "utm_campaign": ["post-3"],
        "utm_content": ["share-9"],
    }


def test_a_tracked_link_redirects_to_its_stored_target_and_counts_the_click(client, link):
    response = client.get(
        reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130"
    )
    assert response.status_code == 302
    assert response["Location"] == link.target_url
    click = Click.objects.get()
    assert (click.link, click.is_bot) == (link, False)
    assert len(click.visitor) == 16


def test_the_redirect_ignores_any_target_in_the_request(client, link):
    response = client.get(
        reverse("advocacy:tracked_link", args=["abcDEF12"]) + "?next=https://evil.example/&url=//evil.example"
    )
    assert response["Location"] == link.target_url


def test_an_unknown_code_is_a_404_page_not_a_redirect(client, db):
    response = client.get(reverse("advocacy:tracked_link", args=["nope1234"]))
    assert response.status_code == 404
    assert not Click.objects.exists()


def test_crawlers_are_counted_but_flagged(client, link):
    client.get(reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="LinkedInBot/1.0")
    client.get(reverse("advocacy:tracked_link", args=["abcDEF12"]))
    assert list(Click.objects.values_list("is_bot", flat=True)) == [True, True]


def test_no_ip_address_is_stored(client, link):
    client.get(reverse("advocacy:tracked_link", args=["abcDEF12"]), REMOTE_ADDR="203.0.113.9")
    values = " ".join(str(value) for value in Click.objects.values_list(flat=False).get())
    assert "203.0.113.9" not in values


@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="one statement needs PostgreSQL (a data-modifying WITH); on SQLite the lookup and the click are two",
)
def test_a_visit_costs_one_statement_the_lookup_and_the_click_together(client, link, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(
            reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130"
        )
    assert response["Location"] == link.target_url
    assert Click.objects.filter(link=link).count() == 1


def test_a_deleted_link_is_a_404_and_counts_nothing(client, link):
    link.delete()
    response = client.get(
        reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130"
    )
    assert response.status_code == 404
    assert not Click.objects.exists()


def test_every_visit_is_counted_on_databases_without_the_single_statement(client, link, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    client.get(reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="Mozilla/5.0 Firefox/130")
    client.get(reverse("advocacy:tracked_link", args=["abcDEF12"]), HTTP_USER_AGENT="curl/8")
    response = client.get(reverse("advocacy:tracked_link", args=["nope1234"]))
    assert response.status_code == 404
    assert sorted(Click.objects.values_list("is_bot", flat=True)) == [False, True]
