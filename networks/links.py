"""Web addresses that come back from a network (a post's or an account's URL).

They are the network's data, not ours: a hostile or broken server can answer with
`javascript:…` or `data:…` where a link is expected. Such a value is kept and shown
as a link only when it is an absolute https address (http where allowed).
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 500


def web_url(value: object, *, allow_http: bool = False, max_length: int = MAX_LENGTH) -> str:
    """`value` when it is a plain absolute https (or allowed http) URL, else ""."""
    if not isinstance(value, str) or not value or len(value) > max_length:
        return ""
    # Browsers drop tabs and newlines inside a URL ("java\tscript:") and ignore
    # leading spaces and control characters, so any of these makes it unusable.
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        return ""
    return value
