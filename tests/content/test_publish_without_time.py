"""The editor's time field is for "Schedule" only: drafts and "Publish now" need none."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from content.models import Post


def _form(**overrides):
    data = {
        "title": "Town hall",
        "body": "",
        "link_url": "https://example.com/town-hall",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "publish_at": "",
        "action": "save",
    }
    return data | overrides


def test_the_browser_is_not_told_the_time_is_required(cast, login):
    html = login(cast.carol).get(reverse("content:post_create")).content.decode()
    field = re.search(r"<input[^>]*name=\"publish_at\"[^>]*>", html).group(0)
    assert "required" not in field


def test_publish_now_with_an_empty_time_publishes_at_the_current_time(cast, login):
    before = timezone.now()
    response = login(cast.carol).post(reverse("content:post_create"), _form(action="publish"))
    assert response.status_code == 302
    post = Post.objects.get(title="Town hall")
    assert post.status == Post.Status.PUBLISHED
    assert before - timedelta(seconds=1) <= post.published_at <= timezone.now()


def test_a_draft_is_saved_without_a_time(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _form(action="save"))
    assert response.status_code == 302
    assert Post.objects.get(title="Town hall").status == Post.Status.DRAFT


def test_schedule_without_a_time_asks_for_one(cast, login):
    response = login(cast.carol).post(reverse("content:post_create"), _form(action="schedule"))
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    assert not Post.objects.filter(title="Town hall").exists()
