"""Employees' own posts, as far as the control dial allows: writing, approving, taking down.

An employee's post goes through the same `post_save` as the comms team's, without
captions, schedule or internal notes. Decentralized: it waits for the comms team or a
manager of the author's team. Distributed: it is published at once and logged in the
audit log after the fact; the comms team can take it down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from content.compliance import text_violations
from content.dial import dial_of
from content.models import ComplianceEvent, Post
from content.services import post_publish_now, post_save
from employees.access import descendant_team_ids, managed_team_ids
from employees.audit import audit_record
from employees.models import AuditEvent, Membership, Role

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from content.images import ImageSlot
    from employees.models import Team, User

EDITABLE = (Post.Status.DRAFT, Post.Status.PENDING_APPROVAL, Post.Status.PUBLISHED, Post.Status.REJECTED)


def author_teams(*, membership: Membership) -> QuerySet:
    """The teams an author may address: their own and every team below them."""
    from employees.models import Team

    own = set(membership.teams.values_list("id", flat=True))
    return Team.objects.filter(
        organization_id=membership.organization_id, pk__in=descendant_team_ids(membership.organization_id, own)
    ).order_by("name")


def employee_post_save(
    *,
    membership: Membership,
    post: Post | None = None,
    title: str,
    body: str = "",
    link_url: str = "",
    images: list[ImageSlot] | None = None,
    topics: Iterable = (),
    audience_teams: Iterable[Team] = (),
) -> Post:
    """Save an employee's post and send it for approval or publish it, as the dial says.

    A blocked phrase in the title or text refuses the save and names the phrase (and is
    recorded for the comms team, like one in a caption or comment).
    """
    organization = membership.organization
    dial = dial_of(organization)
    if not dial.employees_write:
        raise ValidationError(_("Your organization's communications team writes the posts; suggest a link instead."))
    if post is not None and (post.created_by_id != membership.user_id or post.source != Post.Source.COLLEAGUE):
        raise ValidationError(_("Only the author can change this post."))
    if post is not None and post.status not in EDITABLE:
        raise ValidationError(_("This post was taken down or archived and can no longer be changed."))
    allowed = set(author_teams(membership=membership).values_list("id", flat=True))
    audience_teams = list(audience_teams)
    if any(team.id not in allowed for team in audience_teams):
        raise ValidationError({"audience_teams": _("Choose your own teams, or leave it empty for everyone.")})
    problems = text_violations(
        organization=organization,
        text=f"{title}\n{body}",
        where=ComplianceEvent.Where.POST,
        post=post,
        actor=membership.user,
    )
    if problems:
        raise ValidationError(problems)
    if post is None:
        post = Post(organization=organization, created_by=membership.user, source=Post.Source.COLLEAGUE)
    with transaction.atomic():
        saved = post_save(
            organization=organization,
            actor=membership.user,
            post=post,
            title=title,
            body=body,
            link_url=link_url,
            images=images,
            topics=topics,
            audience_teams=audience_teams,
        )
        if dial.needs_approval:
            # Every change is looked at again: an approved post leaves the feed until then.
            saved.status, saved.rejection_reason = Post.Status.PENDING_APPROVAL, ""
            saved.reviewed_by, saved.reviewed_at = None, None
            saved.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"])
        elif saved.status != Post.Status.PUBLISHED:
            saved.status = Post.Status.DRAFT
            post_publish_now(post=saved, actor=membership.user)
        else:
            audit_record(
                organization=organization,
                actor=membership.user,
                action=AuditEvent.Action.POST_PUBLISHED,
                target=saved.title,
                detail={"post_id": saved.id, "edited": True},
            )
    return saved


def author_label(post: Post) -> str:
    return post.created_by.get_full_name() if post.created_by else _("a former colleague")


def reviewable_posts(*, membership: Membership) -> QuerySet[Post]:
    """Employees' posts awaiting approval that this member may decide on.

    The comms team sees all of them; a manager sees those whose author is in a team
    they manage. An author never approves their own post.
    """
    posts = (
        Post.objects.filter(
            organization_id=membership.organization_id,
            source=Post.Source.COLLEAGUE,
            status=Post.Status.PENDING_APPROVAL,
        )
        .exclude(created_by_id=membership.user_id)
        .select_related("created_by")
        .order_by("created_at")
    )
    if membership.has_role(Role.COMMS):
        return posts
    if not membership.has_role(Role.MANAGER):
        return posts.none()
    authors = Membership.objects.filter(
        organization_id=membership.organization_id, teams__in=managed_team_ids(membership)
    ).values("user_id")
    return posts.filter(created_by_id__in=authors)


@transaction.atomic
def employee_post_approve(*, post: Post, reviewer: User) -> Post:
    if post.status != Post.Status.PENDING_APPROVAL:
        raise ValidationError(_("This post has been handled already."))
    now = timezone.now()
    post.reviewed_by, post.reviewed_at = reviewer, now
    post.status, post.publish_at, post.published_at = Post.Status.PUBLISHED, now, now
    post.save(update_fields=["status", "publish_at", "published_at", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        organization=post.organization_id,
        actor=reviewer,
        action=AuditEvent.Action.SUGGESTION_APPROVED,
        target=post.title,
        detail={"post_id": post.id, "published": True, "employee_post": True},
    )
    return post


@transaction.atomic
def employee_post_reject(*, post: Post, reviewer: User, reason: str) -> Post:
    if post.status != Post.Status.PENDING_APPROVAL:
        raise ValidationError(_("This post has been handled already."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the colleague why, so they can change it.")})
    post.status, post.rejection_reason = Post.Status.REJECTED, reason.strip()
    post.reviewed_by, post.reviewed_at = reviewer, timezone.now()
    post.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        organization=post.organization_id,
        actor=reviewer,
        action=AuditEvent.Action.SUGGESTION_REJECTED,
        target=post.title,
        detail={"post_id": post.id, "reason": post.rejection_reason, "employee_post": True},
    )
    return post


@transaction.atomic
def employee_post_take_down(*, post: Post, actor: User) -> int:
    """Take an employee's post off the feed; returns how many colleagues' shares stay out there.

    Shares already made stay on the networks: Chorus never deletes a post from an
    employee's own profile. Shares still waiting for their time are not sent.
    """
    from advocacy.models import Share

    if post.source != Post.Source.COLLEAGUE:
        raise ValidationError(_("Only employees' posts are taken down here; archive the comms team's posts."))
    if post.status == Post.Status.ARCHIVED:
        raise ValidationError(_("This post has been taken down already."))
    post.status = Post.Status.ARCHIVED
    post.save(update_fields=["status", "updated_at"])
    # A scheduled share is claimed the way a worker claims it: only while still scheduled.
    cancelled = Share.objects.filter(post=post, status=Share.Status.SCHEDULED).update(
        status=Share.Status.FAILED, last_error="The post was taken down before the share's time."
    )
    out_there = Share.objects.filter(post=post).filter(~Q(status=Share.Status.FAILED)).count()
    audit_record(
        organization=post.organization_id,
        actor=actor,
        action=AuditEvent.Action.POST_TAKEN_DOWN,
        target=post.title,
        detail={"post_id": post.id, "author": author_label(post), "shares_kept": out_there, "cancelled": cancelled},
    )
    return out_there


def member_posts(*, membership: Membership) -> QuerySet[Post]:
    return Post.objects.filter(
        organization_id=membership.organization_id, source=Post.Source.COLLEAGUE, created_by=membership.user
    ).order_by("-created_at")
