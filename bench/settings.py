"""Settings for the benchmark's server only: the platform's own, plus the ceiling view's URL.

Never used by the platform itself. Everything else (database, cache, security,
middleware, templates) is exactly what `advocacy.settings` reads from the environment.
"""

from __future__ import annotations

from advocacy.settings import *  # noqa: F403
from advocacy.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
# The ceiling's small template; the platform's own directories are searched first, as before.
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]
