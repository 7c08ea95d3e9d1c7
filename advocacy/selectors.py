"""Reads for sharing: the feed, a member's shares, a member's profiles."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation

from advocacy.models import Share
from content.images import first_images
from content.models import Post
from content.selectors import post_list_visible_to

if TYPE_CHECKING:
    from content.models import Topic
    from employees.models import Membership, SocialProfile

EXPIRES_SOON = timedelta(days=2)
# What a feed card and its markers read; loading only these saves building the rest.
FEED_CARD_FIELDS = (
    "id",
    "title",
    "body",
    "link_url",
    "preview_title",
    "preview_description",
    "preview_image_url",
    "published_at",
    "expires_at",
)


def post_list_for_feed(*, membership: Membership, topic_id: int | None = None) -> QuerySet[Post]:
    """The member's feed, newest first; each post knows whether the member has shared it,
    and an employee's post its author's name and team (read in the same query)."""
    mine = Share.objects.filter(member=membership, post=OuterRef("pk"))
    posts = (
        post_list_visible_to(membership)
        .annotate(shared_by_me=Exists(mine), **author_annotations())
        .order_by("-published_at", "-id")
    )
    if topic_id:
        posts = posts.filter(topics__id=topic_id)
    return posts


def author_annotations() -> dict:
    """``author_name`` and ``author_team`` of an employee's post (None for the comms team's)."""
    from employees.models import Membership

    colleague = Q(source=Post.Source.COLLEAGUE)
    teams = (
        Membership.teams.through.objects.filter(
            membership__user_id=OuterRef("created_by_id"), membership__organization_id=OuterRef("organization_id")
        )
        .order_by("team__name")
        .values("team__name")[:1]
    )
    name = Coalesce(NullIf(F("created_by__name"), Value("")), F("created_by__email"))
    return {
        "author_name": Case(When(colleague, then=name), default=None, output_field=CharField()),
        "author_team": Case(When(colleague, then=Subquery(teams)), default=None, output_field=CharField()),
    }


def feed_markers(*, posts: list[Post], last_visit: datetime | None) -> None:
    """Mark each post: new since my last visit, expiring soon (shared by me comes with the posts)."""
    soon = timezone.now() + EXPIRES_SOON
    for post in posts:
        post.is_new = bool(last_visit and post.published_at and post.published_at > last_visit)
        post.expires_soon = bool(post.expires_at and post.expires_at <= soon)


def feed_topic_names(*, posts: list[Post], topics: list[Topic]) -> None:
    """Set ``post.topic_names`` from the organization's topics, already read for the filter. One query.

    Cheaper than prefetching the topics: only the pairs of ids travel, no Topic is built twice.
    """
    # The topics come in the database's order of names; each card lists its own in that order.
    position = {topic.id: index for index, topic in enumerate(topics)}
    pairs = (
        Post.topics.through.objects.filter(post_id__in=[post.id for post in posts])
        .order_by()
        .values_list("post_id", "topic_id")
    )
    by_post: defaultdict[int, list[int]] = defaultdict(list)
    for post_id, topic_id in pairs:
        if topic_id in position:
            by_post[post_id].append(position[topic_id])
    for post in posts:
        post.topic_names = [topics[index].name for index in sorted(by_post[post.id])]


def feed_first_images(*, posts: list[Post]) -> None:
    """Set ``post.first_image``: the picture its card shows, or None. One query."""
    first = first_images(post_ids=[post.id for post in posts])
    for post in posts:
        post.first_image = first.get(post.id)


def feed_topics_key(*, topics: list[Topic], topic_id: int | None) -> str:
    """A digest of everything the topic filter shows, to cache it under (see ``feed_card_keys``)."""
    shown = ([(topic.id, topic.name) for topic in topics], topic_id, translation.get_language())
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def feed_card_keys(*, posts: list[Post]) -> None:
    """Set ``post.card_key``: a digest of everything a feed card shows, to cache the card under.

    Keyed by content rather than by id and ``updated_at`` (which a ``save(update_fields=...)``
    or ``update()`` does not touch), a cached card is never stale: a changed post or topic
    name, another language or time zone, or the member's own "shared" state is another key.
    Call it after ``feed_markers`` and ``feed_topic_names``.
    """
    context = (translation.get_language(), timezone.get_current_timezone_name())
    for post in posts:
        shown = (
            post.id,
            post.title,
            post.body,
            post.link_url,
            post.preview_image_url,
            post.preview_title,
            post.preview_description,
            post.published_at.isoformat() if post.published_at else "",
            post.topic_names,
            post.shared_by_me,
            context,
        )
        post.card_key = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def member_profiles(*, membership: Membership) -> QuerySet[SocialProfile]:
    from employees.models import SocialProfile

    return SocialProfile.objects.filter(owner_membership=membership, state="active").order_by("network", "handle")


def company_profiles(*, membership: Membership) -> QuerySet[SocialProfile]:
    from employees.models import SocialProfile

    return SocialProfile.objects.filter(
        organization_id=membership.organization_id, owner_membership__isnull=True, state="active"
    ).order_by("network", "handle")


def share_list_for_member(*, membership: Membership) -> QuerySet[Share]:
    return (
        Share.objects.filter(member=membership)
        .select_related("post", "profile", "tracked_link")
        .order_by("-created_at")
    )


def share_list_for_post(*, post: Post) -> QuerySet[Share]:
    return Share.objects.filter(post=post).select_related("profile", "member__user").order_by("-created_at")


def share_records_for_member(*, membership_ids: list[int]) -> list[dict]:
    """The shares of these memberships as plain data (a personal data export): text,
    status, links and click counts."""
    from django.db.models import Count, Q

    shares = (
        Share.objects.filter(member_id__in=membership_ids)
        .select_related("post", "profile", "organization", "tracked_link")
        .annotate(
            click_count=Count("tracked_link__clicks"),
            people_clicks=Count("tracked_link__clicks", filter=Q(tracked_link__clicks__is_bot=False)),
        )
        .order_by("created_at", "id")
    )
    records = []
    for share in shares:
        link = getattr(share, "tracked_link", None)
        records.append(
            {
                "organization": share.organization.name,
                "post": share.post.title,
                "post_link": share.post.link_url,
                "network": share.network,
                "profile": share.profile.handle,
                "comment": share.comment,
                "text_sent": share.final_text,
                "status": share.status,
                "created_at": share.created_at,
                "scheduled_for": share.scheduled_for,
                "posted_at": share.posted_at,
                "remote_url": share.remote_url,
                "tracked_link": link.code if link else "",
                "link_target": link.target_url if link else "",
                "clicks": share.click_count,
                "clicks_by_people": share.people_clicks,
            }
        )
    return records
