from __future__ import annotations

from django.shortcuts import render

from employees.access import membership_required
from employees.models import Role


@membership_required(Role.MANAGER, Role.COMMS, Role.ADMIN)
def dashboard(request):
    return render(request, "analytics/dashboard.html")


@membership_required()
def my_impact(request):
    return render(request, "analytics/my_impact.html")
