"""Edge values in every analytics filter and export: never a 500, never a broken stream."""

from __future__ import annotations

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from analytics.selectors.exports import TABLES
from analytics.services import rollups
from tests.factories import PostFactory, ShareFactory, SocialProfileFactory, company_profile

EDGES = ["0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "1970-01-01", "2000-02-30", "99999-01-01"]
PERIODS = [
    (EDGES[0], EDGES[1]),
    (EDGES[1], EDGES[0]),
    (EDGES[0], EDGES[2]),
    (EDGES[2], EDGES[3]),
    (EDGES[3], EDGES[0]),
    (EDGES[0], ""),
    ("", EDGES[0]),
    ("", EDGES[2]),
    (EDGES[4], EDGES[0]),
    (EDGES[5], EDGES[6]),
]

EXPORT_PERIODS = [(EDGES[0], EDGES[1]), (EDGES[1], EDGES[0]), (EDGES[2], EDGES[3]), (EDGES[0], ""), ("", EDGES[2])]


@pytest.fixture
def manager_client(cast, login):
    profile = SocialProfileFactory(owner_membership=cast.emma, network="bluesky", followers=321)
    post = ShareFactory(profile=profile).post
    ShareFactory(profile=company_profile(cast.org, followers=1000), member=None, post=post)
    rollups.rollups_update()
    client: Client = login(cast.alice)
    client.raise_request_exception = True
    client.post_id = post.id
    return client


def _read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_no_date_at_the_edge_of_the_calendar_breaks_a_page(cast, manager_client, start, end):
    for name, args in [
        ("analytics:dashboard", []),
        ("analytics:my_impact", []),
        ("analytics:post_report", [manager_client.post_id]),
    ]:
        response = manager_client.get(reverse(name, args=args), {"start": start, "end": end})
        assert response.status_code in (200, 403), name


@pytest.mark.parametrize(("start", "end"), EXPORT_PERIODS)
def test_no_date_at_the_edge_of_the_calendar_breaks_a_streamed_export(cast, manager_client, start, end):
    for table in TABLES:
        if table == "leaderboard":
            continue
        response = manager_client.get(
            reverse("analytics:export", args=[table]), {"start": start, "end": end, "post": manager_client.post_id}
        )
        assert response.status_code == 200, table
        body = _read(response).decode("utf-8-sig")
        assert body.count("\n") >= 1, table


@pytest.mark.parametrize("number", ["9" * 5000, "9" * 19, "-1", "0", "1e5", "١٢"])
def test_huge_or_odd_numbers_in_query_parameters_are_refused_politely(cast, manager_client, number):
    pages = [
        (reverse("analytics:dashboard"), {"team": number, "topic": number, "days": number}),
        (reverse("analytics:export", args=["post_shares"]), {"post": number}),
        (reverse("analytics:export", args=["posts"]), {"team": number, "topic": number}),
    ]
    for url, params in pages:
        response = manager_client.get(url, params)
        assert response.status_code in (200, 400, 404), url
        _read(response)


def test_a_csv_cell_over_the_csv_modules_field_limit_is_reported_by_line(cast, login):
    huge = "x" * (csv.field_size_limit() + 10)
    data = f"name,email,team,roles\n{huge},big@acme.test,,\nAnn,ann@acme.test,,\n".encode()
    client = login(cast.alice)
    client.raise_request_exception = True
    response = client.post(reverse("employees:people_import"), {"file": SimpleUploadedFile("people.csv", data)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 person invited" in page
    assert "longer than 4000 characters" in page


def test_bulk_actions_ignore_ids_no_row_can_have(cast, login):
    post = PostFactory.published(organization=cast.org)
    client = login(cast.carol)
    client.raise_request_exception = True
    response = client.post(
        reverse("content:post_bulk"), {"action": "archive", "post": ["9" * 5000, str(2**63), "-3", "١٢", str(post.id)]}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == "archived"


@pytest.mark.parametrize("number", ["9" * 5000, str(2**64)])
def test_list_filters_ignore_ids_no_row_can_have(cast, login, number):
    pages = [
        (cast.carol, reverse("content:library"), {"team": number, "topic": number, "page": number}),
        (cast.alice, reverse("employees:people"), {"team": number, "page": number}),
        (cast.emma, reverse("advocacy:feed"), {"topic": number, "page": number}),
    ]
    for member, url, params in pages:
        client = login(member)
        client.raise_request_exception = True
        assert client.get(url, params).status_code == 200, url


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "0001-01-01T23:59", "9999-12-31T23:59", "10000-01-01T00:00"])
def test_times_at_the_edge_of_the_calendar_in_the_editor_and_composer_are_refused_politely(cast, login, moment):
    cast.org.timezone = "Pacific/Kiritimati"  # +14:00, as far from UTC as a zone gets
    cast.org.save(update_fields=["timezone"])
    comms = login(cast.carol)
    comms.raise_request_exception = True
    form = {
        "title": "Edge",
        "body": "",
        "link_url": "https://example.com/edge",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "expires_at": moment,
        "publish_at": moment,
    }
    for action in ("save", "schedule", "publish"):
        response = comms.post(reverse("content:post_create"), form | {"action": action})
        assert response.status_code in (302, 400), action
    post = PostFactory.published(organization=cast.org)
    profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon")
    employee = login(cast.emma)
    employee.raise_request_exception = True
    response = employee.post(
        reverse("advocacy:compose", args=[post.id]),
        {"profiles": [profile.id], "comment": "hi", "when": "later", "scheduled_for": moment},
    )
    assert response.status_code in (302, 400)
