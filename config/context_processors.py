from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from employees import selectors
from employees.models import Role

# (label, url name, roles that see it); an empty tuple means every member.
_NAVIGATION = [
    (_("My feed"), "advocacy:feed", (Role.EMPLOYEE,)),
    (_("My impact"), "analytics:my_impact", ()),
    (_("My profiles"), "profiles:my_profiles", ()),
    (_("Suggest"), "content:suggest", (Role.EMPLOYEE,)),
    (_("Library"), "content:library", (Role.COMMS,)),
    (_("Dashboard"), "analytics:dashboard", (Role.MANAGER, Role.COMMS, Role.ADMIN)),
    (_("Company profiles"), "profiles:company_profiles", (Role.ADMIN, Role.COMMS)),
    (_("People"), "employees:people", (Role.ADMIN,)),
    (_("Teams"), "employees:teams", (Role.ADMIN,)),
    (_("Settings"), "employees:organization_settings", (Role.ADMIN,)),
]


def navigation(request) -> dict:
    membership = getattr(request, "membership", None)
    items = []
    if membership is not None:
        for label, url_name, roles in _NAVIGATION:
            if roles and not membership.has_role(*roles):
                continue
            url = reverse(url_name)
            active = request.path == url if url_name == "analytics:dashboard" else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {
        "navigation": items,
        "site_name": settings.SITE_NAME,
        "switchable_memberships": _switchable(request, membership),
    }


def _switchable(request, membership) -> list:
    """The person's other organizations, for the switcher; empty with only one."""
    if membership is None:
        return []
    # Read with the request's membership (employees/selectors.py): no query per page.
    memberships = getattr(request, "active_memberships", None)
    if memberships is None:
        memberships = selectors.membership_list_for_switcher(user=request.user)
    if len(memberships) < 2:
        return []
    return sorted(memberships, key=lambda item: (item.organization.name, item.organization_id))
