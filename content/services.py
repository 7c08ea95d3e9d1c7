"""Writes for content: posts and their lifecycle, captions, suggestions and approval."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.compliance import compliance_for, text_violations
from content.images import ImageSlot, images_check, images_save, problem_message, storage_errors, storage_full
from content.models import CaptionSuggestion, ComplianceEvent, ComplianceSettings, Post, Topic
from employees.audit import audit_record
from employees.models import AuditEvent
from networks import get_adapter_class
from networks import text as network_text
from networks.media import ImageProblem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from employees.models import Membership, Organization, Team, User

logger = logging.getLogger(__name__)

POST_FIELDS = ("title", "body", "link_url", "internal_notes")


def caption_length_problem(*, network: str, text: str, link: str) -> str:
    """Why a caption cannot be shared as it is, or "" when it fits.

    A caption for one network must fit that network; a caption for any network must
    fit at least one, or nobody could share it unchanged.
    """
    candidates = [network] if network else [name for name in network_text.RULES if network_text.limit(name)]
    over = []
    for name in candidates:
        composed = network_text.compose(name, text, link or None)
        if network_text.validate(name, composed):
            over.append((name, network_text.count(name, composed), network_text.limit(name)))
    if len(over) < len(candidates) or not over:
        return ""
    if network:
        _name, count, limit = over[0]
        return _("A caption for %(network)s is %(count)s characters with the link; the limit is %(limit)s.") % {
            "network": get_adapter_class(network).label,
            "count": count,
            "limit": limit,
        }
    return _("A caption is too long for every network (%(count)s characters with the link).") % {
        "count": max(count for _name, count, _limit in over)
    }


def _check_captions(*, organization: Organization, captions: list[tuple[str, str]], link: str, post, actor) -> None:
    problems = [
        problem
        for network, text in captions
        if (problem := caption_length_problem(network=network, text=text, link=link))
    ]
    for _network, text in captions:
        problems += text_violations(
            organization=organization, text=text, where=ComplianceEvent.Where.CAPTION, post=post, actor=actor
        )
    if problems:
        raise ValidationError(problems)


def _check_schedule(publish_at: datetime | None, expires_at: datetime | None) -> None:
    if publish_at and expires_at and expires_at <= publish_at:
        raise ValidationError({"expires_at": _("The post must expire after it is published.")})


def _queue_link_preview(post: Post) -> None:
    from content.tasks import post_link_preview_task

    post_link_preview_task.delay_on_commit(post.id)


def post_save(
    *,
    organization: Organization,
    actor: User,
    post: Post | None = None,
    title: str,
    body: str = "",
    link_url: str = "",
    images: list[ImageSlot] | None = None,
    internal_notes: str = "",
    topics: Iterable[Topic] = (),
    audience_teams: Iterable[Team] = (),
    captions: Iterable[tuple[str, str]] = (),
    expires_at: datetime | None = None,
    action: str = "save",
    publish_at: datetime | None = None,
) -> Post:
    """Create or update a post with its captions; then schedule or publish it if asked.

    Everything is checked before anything is written, so a refused caption or a bad
    schedule leaves no half-made post behind. Rules that fire are recorded even then.
    Editing a published post changes what employees see from now on; shares already
    made keep the text they were made with. `images` (the editor's image places, in
    order) is None to leave the images as they are. A media store that cannot be
    reached refuses the save as a whole.
    """
    captions = [(network, text.strip()) for network, text in captions if text.strip()]
    now = timezone.now()
    if action == "schedule":
        if publish_at is None or publish_at <= now:
            raise ValidationError({"publish_at": _("Choose a time in the future, or publish now.")})
        _check_schedule(publish_at, expires_at)
    elif action == "publish":
        if expires_at and expires_at <= now:
            raise ValidationError({"expires_at": _("The expiry time has passed; move it later first.")})
    else:
        _check_schedule(post.publish_at if post else None, expires_at)
    _check_captions(organization=organization, captions=captions, link=link_url, post=post, actor=actor)
    existing = list(post.images.all()) if post is not None and post.pk else []
    if images is not None:
        images_check(existing=existing, slots=images, alt_required=compliance_for(organization).alt_text_required)
    try:
        with transaction.atomic():
            if post is None:
                post = Post(organization=organization, created_by=actor)
            link_changed = post.link_url != link_url
            post.title, post.body, post.link_url, post.internal_notes = title, body, link_url, internal_notes
            post.expires_at = expires_at
            if link_changed:
                post.preview_status = Post.PreviewStatus.PENDING if link_url else Post.PreviewStatus.NONE
                post.preview_title = post.preview_description = post.preview_image_url = post.preview_error = ""
            post.save()
            post.topics.set([topic for topic in topics if topic.organization_id == organization.id])
            post.audience_teams.set([team for team in audience_teams if team.organization_id == organization.id])
            if images is not None:
                images_save(post=post, existing=existing, slots=images)
            post.captions.all().delete()
            CaptionSuggestion.objects.bulk_create(
                CaptionSuggestion(post=post, network=network, text=text, position=position)
                for position, (network, text) in enumerate(captions)
            )
            if action == "schedule":
                post_schedule(post=post, publish_at=publish_at, now=now, actor=actor)
            elif action == "publish":
                post_publish_now(post=post, now=now, actor=actor)
            if link_changed and link_url:
                _queue_link_preview(post)
    except storage_errors() as error:
        if storage_full(error):
            # Not a fault of this request, and nothing a retry fixes before space is freed.
            logger.error("The media store is full; a post with images could not be saved: %s", error)
            raise ValidationError(
                _(
                    "The images could not be stored because the media store is full, so nothing was saved. "
                    "Tell your administrator; once space has been freed, saving again will work."
                )
            ) from None
        logger.warning("The media store failed while a post was saved", exc_info=True)
        raise ValidationError(
            _(
                "The images could not be stored because the media store is not answering, so nothing was saved. "
                "Try again in a moment; if it keeps failing, tell your administrator."
            )
        ) from None
    except ImageProblem as problem:
        raise ValidationError({"images": [problem_message(problem)]}) from None
    return post


def _announce(post_ids: Iterable[int]) -> None:
    """Tell the post's audience, after the commit (notifications plan each message once)."""
    from notifications.tasks import post_published_notify_task

    for post_id in post_ids:
        post_published_notify_task.delay_on_commit(post_id)


def _audit_post(post: Post, *, actor: User | None, action: str, **detail) -> None:
    audit_record(
        organization=post.organization_id,
        actor=actor,
        action=action,
        target=post.title,
        detail={"post_id": post.id, **detail},
    )


@transaction.atomic
def post_schedule(*, post: Post, publish_at: datetime, now: datetime | None = None, actor: User | None = None) -> Post:
    now = now or timezone.now()
    if post.status not in (Post.Status.DRAFT, Post.Status.SCHEDULED):
        raise ValidationError(_("Only drafts can be scheduled."))
    if publish_at <= now:
        raise ValidationError({"publish_at": _("Choose a time in the future, or publish now.")})
    _check_schedule(publish_at, post.expires_at)
    post.status, post.publish_at = Post.Status.SCHEDULED, publish_at
    post.save(update_fields=["status", "publish_at", "updated_at"])
    _audit_post(post, actor=actor, action=AuditEvent.Action.POST_SCHEDULED, publish_at=publish_at.isoformat())
    return post


@transaction.atomic
def post_publish_now(*, post: Post, now: datetime | None = None, actor: User | None = None) -> Post:
    now = now or timezone.now()
    if post.status not in (Post.Status.DRAFT, Post.Status.SCHEDULED, Post.Status.EXPIRED, Post.Status.ARCHIVED):
        raise ValidationError(_("This post cannot be published from its current state."))
    if post.expires_at and post.expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry time has passed; move it later first.")})
    post.status, post.publish_at, post.published_at = Post.Status.PUBLISHED, now, now
    post.save(update_fields=["status", "publish_at", "published_at", "updated_at"])
    _audit_post(post, actor=actor, action=AuditEvent.Action.POST_PUBLISHED)
    _announce([post.id])
    return post


def post_unschedule(*, post: Post) -> Post:
    if post.status != Post.Status.SCHEDULED:
        raise ValidationError(_("Only scheduled posts can be moved back to drafts."))
    post.status, post.publish_at = Post.Status.DRAFT, None
    post.save(update_fields=["status", "publish_at", "updated_at"])
    return post


@transaction.atomic
def posts_archive(*, posts: QuerySet[Post], actor: User | None = None) -> int:
    archivable = posts.exclude(status__in=[Post.Status.ARCHIVED, Post.Status.PENDING_APPROVAL])
    rows = list(archivable.select_for_update().values_list("id", "organization_id", "title"))
    archived = Post.objects.filter(pk__in=[row[0] for row in rows]).update(
        status=Post.Status.ARCHIVED, updated_at=timezone.now()
    )
    for organization_id in sorted({row[1] for row in rows}):
        titles = [title for _id, org, title in rows if org == organization_id]
        audit_record(
            organization=organization_id,
            actor=actor,
            action=AuditEvent.Action.POST_ARCHIVED,
            target=", ".join(titles),
            detail={"post_ids": [post_id for post_id, org, _title in rows if org == organization_id]},
        )
    return archived


def posts_publish_due(*, now: datetime | None = None) -> int:
    """Publish scheduled posts whose time has come (beat runs this every minute).

    One conditional UPDATE: a post is published once even when two beats overlap.
    """
    now = now or timezone.now()
    due = Post.objects.filter(status=Post.Status.SCHEDULED, publish_at__lte=now)
    post_ids = list(due.values_list("id", flat=True))
    published = due.filter(id__in=post_ids).update(status=Post.Status.PUBLISHED, published_at=now, updated_at=now)
    # An overlapping beat may announce a post twice; the deliveries are planned once.
    _announce(post_ids)
    return published


def posts_expire_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Post.objects.filter(status=Post.Status.PUBLISHED, expires_at__lte=now).update(
        status=Post.Status.EXPIRED, updated_at=now
    )


@transaction.atomic
def compliance_settings_save(*, rules: ComplianceSettings, actor: User, changed: Iterable[str]) -> ComplianceSettings:
    """Save compliance rules the comms team or an admin changed (already set on `rules`)."""
    changed = list(changed)
    rules.save()
    if changed:
        audit_record(
            organization=rules.organization_id,
            actor=actor,
            action=AuditEvent.Action.SETTINGS_CHANGED,
            target=str(_("Compliance rules")),
            detail={"settings": "compliance", "changed": {name: str(getattr(rules, name)) for name in changed}},
        )
    return rules


def topic_create(*, organization: Organization, name: str) -> Topic:
    name = name.strip()
    if not name:
        raise ValidationError(_("A topic needs a name."))
    if Topic.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError(_("A topic called %(name)s exists already.") % {"name": name})
    return Topic.objects.create(organization=organization, name=name)


@transaction.atomic
def suggestion_create(*, membership: Membership, link_url: str, reason: str, title: str = "") -> Post:
    post = Post.objects.create(
        organization=membership.organization,
        title=title.strip() or link_url[:200],
        link_url=link_url,
        suggestion_reason=reason.strip(),
        source=Post.Source.EMPLOYEE,
        status=Post.Status.PENDING_APPROVAL,
        created_by=membership.user,
        preview_status=Post.PreviewStatus.PENDING,
    )
    _queue_link_preview(post)
    return post


@transaction.atomic
def suggestion_approve(*, post: Post, reviewer: User, publish: bool) -> Post:
    if post.status != Post.Status.PENDING_APPROVAL:
        raise ValidationError(_("This suggestion has been handled already."))
    now = timezone.now()
    post.reviewed_by, post.reviewed_at = reviewer, now
    if publish:
        post.status, post.publish_at, post.published_at = Post.Status.PUBLISHED, now, now
    else:
        post.status = Post.Status.DRAFT
    post.save()
    _audit_post(post, actor=reviewer, action=AuditEvent.Action.SUGGESTION_APPROVED, published=publish)
    if publish:
        _announce([post.id])
    return post


@transaction.atomic
def suggestion_reject(*, post: Post, reviewer: User, reason: str) -> Post:
    if post.status != Post.Status.PENDING_APPROVAL:
        raise ValidationError(_("This suggestion has been handled already."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the colleague why, so they can suggest better next time.")})
    post.status, post.rejection_reason = Post.Status.REJECTED, reason.strip()
    post.reviewed_by, post.reviewed_at = reviewer, timezone.now()
    post.save()
    _audit_post(post, actor=reviewer, action=AuditEvent.Action.SUGGESTION_REJECTED, reason=post.rejection_reason)
    return post
