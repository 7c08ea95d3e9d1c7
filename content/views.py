from __future__ import annotations

from django.shortcuts import render

from employees.access import membership_required
from employees.models import Role


@membership_required(Role.COMMS)
def library(request):
    return render(request, "content/library.html")
