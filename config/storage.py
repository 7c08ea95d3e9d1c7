"""Where uploaded media lives: the local disk by default, any S3-compatible store by URL.

`MEDIA_STORAGE_URL` (or `MEDIA_STORAGE_URL_FILE`) picks it:

- unset: files under `MEDIA_ROOT`;
- `file:///srv/chorus/media`: files under that directory;
- `s3://bucket[/prefix]?endpoint_url=https://s3.example.com&region_name=eu-north-1`:
  an S3-compatible bucket through django-storages. Credentials come from
  `MEDIA_STORAGE_ACCESS_KEY_ID` and `MEDIA_STORAGE_SECRET_ACCESS_KEY` (or their
  `_FILE` forms), never from the URL; without them boto3's own chain (instance
  role, `AWS_*` variables) applies.

A value that cannot work stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str

VARIABLE = "MEDIA_STORAGE_URL"
FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"

# S3's bucket naming rules (lower case letters, digits, dots and hyphens, 3-63).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUERY_OPTIONS = {"endpoint_url", "region_name", "custom_domain", "addressing_style", "signature_version"}
_BOOLEAN_OPTIONS = {"querystring_auth", "use_ssl"}


def _refuse(reason: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{VARIABLE} {reason}")


def media_storage() -> tuple[dict[str, Any], str | None]:
    """The `STORAGES["default"]` entry, and an http origin pages must be allowed to load images from."""
    if VARIABLE not in os.environ and f"{VARIABLE}_FILE" not in os.environ:
        return {"BACKEND": FILESYSTEM}, None  # the local disk under MEDIA_ROOT
    value = env_str(VARIABLE).strip()
    if not value:
        # Set to nothing is a deployment that lost its value, not a wish for the local disk.
        raise _refuse("is set but empty; give the store's URL, or unset it to keep media under MEDIA_ROOT")
    parts = urlsplit(value)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise _refuse("must name an absolute directory, like file:///srv/chorus/media")
        return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": parts.path}}, None
    if parts.scheme != "s3":
        raise _refuse("must start with s3:// (an S3-compatible bucket) or file:// (a directory)")
    return _s3(parts)


def _s3(parts) -> tuple[dict[str, Any], str | None]:
    if "@" in parts.netloc:
        raise _refuse(
            "must not carry credentials; set MEDIA_STORAGE_ACCESS_KEY_ID and MEDIA_STORAGE_SECRET_ACCESS_KEY instead"
        )
    bucket = parts.netloc
    if not _BUCKET.match(bucket):
        raise _refuse(f"names the bucket {bucket!r}, which is not a valid S3 bucket name")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": parts.path.strip("/"),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refuse("has a malformed query string") from None
    for key, item in query:
        if key in _QUERY_OPTIONS:
            options[key] = item
        elif key in _BOOLEAN_OPTIONS:
            options[key] = item.lower() in ("1", "true", "yes", "on")
        else:
            allowed = ", ".join(sorted(_QUERY_OPTIONS | _BOOLEAN_OPTIONS))
            raise _refuse(f"has the unknown option {key!r}; known: {allowed}")
    origin = None
    endpoint = options.get("endpoint_url")
    if endpoint is not None:
        endpoint_parts = urlsplit(endpoint)
        if endpoint_parts.scheme not in ("http", "https") or not endpoint_parts.hostname:
            raise _refuse("has an endpoint_url that is not an http(s) address")
        # Stores other than AWS mostly serve buckets as paths of the endpoint.
        options.setdefault("addressing_style", "path")
        if endpoint_parts.scheme == "http":
            origin = f"http://{endpoint_parts.netloc}"
    if options.get("addressing_style") not in (None, "path", "virtual", "auto"):
        raise _refuse("has an addressing_style other than path, virtual or auto")
    access_key = env_str("MEDIA_STORAGE_ACCESS_KEY_ID", "")
    secret_key = env_str("MEDIA_STORAGE_SECRET_ACCESS_KEY", "")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_ACCESS_KEY_ID and MEDIA_STORAGE_SECRET_ACCESS_KEY must be set together"
        )
    if access_key:
        options["access_key"], options["secret_key"] = access_key, secret_key
    options["client_config"] = _client_config(options)
    return {"BACKEND": S3, "OPTIONS": options}, origin


def _client_config(options: dict[str, Any]):
    from botocore.config import Config

    # A store that does not answer must fail a save within seconds, not hang a page:
    # the editor then says so and keeps nothing half-saved. (Given a config,
    # django-storages no longer applies addressing_style and signature_version itself.)
    return Config(
        connect_timeout=5,
        read_timeout=20,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": options.get("addressing_style")},
        signature_version=options.get("signature_version"),
    )
