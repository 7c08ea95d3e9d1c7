"""Reads for content: the library, the approval queue, and what a member may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from config.bounded import BoundedCache
from content.models import CaptionSuggestion, Post, Topic

if TYPE_CHECKING:
    from employees.models import Membership, Organization

_AUDIENCE = Post.audience_teams.through


def _member_team_ids_sql(membership: Membership) -> RawSQL:
    """The member's teams and every team above them, as a subquery the posts query runs itself.

    A recursive walk up the team tree in the database: no round trip of its own, and
    no Python over every team of the organization.
    """
    from employees.models import Membership, Team

    sql = f"""
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT t.id, t.parent_id FROM {Team._meta.db_table} t
            JOIN {Membership.teams.through._meta.db_table} m ON m.team_id = t.id
            WHERE m.membership_id = %s AND t.organization_id = %s
            UNION
            SELECT t.id, t.parent_id FROM {Team._meta.db_table} t JOIN up ON t.id = up.parent_id
            WHERE t.organization_id = %s
        )
        SELECT id FROM up
    """  # noqa: S608 (table names from the models, values as parameters)
    params = (membership.id, membership.organization_id, membership.organization_id)
    return RawSQL(sql, params)  # noqa: S611 (values as parameters)


def post_list_visible_to(membership: Membership) -> QuerySet[Post]:
    """Live posts whose audience is everyone or includes one of the member's teams."""
    targeted = _AUDIENCE.objects.filter(post_id=OuterRef("pk"))
    return (
        Post.objects.live()
        .filter(organization_id=membership.organization_id)
        .filter(~Exists(targeted) | Exists(targeted.filter(team_id__in=_member_team_ids_sql(membership))))
    )


# The organization's topics per (organization, topics version), in this process. The
# version changes with every change of a topic (employees/signals.py), so an entry is
# never stale; old versions age out.
_TOPICS = BoundedCache(max_entries=256, max_bytes=1 << 20)


def topics_version_bump(*, organization_id: int) -> None:
    from employees.models import Organization, new_version

    Organization.objects.filter(pk=organization_id).update(topics_version=new_version())


def topic_list_for_organization(organization: Organization) -> list[Topic]:
    """The organization's topics by name; read from the database once per topics version."""
    key = (organization.id, organization.created_at, organization.topics_version)
    rows = _TOPICS.get(key)
    if rows is None:
        rows = list(Topic.objects.filter(organization_id=organization.id).order_by("name").values_list("id", "name"))
        _TOPICS.set(key, rows, size=sum(len(name) for _id, name in rows) + 64 * len(rows))
    return [Topic(id=topic_id, organization_id=organization.id, name=name) for topic_id, name in rows]


def post_list_for_library(
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


def suggestion_list_pending(*, organization: Organization) -> QuerySet[Post]:
    return (
        Post.objects.filter(organization=organization, status=Post.Status.PENDING_APPROVAL)
        .exclude(source=Post.Source.COLLEAGUE)
        .select_related("created_by")
        .order_by("created_at")
    )


def suggestion_list_for_member(*, membership: Membership) -> QuerySet[Post]:
    return Post.objects.filter(
        organization_id=membership.organization_id, source=Post.Source.EMPLOYEE, created_by=membership.user
    ).order_by("-created_at")


def post_get_with_captions(queryset: QuerySet[Post]) -> QuerySet[Post]:
    return queryset.prefetch_related(
        Prefetch("captions", queryset=CaptionSuggestion.objects.order_by("position", "id")), "topics", "audience_teams"
    )


def topic_list(*, organization: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(organization=organization).annotate(post_count=Count("posts")).order_by("name")
