"""The browser is told to be strict: a Content-Security-Policy without inline script,
HSTS, secure cookies, no framing, a referrer policy; and the templates give the
policy nothing to block."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from django.urls import reverse

from tests.test_settings import PRODUCTION_ENV, ROOT

TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
# A tag's attributes; template tags inside a tag never contain ">" here.
TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL)
INLINE_HANDLER = re.compile(r"""(?:^|\s)(on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""(?:^|\s)style\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_pages_carry_a_content_security_policy_without_inline_script(client, cast, login):
    for response in (client.get(reverse("account_login")), login(cast.carol).get(reverse("content:library"))):
        directives = _directives(response["Content-Security-Policy"])
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    found = []
    # Emails are read in mail programs, which need inline styles and know no CSP.
    templates = [
        path
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        if "email" not in path.relative_to(folder).parts
    ]
    assert len(templates) > 30
    for path in templates:
        text = path.read_text()
        for match in TAG.finditer(text):
            tag, attributes = match.group(1).lower(), match.group(2)
            where = f"{path.relative_to(ROOT)}: <{tag}{attributes[:60]}"
            if tag == "script" and not re.search(r"\bsrc\s*=", attributes) and "application/json" not in attributes:
                found.append(f"{where}: inline script")
            if INLINE_HANDLER.search(attributes):
                found.append(f"{where}: inline event handler")
            if STYLE_ATTRIBUTE.search(attributes):
                found.append(f"{where}: style attribute")
            if JAVASCRIPT_URL.search(attributes):
                found.append(f"{where}: javascript: address")
        if re.search(r"<style\b", text, re.IGNORECASE):
            found.append(f"{path.relative_to(ROOT)}: <style> element")
    assert not found, "\n".join(found)


_PROBE = """
import json
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="advocacy.example.com")
plain = client.get("/account/login/")
secure = client.get("/account/login/", secure=True)
cookie = secure.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "headers": dict(secure.headers),
    "csrf_cookie": {"secure": bool(cookie["secure"]), "samesite": cookie["samesite"]} if cookie else None,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_cookie_age": settings.SESSION_COOKIE_AGE,
    "session_cookie_samesite": settings.SESSION_COOKIE_SAMESITE,
}))
"""


def test_production_settings_send_the_strict_headers_and_secure_cookies(tmp_path):
    env = {
        key: value
        for key, value in __import__("os").environ.items()
        if key not in PRODUCTION_ENV and key not in ("SECURE_SSL_REDIRECT", "DATABASE_URL", "SESSION_COOKIE_AGE")
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", _PROBE],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["plain_status"] == 301 and probe["plain_location"].startswith("https://")
    headers = {name.lower(): value for name, value in probe["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert probe["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert probe["session_cookie_secure"] and probe["session_cookie_httponly"]
    assert probe["session_cookie_samesite"] == "Lax"
    # Two weeks, then a new login; SESSION_COOKIE_AGE changes it (and refuses less than 5 minutes).
    assert probe["session_cookie_age"] == 14 * 24 * 3600
