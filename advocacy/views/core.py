from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from employees.access import membership_required
from employees.models import Role

# Where each role starts; a person with several roles starts at the first that fits.
_ROLE_HOMES = [
    (Role.COMMS, "library"),
    (Role.MANAGER, "dashboard"),
    (Role.EMPLOYEE, "feed"),
    (Role.ADMIN, "people"),
]


@membership_required()
def home(request):
    for role, url_name in _ROLE_HOMES:
        if request.membership.has_role(role):
            return redirect(url_name)
    return redirect("my_impact")


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
