"""Dates and numbers in the organization's way: English words, the region's formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from analytics.services import rollups
from tests.factories import PostFactory, ShareFactory, SocialProfileFactory

POSTED = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


@pytest.fixture
def shared(cast):
    post = PostFactory.published(organization=cast.org, title="Spring release")
    profile = SocialProfileFactory(owner_membership=cast.emma, followers=1234)
    ShareFactory(profile=profile, post=post, posted_at=POSTED)
    rollups.rollups_update(enrol_since=None)
    return post


def _impact(cast, login, *, formats: str, language: str = "en", **headers) -> str:
    cast.org.formats, cast.org.language = formats, language
    cast.org.save(update_fields=["formats", "language"])
    client = login(cast.emma)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    return client.get(reverse("analytics:my_impact"), query, **headers).content.decode()


@pytest.mark.parametrize(
    ("formats", "lang", "posted", "reach"),
    [
        ("", "en", "03/02/2026 9:05 a.m.", "1,234"),
        ("gb", "en-gb", "02/03/2026 09:05", "1,234"),
        ("dk", "en-dk", "02.03.2026 09:05", "1.234"),
    ],
)
def test_the_english_interface_writes_dates_and_numbers_the_organizations_way(
    cast, login, shared, formats, lang, posted, reach
):
    page = _impact(cast, login, formats=formats)
    assert f'<html lang="{lang}">' in page
    assert posted in page
    assert f">{reach}<" in page  # people I could reach
    assert "My impact" in page  # the words stay English


def test_the_danish_interface_is_written_the_danish_way_whatever_the_setting(cast, login, shared):
    page = _impact(cast, login, formats="gb", language="da")
    assert '<html lang="da">' in page
    assert "02.03.2026 09:05" in page
    assert ">1.234<" in page


def test_a_person_who_chose_english_gets_the_organizations_formats(cast, login, shared, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _impact(cast, login, formats="dk", language="da")
    assert '<html lang="en-dk">' in page
    assert "02.03.2026 09:05" in page
    # The language picker still shows English as chosen.
    assert re.search(r'<option value="en" selected>', page)


def test_an_admin_sets_the_formats_in_the_organization_settings(cast, login):
    client = login(cast.alice)
    page = client.get(reverse("employees:organization_settings")).content.decode()
    assert "Dates and numbers in English" in page
    data = {"name": "Acme", "language": "en", "formats": "dk", "timezone": "Europe/Copenhagen"}
    response = client.post(reverse("employees:organization_settings"), data)
    assert response.status_code == 302
    cast.org.refresh_from_db()
    assert cast.org.formats == "dk"
    response = client.post(reverse("employees:organization_settings"), data | {"formats": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.formats == "dk"
