"""The audit log: who did what, for the organization's admins to read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from employees import selectors
from employees.access import membership_required
from employees.models import AuditEvent, Role

EVENTS_PER_PAGE = 50


@membership_required(Role.ADMIN)
@require_GET
def audit_log(request):
    action = request.GET.get("action", "")
    filters = {
        "action": action if action in AuditEvent.Action.values else "",
        "actor": request.GET.get("actor", "").replace("\x00", "").strip()[:100],
    }
    events = selectors.audit_event_list(organization=request.membership.organization, **filters)
    context = {
        "page": Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
        "filters": filters,
        "actions": AuditEvent.Action.choices,
    }
    return render(request, "employees/audit_log.html", context)
