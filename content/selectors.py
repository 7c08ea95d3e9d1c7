"""Reads for content: the library, the approval queue, and what a member may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from content.models import CaptionSuggestion, Post, Topic

if TYPE_CHECKING:
    from employees.models import Membership, Organization

_AUDIENCE = Post.audience_teams.through


def _member_team_ids_with_ancestors(membership: Membership) -> set[int]:
    """The member's teams and every team above them, read in one query."""
    from employees.models import Membership, Team

    own = Membership.teams.through.objects.filter(team_id=OuterRef("pk"), membership_id=membership.id)
    rows = list(
        Team.objects.filter(organization_id=membership.organization_id).values_list("id", "parent_id", Exists(own))
    )
    parents = {team_id: parent_id for team_id, parent_id, _mine in rows}
    found: set[int] = set()
    for team_id in (team_id for team_id, _parent, mine in rows if mine):
        while team_id is not None and team_id not in found:
            found.add(team_id)
            team_id = parents.get(team_id)
    return found


def posts_visible_to(membership: Membership) -> QuerySet[Post]:
    """Live posts whose audience is everyone or includes one of the member's teams."""
    team_ids = _member_team_ids_with_ancestors(membership)
    targeted = _AUDIENCE.objects.filter(post_id=OuterRef("pk"))
    return (
        Post.objects.live()
        .filter(organization_id=membership.organization_id)
        .filter(~Exists(targeted) | Exists(targeted.filter(team_id__in=team_ids)))
    )


def library_posts(
    *,
    organization: Organization,
    query: str = "",
    status: str = "",
    topic_id: int | None = None,
    team_id: int | None = None,
    source: str = "",
) -> QuerySet[Post]:
    posts = (
        Post.objects.filter(organization=organization)
        .exclude(status__in=[Post.Status.PENDING_APPROVAL, Post.Status.REJECTED])
        .select_related("created_by")
        .prefetch_related("topics", "audience_teams")
        .annotate(caption_count=Count("captions", distinct=True))
        .order_by("-updated_at")
    )
    if status:
        posts = posts.filter(status=status)
    if topic_id:
        posts = posts.filter(topics__id=topic_id)
    if team_id:
        posts = posts.filter(audience_teams__id=team_id)
    if source:
        posts = posts.filter(source=source)
    if query:
        posts = posts.filter(Q(title__icontains=query) | Q(body__icontains=query) | Q(link_url__icontains=query))
    return posts.distinct() if topic_id or team_id else posts


def status_counts(*, organization: Organization) -> dict[str, int]:
    rows = Post.objects.filter(organization=organization).values_list("status").annotate(n=Count("id"))
    return dict(rows)


def pending_suggestions(*, organization: Organization) -> QuerySet[Post]:
    return (
        Post.objects.filter(organization=organization, status=Post.Status.PENDING_APPROVAL)
        .exclude(source=Post.Source.COLLEAGUE)
        .select_related("created_by")
        .order_by("created_at")
    )


def member_suggestions(*, membership: Membership) -> QuerySet[Post]:
    return Post.objects.filter(
        organization_id=membership.organization_id, source=Post.Source.EMPLOYEE, created_by=membership.user
    ).order_by("-created_at")


def post_with_captions(queryset: QuerySet[Post]) -> QuerySet[Post]:
    return queryset.prefetch_related(
        Prefetch("captions", queryset=CaptionSuggestion.objects.order_by("position", "id")), "topics", "audience_teams"
    )


def topic_list(*, organization: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(organization=organization).annotate(post_count=Count("posts")).order_by("name")
