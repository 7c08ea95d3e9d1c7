"""The company's LinkedIn page: after the sign-in, the person picks which page to connect."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from employees.access import membership_required
from employees.models import Role
from employees.profiles import linkedin_pages
from employees.profiles.services import ProfileConnectError


def pages_found(request, pending, code: str):
    """The OAuth callback's end for a page: keep the sign-in briefly and ask which page."""
    try:
        choice = linkedin_pages.linkedin_pages_finish(membership=request.membership, pending=pending, code=code)
    except ProfileConnectError as error:
        messages.error(request, error.message)
        return redirect("profiles:company_profiles")
    linkedin_pages.page_choice_save(request.session, choice)
    return redirect("profiles:linkedin_page_pick")


@membership_required(Role.ADMIN, Role.COMMS)
@require_http_methods(["GET", "POST"])
def linkedin_page_pick(request):
    choice = linkedin_pages.page_choice_get(request.session, membership_id=request.membership.id)
    if choice is None:
        messages.error(request, _("This LinkedIn sign-in has expired. Nothing was connected; please start again."))
        return redirect("profiles:company_profiles")
    error = ""
    if request.method == "POST":
        try:
            profile = linkedin_pages.linkedin_page_store(
                membership=request.membership, choice=choice, page_id=request.POST.get("page", "")
            )
        except ProfileConnectError as exc:
            error = exc.message
        else:
            linkedin_pages.page_choice_clear(request.session)
            messages.success(request, _("Connected the LinkedIn page %(page)s.") % {"page": profile.display_name})
            return redirect("profiles:company_profiles")
    context = {"pages": choice.pages, "error": error}
    return render(request, "employees/profiles/linkedin_pages.html", context, status=400 if error else 200)
