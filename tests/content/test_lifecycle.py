"""draft → scheduled → published → expired / archived, driven by beat's task functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from content import services, tasks
from content.models import Post
from tests.factories import PostFactory


@pytest.fixture
def draft(cast):
    return PostFactory(organization=cast.org, created_by=cast.carol.user)


def test_a_scheduled_post_is_published_by_beat_when_its_time_comes(draft):
    services.post_schedule(post=draft, publish_at=timezone.now() + timedelta(minutes=5))
    assert tasks.posts_publish_due_task() == 0
    Post.objects.filter(pk=draft.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert tasks.posts_publish_due_task() == 1
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert draft.published_at is not None
    assert tasks.posts_publish_due_task() == 0


def test_a_published_post_expires_when_its_time_comes(draft):
    draft.expires_at = timezone.now() + timedelta(hours=1)
    draft.save()
    services.post_publish_now(post=draft)
    assert tasks.posts_expire_due_task() == 0
    Post.objects.filter(pk=draft.pk).update(
        publish_at=timezone.now() - timedelta(days=1), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.posts_expire_due_task() == 1
    draft.refresh_from_db()
    assert draft.status == Post.Status.EXPIRED


def test_scheduling_in_the_past_is_refused(draft):
    with pytest.raises(ValidationError) as error:
        services.post_schedule(post=draft, publish_at=timezone.now() - timedelta(minutes=1))
    assert "publish_at" in error.value.error_dict
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_expiry_before_publication_is_refused(draft):
    draft.expires_at = timezone.now() + timedelta(hours=1)
    draft.save()
    with pytest.raises(ValidationError) as error:
        services.post_schedule(post=draft, publish_at=timezone.now() + timedelta(hours=2))
    assert "expires_at" in error.value.error_dict


def test_a_scheduled_post_can_go_back_to_draft(draft):
    services.post_schedule(post=draft, publish_at=timezone.now() + timedelta(hours=1))
    services.post_unschedule(post=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.publish_at) == (Post.Status.DRAFT, None)


def test_archiving_takes_posts_out_of_circulation(cast, draft):
    live = PostFactory.published(organization=cast.org)
    assert services.posts_archive(posts=Post.objects.filter(pk__in=[draft.pk, live.pk])) == 2
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.ARCHIVED}
    assert not Post.objects.live().exists()


def test_an_archived_post_can_be_published_again(draft):
    services.posts_archive(posts=Post.objects.filter(pk=draft.pk))
    draft.refresh_from_db()
    services.post_publish_now(post=draft)
    assert draft.status == Post.Status.PUBLISHED
