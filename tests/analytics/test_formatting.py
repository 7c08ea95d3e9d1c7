"""The analytics pages' number formatting agrees with Django's own, in every language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from analytics.templatetags.analytics_tags import count


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("value", [0, 7, 999, 1000, 1234567, -45000, 10**12])
def test_count_shows_what_intcomma_shows(language, value):
    with translation.override(language):
        assert count(value) == intcomma(value)


def test_count_groups_by_the_language():
    with translation.override("da"):
        assert count(1234567) == "1.234.567"
    with translation.override("en"):
        assert count(1234567) == "1,234,567"


@pytest.mark.parametrize("value", [None, "", "abc", 1234.5, Decimal("1234.50"), True])
def test_anything_but_an_integer_is_left_to_intcomma(value):
    with translation.override("da"):
        assert count(value) == intcomma(value)
