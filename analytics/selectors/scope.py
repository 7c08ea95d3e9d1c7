"""Whose figures a member may see: the whole organization, or teams and their people.

Comms and admins see the organization. A manager sees the teams they manage and every
team below them, the people in those teams, and the company's own profiles (the
other half of combined reach); never another team's people. Employees see
themselves, and on the leaderboard the people of their own teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from employees.access import descendant_team_ids, managed_team_ids
from employees.models import Membership, Role, Team

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class Scope:
    organization_id: int
    # None: the whole organization; otherwise only people in these teams.
    team_ids: frozenset[int] | None

    @property
    def is_organization(self) -> bool:
        return self.team_ids is None

    def teams(self) -> QuerySet[Team]:
        teams = Team.objects.filter(organization_id=self.organization_id)
        if self.team_ids is not None:
            teams = teams.filter(pk__in=self.team_ids)
        return teams.order_by("name")

    def narrowed_to(self, team_id: int | None) -> Scope:
        """The scope of one of its teams (and the teams below it)."""
        if team_id is None:
            return self
        below = descendant_team_ids(self.organization_id, {team_id})
        if self.team_ids is not None:
            below &= self.team_ids
        return Scope(self.organization_id, frozenset(below))


def scope_for(membership: Membership) -> Scope:
    if membership.has_role(Role.ADMIN, Role.COMMS):
        return Scope(membership.organization_id, None)
    if membership.has_role(Role.MANAGER):
        return Scope(membership.organization_id, frozenset(managed_team_ids(membership)))
    own = set(membership.teams.values_list("id", flat=True))
    return Scope(membership.organization_id, frozenset(descendant_team_ids(membership.organization_id, own)))


def member_ids_in(team_ids: Iterable[int]) -> QuerySet:
    """A subquery of the people in these teams (for `member_id__in=`), including those who
    left: their past shares stay in their team's history."""
    return Membership.teams.through.objects.filter(team_id__in=list(team_ids)).values("membership_id").distinct()


def employees_in(scope: Scope) -> QuerySet[Membership]:
    """The active employees a scope covers."""
    people = Membership.objects.filter(organization_id=scope.organization_id, is_active=True, is_employee=True)
    if scope.team_ids is not None:
        people = people.filter(pk__in=member_ids_in(scope.team_ids))
    return people
