from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from content.models import ComplianceSettings, Post
from tests.factories import PostFactory, TopicFactory

pytestmark = pytest.mark.usefixtures("media_root")


def _form(**overrides):
    data = {
        "title": "We opened an office in Aarhus",
        "body": "Share it with your network!",
        "link_url": "https://example.com/aarhus",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "2",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "captions-0-network": "",
        "captions-0-text": "Proud to see us grow!",
        "captions-1-network": "x",
        "captions-1-text": "Aarhus, here we come",
        "action": "save",
    }
    data.update(overrides)
    return data


def _image(fmt="PNG", name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "navy").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_comms_create_a_post_with_captions_topics_and_audience(cast, login, django_capture_on_commit_callbacks):
    topic = TopicFactory(organization=cast.org, name="Offices")
    data = _form(topics=[topic.id], audience_teams=[cast.sales.id])
    response = login(cast.carol).post(reverse("content:post_create"), data)
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.organization == cast.org
    assert post.status == Post.Status.DRAFT
    assert [(c.network, c.text) for c in post.captions.all()] == [
        ("", "Proud to see us grow!"),
        ("x", "Aarhus, here we come"),
    ]
    assert list(post.topics.all()) == [topic]
    assert list(post.audience_teams.all()) == [cast.sales]


def test_publishing_from_the_editor_puts_the_post_in_the_feed(cast, login):
    login(cast.carol).post(reverse("content:post_create"), _form(action="publish"))
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    assert "We opened an office" in login(cast.emma).get(reverse("advocacy:feed")).content.decode()


def test_scheduling_in_the_past_keeps_the_form_and_saves_nothing(cast, login):
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(cast.carol).post(reverse("content:post_create"), _form(action="schedule", publish_at=past))
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    assert "We opened an office in Aarhus" in response.content.decode()
    assert not Post.objects.exists()


def test_expiry_before_the_schedule_is_explained_at_the_field(cast, login):
    soon = timezone.localtime() + timedelta(hours=2)
    response = login(cast.carol).post(
        reverse("content:post_create"),
        _form(
            action="schedule",
            publish_at=soon.strftime("%Y-%m-%dT%H:%M"),
            expires_at=(soon - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    assert "must expire after it is published" in response.content.decode()
    assert not Post.objects.exists()


def test_a_non_http_link_is_refused(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _form(link_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_a_caption_with_a_blocked_phrase_is_refused_naming_the_phrase(cast, login):
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="guaranteed returns\nsecret")
    response = login(cast.carol).post(
        reverse("content:post_create"), _form(**{"captions-0-text": "Guaranteed  Returns for all!"})
    )
    assert response.status_code == 400
    assert "“guaranteed returns” is on your organization" in response.content.decode()
    assert not Post.objects.exists()
    events = list(cast.org.compliance_events.all())
    assert [(e.rule, e.detail, e.where) for e in events] == [("blocked_phrase", "guaranteed returns", "caption")]


def _with_image(upload, alt="A navy square", **overrides):
    return {**_form(**overrides), "image_places": "1", "image_1": upload, "alt_1": alt}


def test_a_real_image_is_stored(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _with_image(_image()))
    assert response.status_code == 302
    (image,) = Post.objects.get().images.all()
    assert image.image.name.endswith(".png")
    assert (image.alt_text, image.width, image.height) == ("A navy square", 20, 20)


def test_a_file_that_is_not_an_image_is_refused(cast, login):
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image")
    response = login(cast.carol).post(reverse("content:post_create"), _with_image(fake))
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    assert not Post.objects.exists()


def test_an_image_with_a_lying_extension_is_refused(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _with_image(_image("JPEG", "photo.png")))
    assert response.status_code == 400
    assert "ends in “.png” but the file is a JPEG image" in response.content.decode()


def test_a_huge_upload_is_refused(cast, login, settings):
    settings.MAX_IMAGE_BYTES = 1024
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 4096)
    response = login(cast.carol).post(reverse("content:post_create"), _with_image(big))
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_editing_a_post_keeps_what_is_not_sent_and_escapes_text(cast, login):
    post = PostFactory(organization=cast.org, title="Old")
    response = login(cast.carol).post(
        reverse("content:post_edit", args=[post.id]), _form(title="<script>alert(1)</script>")
    )
    assert response.status_code == 302
    page = login(cast.carol).get(reverse("content:post_edit", args=[post.id])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_caption_counter_counts_as_each_network_does(cast, login):
    response = login(cast.carol).post(
        reverse("content:caption_count"),
        {
            "caption_field": "captions-0-text",
            "captions-0-text": "👩‍👩‍👧 " + "a" * 290,
            "link_url": "https://example.com/x",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    # Bluesky: 1 family emoji grapheme + space + 290 + "\n\n" + 21-character link = 315 > 300
    assert 'class="over">Bluesky <strong>315</strong>/300' in page
    # X: emoji 2 + space 1 + 290 + 2 newlines + URL 23 = 318
    assert "<strong>318</strong>/280" in page


def test_an_outsider_cannot_reach_another_organizations_posts(cast, login):
    post = PostFactory(organization=cast.org)
    client = login(cast.olga)
    for name in ("content:post_edit", "content:post_detail", "content:post_preview"):
        assert client.get(reverse(name, args=[post.id])).status_code == 404
    for name in ("content:post_publish", "content:post_unschedule", "content:post_archive"):
        assert client.post(reverse(name, args=[post.id])).status_code == 404
    client.post(reverse("content:post_bulk"), {"post": [post.id], "action": "archive"})
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_the_library_filters_by_status_topic_team_and_search(cast, login):
    topic = TopicFactory(organization=cast.org, name="Hiring")
    hiring = PostFactory.published(organization=cast.org, title="We are hiring", audience=[cast.sales])
    hiring.topics.add(topic)
    PostFactory(organization=cast.org, title="Quiet draft")
    client = login(cast.carol)
    page = client.get(reverse("content:library"), {"status": "published"}).content.decode()
    assert "We are hiring" in page and "Quiet draft" not in page
    page = client.get(reverse("content:library"), {"topic": topic.id}).content.decode()
    assert "We are hiring" in page and "Quiet draft" not in page
    page = client.get(reverse("content:library"), {"team": cast.sales.id}).content.decode()
    assert "We are hiring" in page and "Quiet draft" not in page
    page = client.get(reverse("content:library"), {"q": "quiet"}).content.decode()
    assert "Quiet draft" in page and "We are hiring" not in page


def test_bulk_archive_archives_the_selected_posts(cast, login):
    first, second, third = (PostFactory(organization=cast.org) for _ in range(3))
    login(cast.carol).post(reverse("content:post_bulk"), {"post": [first.id, second.id], "action": "archive"})
    assert set(Post.objects.filter(status="archived").values_list("id", flat=True)) == {first.id, second.id}
    third.refresh_from_db()
    assert third.status == "draft"


def test_a_caption_too_long_for_its_network_is_refused_at_save(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _form(**{"captions-1-text": "word " * 60}))
    assert response.status_code == 400
    assert "A caption for X is" in response.content.decode()
    assert not Post.objects.exists()


def test_a_caption_for_any_network_must_fit_at_least_one(cast, login):
    ok = login(cast.carol).post(reverse("content:post_create"), _form(**{"captions-0-text": "a" * 400}))
    assert ok.status_code == 302  # too long for X and Bluesky, fine on Mastodon and LinkedIn
    response = login(cast.carol).post(reverse("content:post_create"), _form(**{"captions-0-text": "a" * 3100}))
    assert response.status_code == 400
    assert "too long for every network" in response.content.decode()
