"""Every user-facing string has its Danish translation.

The catalogue is extracted afresh from a copy of the sources (as `make messages` would),
so a string added to a template or to Python code without a translation fails here,
not in front of a Danish user.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "config",
    "networks",
    "advocacy",
    "analytics",
    "content",
    "employees",
    "notifications",
    "templates",
    "locale",
)
CATALOGUE = Path("locale/da/LC_MESSAGES/django.po")

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")


def _statistics(po: Path) -> str:
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "--statistics", "-o", os.devnull, str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr.strip()


def test_the_danish_catalogue_holds_every_string_and_no_guess(tmp_path):
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    extracted = (tmp_path / CATALOGUE).read_text(encoding="utf-8")
    statistics = _statistics(tmp_path / CATALOGUE)
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), (
        f"Danish catalogue: {statistics.rstrip('.')}. Run `make messages` and translate these:\n"
        + "\n".join(_missing(extracted))
    )


def _missing(po_text: str) -> list[str]:
    """The msgids that are fuzzy or have an empty translation (for the failure message)."""
    missing = []
    for entry in po_text.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"', entry, re.MULTILINE)
        if not msgid or not msgid.group(1):
            continue
        if "#, fuzzy" in entry or re.search(r'^msgstr(\[0\])? ""\n(?!")', entry + "\n", re.MULTILINE):
            missing.append(msgid.group(1))
    return missing
