"""Switching between the organizations a person belongs to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees import selectors
from employees.models import Membership


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404 from None
    if not 0 < organization_id < 2**63:
        raise Http404
    # Only an organization the person actively belongs to; anything else is not there.
    membership = (
        Membership.objects.filter(user=request.user, organization_id=organization_id, is_active=True)
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise Http404
    request.session[selectors.ORGANIZATION_SESSION_KEY] = membership.organization_id
    messages.success(request, _("You are now working in %(organization)s.") % {"organization": membership.organization})
    return redirect("advocacy:home")
