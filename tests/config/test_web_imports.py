"""A web process loads what its pages need: libraries for one rare request wait for it.

Each web worker pays for every module imported at start (bench/NOTES.md, memory). The
SCIM library, the S3 client (with the local disk as the media store) and the web push
client are imported on first use only; this starts a fresh interpreter, loads the settings and every URL
pattern as gunicorn's workers do, and reads which modules are there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from config import wsgi
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _loaded_at_start(**env) -> set[str]:
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0"} | env
    environment.pop("MEDIA_STORAGE_URL", None)
    output = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", LOAD], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    return set(json.loads(output.strip().splitlines()[-1]))


# The SCIM library (a request from an identity provider), the S3 client (with the disk as
# the media store) and the web push client (sending is the worker's).
ON_FIRST_USE = {"scim2_models", "scim2_server", "boto3", "botocore", "pywebpush", "aiohttp"}


def test_libraries_for_rare_requests_are_not_loaded_by_a_web_worker_at_start():
    loaded = _loaded_at_start()
    assert "django" in loaded and "employees" in loaded  # the probe did load the platform
    assert not loaded & ON_FIRST_USE, loaded & ON_FIRST_USE
