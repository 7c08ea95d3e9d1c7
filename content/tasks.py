"""Content tasks: the post lifecycle on beat's clock, link previews, feed polling."""

from __future__ import annotations

import logging

from celery import shared_task

from content import feeds, link_preview, services
from content.models import FeedSource, Post

logger = logging.getLogger(__name__)


@shared_task
def posts_publish_due_task() -> int:
    count = services.posts_publish_due()
    if count:
        logger.info("Published %d scheduled posts", count)
    return count


@shared_task
def posts_expire_due_task() -> int:
    count = services.posts_expire_due()
    if count:
        logger.info("Expired %d posts", count)
    return count


@shared_task(soft_time_limit=30, time_limit=45)
def post_link_preview_task(post_id: int) -> None:
    post = Post.objects.filter(pk=post_id).first()
    if post is None or not post.link_url:
        return
    link_preview.post_preview_refresh(post=post)


@shared_task
def feed_sources_poll_task() -> int:
    """Queue a poll of every active source; each polls in its own task."""
    source_ids = list(FeedSource.objects.filter(is_active=True).values_list("id", flat=True))
    for source_id in source_ids:
        feed_source_poll_task.delay(source_id)
    return len(source_ids)


@shared_task(soft_time_limit=60, time_limit=90)
def feed_source_poll_task(source_id: int) -> int:
    source = FeedSource.objects.filter(pk=source_id, is_active=True).first()
    if source is None:
        return 0
    return feeds.feed_source_poll(source=source)
