"""Formatting for analytics pages: percentages, ratios, money, and measured/estimated marks."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from analytics.reach import DEFINITIONS, ESTIMATED, MEASURED

register = template.Library()

NOTHING = "—"


@register.filter
def network_label(value: str) -> str:
    from networks import ADAPTERS

    adapter = ADAPTERS.get(value)
    return adapter.label if adapter else value


_SEPARATORS: dict[str | None, str] = {}


@register.filter
def count(value) -> str:
    """A whole number grouped in thousands the language's way: what ``intcomma`` shows.

    A dashboard prints a few thousand figures, and ``intcomma`` looks the separator up
    again for each one; here it is looked up once per language. Anything but an
    integer goes to ``intcomma`` as before.
    """
    if type(value) is not int:
        return intcomma(value)
    language = translation.get_language()
    separator = _SEPARATORS.get(language)
    if separator is None:
        separator = _SEPARATORS[language] = get_format("THOUSAND_SEPARATOR")
    return f"{value:,}".replace(",", separator)


@register.filter
def percent(value) -> str:
    if value is None:
        return NOTHING
    return f"{floatformat(value * 100, 1)} %"


@register.filter
def times(value) -> str:
    """A ratio as "3.2×"."""
    if value is None:
        return NOTHING
    return f"{floatformat(value, 1)}×"


@register.filter
def money(value, currency: str = "") -> str:
    if value is None:
        return NOTHING
    amount = floatformat(Decimal(value), "2g")
    return f"{amount} {currency}".strip()


@register.simple_tag
def kind_badge(key_or_kind: str) -> str:
    """A small mark saying whether a figure is measured or estimated."""
    kind = DEFINITIONS[key_or_kind].kind if key_or_kind in DEFINITIONS else key_or_kind
    if kind == MEASURED:
        return format_html('<span class="badge kind kind-measured" title="{}">{}</span>', _("Counted"), _("measured"))
    if kind == ESTIMATED:
        return format_html(
            '<span class="badge kind kind-estimated" title="{}">{}</span>', _("Rests on an assumption"), _("estimated")
        )
    return ""


@register.simple_tag
def export_url(table: str, filters, **extra) -> str:
    query = filters.query(**{key: str(value) for key, value in extra.items()}) if filters else {}
    url = reverse("analytics:export", args=[table])
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag
def teams_page_url(filters, number: int) -> str:
    """The dashboard with the same filters, at another page of its team table."""
    query = filters.query(teams_page=str(number))
    return f"{reverse('analytics:dashboard')}?{urlencode(query)}"
