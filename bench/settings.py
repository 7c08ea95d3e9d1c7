"""Settings for the benchmark's server only: the platform's own, plus the ceiling view's URL.

Never used by the platform itself. Everything else (database, cache, security,
middleware, templates) is exactly what `config.settings` reads from the environment.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, INSTALLED_APPS, TEMPLATES

ROOT_URLCONF = "bench.urls"
# The seeder (`manage.py seed_scale`) is a command of the benchmark, not of the platform.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# The ceiling's small template; the platform's own directories are searched first, as before.
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]
