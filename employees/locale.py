"""Which formats the English interface uses: the organization's region decides.

The interface language is English or Danish (the organization's default, or the
person's choice). Danish is written the Danish way. English follows the
organization's "dates and numbers" setting: as in the United States (Django's `en`),
the United Kingdom (`en-gb`) or Denmark (`en-dk`), the formats of the last two in
config/formats/.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Formats(models.TextChoices):
    US = "", _("United States: 12/31/2026 2:30 p.m., 1,234.5")
    GB = "gb", _("United Kingdom: 31/12/2026 14:30, 1,234.5")
    DK = "dk", _("Denmark: 31.12.2026 14:30, 1.234,5")


def formats_language(language: str, formats: str) -> str:
    """The language to activate for `language` in an organization with these `formats`."""
    if formats and language.split("-")[0] == "en":
        return f"en-{formats}"
    return language


def organization_language(organization, language: str | None = None) -> str:
    """The language pages and emails run under: `language` (else the organization's) with its formats."""
    return formats_language(language or organization.language, organization.formats)


def override_for(organization, language: str | None = None):
    """Run a block (an email, a message) under the language a page for `organization` would use."""
    return translation.override(organization_language(organization, language))
