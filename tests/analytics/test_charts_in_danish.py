"""Charts in Danish: the words are Danish, the SVG's numbers stay numbers ("57.5", never "57,5")."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from analytics.services import rollups
from tests.factories import ShareFactory, SocialProfileFactory, company_profile

# Attributes the template fills with numbers; path data ("d") is built in Python.
GEOMETRY = re.compile(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|transform)="([^"]*)"')
SVG_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _svg_geometry(page: str) -> list[str]:
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert svgs, "no chart on the page"
    return [value for svg in svgs for value in GEOMETRY.findall(svg)]


def _numbers_in(value: str) -> list[str]:
    # A viewBox and a transform hold several numbers separated by spaces.
    return re.sub(r"[a-z]+\(|\)", " ", value).split()


@pytest.fixture
def danish(cast, client):
    cast.org.language = "da"
    cast.org.save(update_fields=["language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    # Uneven followers give bars whose heights are fractions of a pixel.
    for followers in (333, 77, 1234):
        ShareFactory(profile=SocialProfileFactory(owner_membership=cast.emma, network="bluesky", followers=followers))
    ShareFactory(profile=company_profile(cast.org, followers=1001), member=None)
    rollups.rollups_update()


@pytest.mark.parametrize("person", ["alice", "emma"])
def test_chart_coordinates_use_a_dot_in_danish(cast, login, danish, person):
    page_name = "analytics:dashboard" if person == "alice" else "analytics:my_impact"
    page = login(getattr(cast, person)).get(reverse(page_name), {"days": 7}).content.decode()
    assert 'lang="da"' in page
    geometry = _svg_geometry(page)
    fractional = [value for value in geometry if "." in value]
    assert fractional, "expected fractional coordinates in the chart"
    for value in geometry:
        for number in _numbers_in(value):
            assert "," not in number, f"localized number in SVG geometry: {value!r}"
            assert SVG_NUMBER.fullmatch(number), value


def test_the_chart_labels_stay_danish(cast, login, danish):
    page = login(cast.alice).get(reverse("analytics:dashboard"), {"days": 7}).content.decode()
    assert "Medarbejdere" in page or "medarbejdere" in page
