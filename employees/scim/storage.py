"""scim2-server's storage interface over one organization's people and teams.

A storage is made per request for the organization whose token authenticated it, so
every read and write is scoped before the SCIM library runs: another organization's
ids are simply not found.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction
from scim2_models import (
    NotFoundException,
    NotImplementedException,
    SearchRequest,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator
from scim2_server.storage import ScimStorage, SearchPage

from employees.scim import selectors, services
from employees.scim.provider import MAX_RESULTS, scim_provider

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.models import Q, QuerySet
    from scim2_models import Resource, ResourceType, ResponseParameters, ScimFilter

    from employees.scim.models import ScimToken


class OrganizationStorage(ScimStorage):
    def __init__(self, token: ScimToken | None) -> None:
        # No token only for the ServiceProviderConfig, which reads no storage.
        self.token = token
        self.organization = token.organization if token is not None else None
        self._locking = False

    # -- reading ---------------------------------------------------------------------

    def _is_user(self, resource_type: ResourceType) -> bool:
        return resource_type.name == "User"

    def _rows(self, resource_type: ResourceType) -> QuerySet:
        if self._is_user(resource_type):
            return selectors.scim_members(organization=self.organization)
        return selectors.scim_teams(organization=self.organization)

    def _resource(self, resource_type: ResourceType, row) -> Resource[Any]:
        data = selectors.user_resource(row) if self._is_user(resource_type) else selectors.group_resource(row)
        return scim_provider().model_for(resource_type).model_validate(data)

    def _row(self, resource_type: ResourceType, resource_id: str):
        pk = selectors.row_id(resource_id)
        rows = self._rows(resource_type)
        if self._locking:
            # PATCH reads, changes and writes the whole resource: two at once on the
            # same group would otherwise each drop the member the other added.
            rows = rows.select_for_update(of=("self",))
        row = rows.filter(pk=pk).first() if pk is not None else None
        if row is None:
            raise NotFoundException(detail=f"No {resource_type.name} with id {resource_id!r}.")
        return row

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return self._resource(resource_type, self._row(resource_type, resource_id))

    def _narrowing(self, resource_type: ResourceType, scim_filter: ScimFilter[Any]) -> Q | None:
        """The database lookup implied by the `eq` comparisons a filter must all meet.

        The library's own `match` still decides; this only keeps an IdP's usual
        `userName eq "…"` from reading the whole organization.
        """
        node = scim_filter.ast
        terms = node.terms if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_ else (node,)
        lookup = selectors.user_lookup if self._is_user(resource_type) else selectors.group_lookup
        narrowing = None
        for term in terms:
            if not isinstance(term, Comparison) or term.op != CompareOperator.eq or not isinstance(term.value, str):
                continue
            binding = scim_filter.resolve_comparison(term.attr_path, strict=False)
            if binding is None or binding.is_multivalued or binding.sub_field_name is not None:
                continue
            q = lookup(binding.field_name, term.value)
            if q is not None:
                narrowing = q if narrowing is None else narrowing & q
        return narrowing

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Search Users or Groups, not the server root.")
        resource_type = resource_types[0]
        rows = self._rows(resource_type)
        start = search_request.start_index_0 or 0
        count = MAX_RESULTS if search_request.count is None else search_request.count
        scim_filter = search_request.filter
        if scim_filter is None and search_request.sort_by is None:
            page = [self._resource(resource_type, row) for row in rows[start : start + count]] if count else []
            return SearchPage(total=rows.count(), resources=page)
        if scim_filter is not None:
            narrowing = self._narrowing(resource_type, scim_filter)
            if narrowing is not None:
                rows = rows.filter(narrowing)
        found = [self._resource(resource_type, row) for row in rows]
        if scim_filter is not None:
            found = [resource for resource in found if scim_filter.match(resource)]
        if search_request.sort_by is not None:
            descending = search_request.sort_order == SearchRequest.SortOrder.descending
            with_value = [r for r in found if search_request.sort_value(r) is not None]
            without = [r for r in found if search_request.sort_value(r) is None]
            with_value.sort(key=lambda r: (search_request.sort_value(r), int(r.id)), reverse=descending)
            found = with_value + without  # missing values last (RFC 7644 §3.4.2.3)
        return SearchPage(total=len(found), resources=found[start : start + count])

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def operation(self) -> Iterator[None]:
        with transaction.atomic():
            self._locking = True
            try:
                yield
            finally:
                self._locking = False

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        data = resource.model_dump()
        if self._is_user(resource_type):
            row = services.scim_user_create(token=self.token, data=data)
        else:
            row = services.scim_group_create(token=self.token, data=data)
        return self.get(resource_type, str(row.pk))

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        row = self._row(resource_type, str(resource.id))
        data = resource.model_dump()
        if self._is_user(resource_type):
            services.scim_user_update(token=self.token, membership=row, data=data)
        else:
            services.scim_group_update(token=self.token, team=row, data=data)
        return self.get(resource_type, str(row.pk))

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        row = self._row(resource_type, resource_id)
        if self._is_user(resource_type):
            services.scim_user_offboard(token=self.token, membership=row)
        else:
            services.scim_group_delete(token=self.token, team=row)
