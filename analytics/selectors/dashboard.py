"""The dashboard's figures, read from the rollup tables only (plus small lookups).

Which table answers depends on the filters, always the coarsest that can:

| filters            | employees' rows            | company rows        |
|--------------------|----------------------------|---------------------|
| none               | OrganizationDay            | OrganizationDay     |
| team               | MemberDay (team's people)  | OrganizationDay     |
| topic              | PostDay                    | PostDay             |
| team and topic     | PostMemberDay              | PostDay             |

A manager's scope is always "team" (their teams and those below them).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet, Sum

from analytics.models import (
    AudienceDay,
    AudienceSnapshot,
    Measures,
    MemberDay,
    OrganizationDay,
    PostDay,
    PostMemberDay,
    ShareMetrics,
)
from analytics.reach import Reach, Side, ratio
from analytics.selectors.cached import rollups_read_cached, rollups_read_settled, scope_read_cached
from analytics.selectors.scope import employees_in, member_ids_in
from analytics.selectors.teams import TEAMS_PER_PAGE, TeamPages, TeamRow, team_counts, team_rows
from content.models import Post
from employees.access import descendant_team_ids
from employees.models import Membership, SocialProfile

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

ENGAGEMENT = F("likes") + F("reposts") + F("replies") + F("quotes")
METRIC_EXPRESSIONS = {
    "potential_reach": F("potential_reach"),
    "engagements": ENGAGEMENT,
    "clicks": F("clicks"),
}


def measure_sums(prefix: str = "sum_") -> dict:
    """Sums of every measure, named apart from the fields so expressions can still use those."""
    return {f"{prefix}{name}": Sum(name) for name in Measures.MEASURES}


def measures_of(row: dict, prefix: str = "sum_") -> dict[str, int]:
    return {name: int(row.get(f"{prefix}{name}") or 0) for name in Measures.MEASURES}


@dataclass(frozen=True)
class Sources:
    """Rollup rows for one scope, period and set of filters: employees' and company's."""

    employees: QuerySet
    company: QuerySet

    def both(self) -> tuple[QuerySet, QuerySet]:
        return self.company, self.employees


def topic_post_ids(topic_id: int) -> QuerySet:
    return Post.topics.through.objects.filter(topic_id=topic_id).values("post_id")


def share_metrics_posted(scope: Scope, filters: Filters) -> QuerySet[ShareMetrics]:
    """The employees' shares posted in the period, on the filters' network and topic, by
    people of `scope` (narrowed to the filters' team by the caller)."""
    start, end = filters.moments()
    shares = ShareMetrics.objects.filter(
        organization_id=scope.organization_id, posted_at__gte=start, posted_at__lt=end
    ).exclude(member_id=0)
    if filters.network:
        shares = shares.filter(network=filters.network)
    if filters.topic_id:
        shares = shares.filter(post_id__in=topic_post_ids(filters.topic_id))
    if not scope.is_organization:
        shares = shares.filter(member_id__in=member_ids_in(scope.team_ids))
    return shares


def sources_for(scope: Scope, filters: Filters, *, start: date | None = None, end: date | None = None) -> Sources:
    scope = scope.narrowed_to(filters.team_id)
    where = {
        "organization_id": scope.organization_id,
        "day__gte": start or filters.start,
        "day__lte": end or filters.end,
    }
    if filters.network:
        where["network"] = filters.network
    if filters.topic_id:
        posts = topic_post_ids(filters.topic_id)
        company = PostDay.objects.filter(is_company=True, post_id__in=posts, **where)
        if scope.is_organization:
            employees = PostDay.objects.filter(is_company=False, post_id__in=posts, **where)
        else:
            employees = PostMemberDay.objects.filter(
                post_id__in=posts, member_id__in=member_ids_in(scope.team_ids), **where
            )
    else:
        company = OrganizationDay.objects.filter(is_company=True, **where)
        if scope.is_organization:
            employees = OrganizationDay.objects.filter(is_company=False, **where)
        else:
            employees = MemberDay.objects.filter(member_id__in=member_ids_in(scope.team_ids), **where)
    return Sources(employees=employees, company=company)


def member_rows(scope: Scope, filters: Filters) -> QuerySet:
    """Employees' rows that know the member: MemberDay, or PostMemberDay with a topic."""
    scope = scope.narrowed_to(filters.team_id)
    where = {"organization_id": scope.organization_id, "day__gte": filters.start, "day__lte": filters.end}
    if filters.network:
        where["network"] = filters.network
    if filters.topic_id:
        rows = PostMemberDay.objects.filter(post_id__in=topic_post_ids(filters.topic_id), **where).exclude(member_id=0)
    else:
        rows = MemberDay.objects.filter(**where)
    if not scope.is_organization:
        rows = rows.filter(member_id__in=member_ids_in(scope.team_ids))
    return rows


def post_rows(scope: Scope, filters: Filters) -> QuerySet:
    """Rows that know the post: PostDay for the organization, PostMemberDay for teams."""
    scope = scope.narrowed_to(filters.team_id)
    where = {"organization_id": scope.organization_id, "day__gte": filters.start, "day__lte": filters.end}
    if filters.network:
        where["network"] = filters.network
    if scope.is_organization:
        rows = PostDay.objects.filter(**where)
    else:
        rows = PostMemberDay.objects.filter(Q(member_id=0) | Q(member_id__in=member_ids_in(scope.team_ids)), **where)
    if filters.topic_id:
        rows = rows.filter(post_id__in=topic_post_ids(filters.topic_id))
    return rows


# -- totals and series ------------------------------------------------------------------


def reach_totals(sources: Sources) -> Reach:
    company = measures_of(sources.company.aggregate(**measure_sums()))
    employees = measures_of(sources.employees.aggregate(**measure_sums()))
    return Reach.of(company=company, employees=employees)


@dataclass(frozen=True)
class SeriesPoint:
    day: date
    company: int
    employees: int

    @property
    def total(self) -> int:
        return self.company + self.employees


def reach_series(sources: Sources, filters: Filters) -> list[SeriesPoint]:
    """One point per day of the period (days without activity are zeros)."""
    expression = METRIC_EXPRESSIONS.get(filters.metric, METRIC_EXPRESSIONS["potential_reach"])
    values = []
    for rows in sources.both():
        values.append(
            dict(rows.values("day").order_by("day").annotate(value=Sum(expression)).values_list("day", "value"))
        )
    company, employees = values
    points, day = [], filters.start
    while day <= filters.end:
        points.append(SeriesPoint(day, int(company.get(day) or 0), int(employees.get(day) or 0)))
        day += timedelta(days=1)
    return points


@dataclass(frozen=True)
class NetworkRow:
    network: str
    reach: Reach


def by_network(sources: Sources) -> list[NetworkRow]:
    sides: dict[str, dict[str, dict]] = {}
    for kind, rows in (("company", sources.company), ("employees", sources.employees)):
        for row in rows.values("network").order_by("network").annotate(**measure_sums()):
            sides.setdefault(row["network"], {})[kind] = measures_of(row)
    result = [
        NetworkRow(network, Reach.of(company=kinds.get("company", {}), employees=kinds.get("employees", {})))
        for network, kinds in sides.items()
    ]
    return sorted(result, key=lambda row: -row.reach.combined.potential_reach)


def emv_counts(sources: Sources) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for rows in sources.both():
        for row in rows.values("network").order_by("network").annotate(**measure_sums()):
            target = counts.setdefault(row["network"], {})
            measures = measures_of(row)
            for name in ("impressions", "likes", "reposts", "replies", "quotes", "clicks"):
                target[name] = target.get(name, 0) + measures[name]
    return counts


# -- rankings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SharerRow:
    member_id: int
    name: str
    side: Side


def _sharer_sums(rows: QuerySet) -> QuerySet:
    """Each person's sums, best first: by engagements and clicks, then by potential reach,
    then by id (so that equal figures always come in the same order)."""
    return (
        rows.values("member_id")
        .order_by()
        .annotate(**measure_sums(), score=Sum(ENGAGEMENT + F("clicks")), reach=Sum("potential_reach"))
        .order_by("-score", "-reach", "member_id")
    )


def _sharers_ranked(scope: Scope, filters: Filters, limit: int | None) -> list[tuple[int, dict[str, int]]]:
    rows = _sharer_sums(member_rows(scope, filters))
    if limit is not None:
        rows = rows[:limit]
    return [(row["member_id"], measures_of(row)) for row in rows]


def sharers(scope: Scope, filters: Filters, *, limit: int | None = 10) -> list[SharerRow]:
    """People ranked by engagements and clicks, then by potential reach (`ORDER BY …
    LIMIT` in the database). The organization's top few (without a topic, whose posts may
    change) depend on rollup rows only and are cached until the rollups change."""
    if limit is None:
        ranked = _sharers_ranked(scope, filters, limit)
    elif filters.topic_id or not scope.narrowed_to(filters.team_id).is_organization:
        # A team's people: until the rollups or the teams change.
        ranked = scope_read_cached(
            scope=scope,
            filters=filters,
            name="top-sharers",
            parts=(limit,),
            compute=lambda: _sharers_ranked(scope, filters, limit),
        )
    else:
        ranked = rollups_read_cached(
            organization_id=scope.organization_id,
            name="top-sharers",
            parts=(filters.start, filters.end, filters.network or "", limit),
            compute=lambda: _sharers_ranked(scope, filters, limit),
        )
    names = member_names([member_id for member_id, _measures in ranked])
    return [SharerRow(member_id, names.get(member_id, "—"), Side.of(measures)) for member_id, measures in ranked]


def sharer_row(scope: Scope, filters: Filters, *, member_id: int) -> SharerRow | None:
    """One person's row as `sharers` gives it, or None when they have no rollup rows."""
    row = _sharer_sums(member_rows(scope, filters).filter(member_id=member_id)).first()
    if row is None:
        return None
    return SharerRow(member_id, member_names([member_id]).get(member_id, "—"), Side.of(measures_of(row)))


def member_names(member_ids: list[int]) -> dict[int, str]:
    people = Membership.objects.filter(pk__in=member_ids).select_related("user")
    return {person.id: person.user.get_full_name() for person in people}


@dataclass(frozen=True)
class PostRow:
    post_id: int
    title: str
    reach: Reach


def posts(scope: Scope, filters: Filters, *, limit: int | None = 10) -> list[PostRow]:
    """Posts ranked by engagements and clicks, then by potential reach (a team's, with a
    limit, kept until the rollups or the teams change; the organization's until the
    rollups change)."""
    if limit is not None and not scope.narrowed_to(filters.team_id).is_organization:
        ranked = scope_read_cached(
            scope=scope,
            filters=filters,
            name="top-posts",
            parts=(limit,),
            compute=lambda: _posts_ranked(scope, filters, limit),
        )
    elif limit is not None and not filters.topic_id:
        # The organization's few: until the rollups change (the ranking's sums inside are
        # kept longer, settled days apart, so that a write ranks again without a full read).
        ranked = rollups_read_cached(
            organization_id=scope.organization_id,
            name="top-posts",
            parts=(filters.start, filters.end, filters.network or "", limit),
            compute=lambda: _posts_ranked(scope, filters, limit),
        )
    else:
        ranked = _posts_ranked(scope, filters, limit)
    titles = dict(Post.objects.filter(pk__in=[post_id for post_id, _c, _e in ranked]).values_list("id", "title"))
    return [
        PostRow(post_id, titles.get(post_id, ""), Reach.of(company=company, employees=employees))
        for post_id, company, employees in ranked
    ]


def _post_sums(scope: Scope, filters: Filters) -> dict:
    return {
        f"{side}_{name}": Sum(name, filter=condition, default=0)
        for side, condition in (("c", _company_rows(scope, filters)), ("e", ~_company_rows(scope, filters)))
        for name in Measures.MEASURES
    }


def _company_rows(scope: Scope, filters: Filters) -> Q:
    return Q(is_company=True) if scope.narrowed_to(filters.team_id).is_organization else Q(member_id=0)


def _post_scores(scope: Scope, filters: Filters) -> dict[int, tuple[int, int]]:
    """Each post's (engagements and clicks, potential reach) over the filters' days."""
    rows = post_rows(scope, filters).values("post_id").order_by()
    rows = rows.annotate(score=Sum(ENGAGEMENT + F("clicks")), reach=Sum("potential_reach"))
    return {
        post_id: (int(score or 0), int(reach or 0))
        for post_id, score, reach in rows.values_list("post_id", "score", "reach")
    }


def _add_post_scores(
    first: dict[int, tuple[int, int]], second: dict[int, tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    result = dict(first)
    for post_id, (score, reach) in second.items():
        before = result.get(post_id, (0, 0))
        result[post_id] = (before[0] + score, before[1] + reach)
    return result


def _posts_ranked(scope: Scope, filters: Filters, limit: int | None) -> list[tuple[int, dict, dict]]:
    """(post id, company's measures, employees' measures), best first.

    With a limit, the posts are ranked on two sums first (the organization's from the
    cache, settled days and recent ones apart) and both sides' measures are summed for the few kept only:
    summing 22 filtered measures for every post in the period would cost several times
    the ranking itself.
    """
    rows = post_rows(scope, filters)
    if limit is None:
        ordered = list(
            rows.values("post_id")
            .order_by()
            .annotate(score=Sum(ENGAGEMENT + F("clicks")), reach=Sum("potential_reach"))
            .annotate(**_post_sums(scope, filters))
            .order_by("-score", "-reach", "post_id")
        )
    else:
        if filters.topic_id or not scope.narrowed_to(filters.team_id).is_organization:
            scores = _post_scores(scope, filters)
        else:
            scores = rollups_read_settled(
                organization_id=scope.organization_id,
                filters=filters,
                name="post-scores",
                parts=(filters.network or "",),
                read=lambda start, end: _post_scores(scope, replace(filters, start=start, end=end)),
                merge=_add_post_scores,
            )
        best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        ids = [post_id for post_id, _score in best]
        sides = rows.filter(post_id__in=ids).values("post_id").order_by().annotate(**_post_sums(scope, filters))
        by_post = {row["post_id"]: row for row in sides}
        ordered = [by_post[post_id] for post_id in ids]
    return [
        (
            row["post_id"],
            {name: int(row[f"c_{name}"]) for name in Measures.MEASURES},
            {name: int(row[f"e_{name}"]) for name in Measures.MEASURES},
        )
        for row in ordered
    ]


@dataclass(frozen=True)
class TeamTable:
    """The team rows shown, and how many small teams were left out (works-council mode)."""

    rows: list[TeamRow]
    hidden: int = 0
    min_size: int | None = None
    # The page shown, when the table is paginated (the dashboard's).
    page: Page | None = None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def council_min_size(rules) -> int | None:
    """The smallest team whose figures may be shown, or None outside works-council mode."""
    return max(2, rules.council_min_team_size) if rules.works_council else None


def by_team(scope: Scope, filters: Filters, *, min_size: int | None = None) -> TeamTable:
    """Each team with every team below it; a person in two teams counts in both.

    With `min_size` (works-council mode), teams of fewer people are left out: only
    their count is told. Their people still count in every total and in bigger teams.
    Aggregated in the database (see analytics.selectors.teams)."""
    return TeamTable(team_rows(scope, filters, min_size=min_size), team_counts(scope, min_size=min_size)[1], min_size)


def teams_page(scope: Scope, filters: Filters, *, min_size: int | None, number: object) -> TeamTable:
    """One page of the team table (`number` as the request gave it)."""
    page = Paginator(TeamPages(scope, filters, min_size=min_size), TEAMS_PER_PAGE).get_page(number)
    return TeamTable(list(page.object_list), page.paginator.object_list.hidden, min_size, page)


def team_size(organization_id: int, team_ids: set[int]) -> int:
    """The people of these teams and the teams below them, counted as the team table counts them."""
    below = descendant_team_ids(organization_id, set(team_ids))
    links = Membership.teams.through.objects.filter(team__organization_id=organization_id, team_id__in=below)
    return links.values("membership_id").distinct().count()


def team_too_small(scope: Scope, filters: Filters, rules) -> int | None:
    """In works-council mode, the smallest size shown when the team filtered to (or, for a
    manager, all their teams together) has fewer people: its figures must not be shown.
    Otherwise None."""
    min_size = council_min_size(rules)
    if min_size is None:
        return None
    if filters.team_id is not None:
        teams = {filters.team_id}
    elif scope.team_ids:
        teams = set(scope.team_ids)
    else:
        # The organization, or a manager of no team (who sees the company's profiles only).
        return None
    return min_size if team_size(scope.organization_id, teams) < min_size else None


# -- people and audience -------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    employees: int
    connected: int
    active: int

    @property
    def connected_rate(self) -> float | None:
        return ratio(self.connected, self.employees)

    @property
    def active_rate(self) -> float | None:
        return ratio(self.active, self.employees)


def adoption(scope: Scope, filters: Filters) -> Adoption:
    """The scope's active employees, those of them with a connected profile and those who
    shared in the period: three counts, each a hashed semi-join in the database, kept
    until the rollups or the organization's people, teams or connections change.

    (As one aggregate with `FILTER (WHERE id IN (…))` PostgreSQL re-ran the member-day
    subquery for each person: beyond gunicorn's timeout at 50,000 employees.)
    """
    # Who is employed and connected follows people and profiles only; who shared, the rollups too.
    employees, connected = scope_read_cached(
        scope=scope,
        filters=filters,
        name="adoption-people",
        parts=(),
        compute=lambda: _adoption_people(scope, filters),
        rollups=False,
    )
    active = scope_read_cached(
        scope=scope, filters=filters, name="adoption-active", parts=(), compute=lambda: _adoption_active(scope, filters)
    )
    return Adoption(employees=employees, connected=connected, active=active)


def _adoption_people(scope: Scope, filters: Filters) -> tuple[int, int]:
    people = employees_in(scope.narrowed_to(filters.team_id))
    profiles = SocialProfile.objects.filter(
        organization_id=scope.organization_id,
        state=SocialProfile.State.ACTIVE,
        owner_membership_id__in=people.values("id"),
    )
    if filters.network:
        profiles = profiles.filter(network=filters.network)
    return people.count(), profiles.values("owner_membership_id").distinct().count()


def _adoption_active(scope: Scope, filters: Filters) -> int:
    in_scope = employees_in(scope.narrowed_to(filters.team_id)).values("id")
    # Shares are never negative: someone with a row that books one shared in the period.
    sharing = member_rows(scope, filters).filter(shares__gt=0, member_id__in=in_scope)
    return sharing.values("member_id").distinct().count()


@dataclass(frozen=True)
class Audience:
    day: date | None
    company: int
    employees: int

    @property
    def ratio(self) -> float | None:
        return ratio(self.employees, self.company)


def audience(scope: Scope, filters: Filters) -> Audience:
    """Followers on the last day with a snapshot in the period."""
    scope = scope.narrowed_to(filters.team_id)
    days = AudienceDay.objects.filter(organization_id=scope.organization_id, day__lte=filters.end)
    if filters.network:
        days = days.filter(network=filters.network)
    last = days.order_by("-day").values_list("day", flat=True).first()
    if last is None or last < filters.start:
        return Audience(None, 0, 0)
    rows = days.filter(day=last)
    company = rows.filter(is_company=True).aggregate(total=Sum("followers"))["total"] or 0
    if scope.is_organization:
        employees = rows.filter(is_company=False).aggregate(total=Sum("followers"))["total"] or 0
    else:
        snapshots = AudienceSnapshot.objects.filter(
            organization_id=scope.organization_id, day=last, member_id__in=member_ids_in(scope.team_ids)
        )
        if filters.network:
            snapshots = snapshots.filter(network=filters.network)
        employees = snapshots.aggregate(total=Sum("followers"))["total"] or 0
    return Audience(last, int(company), int(employees))
