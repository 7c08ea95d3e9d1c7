from __future__ import annotations

from django.shortcuts import redirect

from employees.access import membership_required
from employees.models import Role

# Where each role starts; a person with several roles starts at the first that fits.
_ROLE_HOMES = [
    (Role.COMMS, "content:library"),
    (Role.MANAGER, "analytics:dashboard"),
    (Role.EMPLOYEE, "advocacy:feed"),
    (Role.ADMIN, "employees:people"),
]


@membership_required()
def home(request):
    for role, url_name in _ROLE_HOMES:
        if request.membership.has_role(role):
            return redirect(url_name)
    return redirect("analytics:my_impact")
