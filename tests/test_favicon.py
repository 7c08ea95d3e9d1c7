"""The site icon: /favicon.ico answers, and pages name icons the policy allows."""

from __future__ import annotations

import re

from django.urls import reverse


def test_favicon_ico_is_served_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO file signature


def test_pages_link_icons_from_their_own_origin(client, db):
    html = client.get(reverse("account_login")).content.decode()
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html)
    assert len(icons) == 2
    for href in icons:
        assert href.startswith("/static/")  # 'self' under the Content-Security-Policy
