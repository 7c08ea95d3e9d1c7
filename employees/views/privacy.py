"""Personal data: a person downloads what is held about them; an admin offboards a person."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from employees import services
from employees.access import get_scoped_or_404, membership_required
from employees.forms import OffboardForm
from employees.models import Membership, Role

# Escaped as in `json_script`: the file holds text people typed, and no browser that
# ignores the content type may ever find markup in it.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@membership_required()
@require_POST
def my_data_export(request):
    data = services.personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_offboard(request, membership_id: int):
    member = get_scoped_or_404(Membership.objects.select_related("user"), request.membership, pk=membership_id)
    if member.offboarded_at is not None:
        messages.info(request, _("This person has been offboarded already."))
        return redirect("employees:people")
    form = OffboardForm(request.POST or None, email=member.user.email)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_offboard(membership=member, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Offboarded: their profiles are disconnected and their tokens deleted; their shares stay.")
            )
            return redirect("employees:people")
    status = 400 if form.errors else 200
    return render(request, "employees/member_offboard.html", {"member": member, "form": form}, status=status)
