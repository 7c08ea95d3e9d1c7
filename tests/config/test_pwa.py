from __future__ import annotations

import json

from django.urls import reverse


def test_the_manifest_describes_an_installable_app_that_starts_at_my_feed(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("advocacy:feed")
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_the_share_target_sends_a_shared_link_to_the_suggestion_form(client):
    target = json.loads(client.get("/manifest.webmanifest").content)["share_target"]
    assert target["action"] == reverse("content:suggest")
    assert target["method"] == "GET"
    assert target["params"]["url"] == "url"


def test_a_link_shared_from_a_phone_fills_in_the_suggestion_form(cast, login):
    client = login(cast.emma)
    response = client.get(reverse("content:suggest"), {"url": "https://news.example/launch", "title": "We launched"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"link_url": "https://news.example/launch", "title": "We launched"}
    assert b'value="https://news.example/launch"' in response.content


def test_a_link_inside_shared_text_is_found(cast, login):
    client = login(cast.emma)
    response = client.get(reverse("content:suggest"), {"text": "Look at this https://news.example/a?b=1 great"})
    assert response.context["form"].initial["link_url"] == "https://news.example/a?b=1"


def test_a_shared_link_needs_a_login_first_and_survives_it(db, client):
    response = client.get(reverse("content:suggest"), {"url": "https://news.example/launch"})
    assert response.status_code == 302
    assert "url%3Dhttps" in response["Location"] or "url=https" in response["Location"]


def test_the_service_worker_keeps_static_files_and_the_offline_page_only(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    precache = body.split("const PRECACHE = [", 1)[1].split("];", 1)[0]
    kept = [url.strip().strip('"') for url in precache.split(",")]
    assert reverse("offline") in kept
    assert all(url == reverse("offline") or url.startswith("/static/") for url in kept)
    # Navigations go to the network; nothing but static files is ever written to the cache.
    assert body.count("cache.put(") == 1
    assert "if (url.pathname.startsWith(STATIC_URL))" in body


def test_the_offline_page_needs_no_login_and_shows_nothing_personal(client):
    response = client.get(reverse("offline"))
    assert response.status_code == 200
    assert b"offline" in response.content.lower()
    assert b"csrfmiddlewaretoken" not in response.content


def test_every_page_links_the_manifest(cast, login):
    response = login(cast.emma).get(reverse("advocacy:feed"))
    assert b'rel="manifest" href="/manifest.webmanifest"' in response.content
