from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import HtmxHttpRequest, vary_on_htmx
from config.params import id_param
from employees import selectors, services
from employees.access import get_scoped_or_404, membership_required
from employees.csv_import import invitations_import_csv
from employees.forms import AcceptInvitationForm, CsvImportForm, InviteForm, MemberForm, OrganizationForm, TeamForm
from employees.models import Invitation, Membership, Role, Team
from employees.sso.login_policy import sso_invitation_page

PEOPLE_PER_PAGE = 50


@membership_required(Role.ADMIN)
@require_GET
@vary_on_htmx
def people(request: HtmxHttpRequest) -> HttpResponse:
    organization = request.membership.organization
    filters = {
        "query": request.GET.get("q", "").replace("\x00", "").strip()[:100],
        "role": request.GET.get("role", "") if request.GET.get("role") in Role.values else "",
        "status": request.GET.get("status", "active")
        if request.GET.get("status") in ("active", "inactive", "all")
        else "active",
    }
    team_id = request.GET.get("team", "")
    filters["team_id"] = id_param(team_id)
    members = selectors.member_list(organization=organization, **filters)
    page = Paginator(members, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "roles": Role.choices,
        "teams": selectors.team_list(organization=organization),
        "invitations": selectors.invitation_list_pending(organization=organization),
        "invite_form": InviteForm(organization=organization),
    }
    template = (
        "employees/people.html#member_table"
        if request.htmx and request.htmx.target == "member-table"
        else "employees/people.html"
    )
    return render(request, template, context)


@membership_required(Role.ADMIN)
@require_POST
def invite(request):
    organization = request.membership.organization
    form = InviteForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            services.invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("employees:people")
    return render(request, "employees/invite.html", {"form": form}, status=400)


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_edit(request, membership_id: int):
    organization = request.membership.organization
    member = get_scoped_or_404(Membership.objects.select_related("user"), request.membership, pk=membership_id)
    if request.method == "POST":
        form = MemberForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                services.membership_update(
                    membership=member,
                    roles=form.cleaned_data["roles"],
                    teams=form.cleaned_data["teams"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved the roles and teams of %(name)s.") % {"name": member.user})
                return redirect("employees:people")
    else:
        form = MemberForm(
            organization=organization,
            initial={"roles": member.roles, "teams": list(member.teams.values_list("id", flat=True))},
        )
    return render(request, "employees/member_edit.html", {"member": member, "form": form})


@membership_required(Role.ADMIN)
@require_POST
def member_deactivate(request, membership_id: int):
    member = get_scoped_or_404(Membership.objects.select_related("user"), request.membership, pk=membership_id)
    try:
        services.membership_deactivate(membership=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s was deactivated and can no longer log in.") % {"name": member.user})
    return redirect("employees:people")


@membership_required(Role.ADMIN)
@require_POST
def member_reactivate(request, membership_id: int):
    member = get_scoped_or_404(Membership.objects.select_related("user"), request.membership, pk=membership_id)
    try:
        services.membership_reactivate(membership=member, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": member.user})
    return redirect("employees:people")


@membership_required(Role.ADMIN)
@require_POST
def invitation_resend(request, invitation_id: int):
    invitation = get_scoped_or_404(Invitation.objects.all(), request.membership, pk=invitation_id)
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
    return redirect("employees:people")


@membership_required(Role.ADMIN)
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_scoped_or_404(Invitation.objects.all(), request.membership, pk=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("employees:people")


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def people_import(request):
    report = None
    form = CsvImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = invitations_import_csv(
            organization=request.membership.organization,
            data=form.cleaned_data["file"].read(),
            invited_by=request.user,
        )
    return render(request, "employees/people_import.html", {"form": form, "report": report})


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def teams(request):
    organization = request.membership.organization
    form = TeamForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(organization=organization, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": form.cleaned_data["name"]})
            return redirect("employees:teams")
    return render(
        request, "employees/teams.html", {"teams": selectors.team_list(organization=organization), "form": form}
    )


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organization_settings(request):
    form = OrganizationForm(request.POST or None, instance=request.membership.organization)
    if request.method == "POST" and form.is_valid():
        services.organization_save(organization=form.instance, actor=request.user, changed=form.changed_data)
        messages.success(request, _("Organization settings saved."))
        return redirect("employees:organization_settings")
    from content.views.dial import dial_panel

    return render(request, "employees/organization_settings.html", {"form": form, **dial_panel(request.membership)})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "employees/invitation_invalid.html", {"reason": str(exc)}, status=410)

    sso_page = sso_invitation_page(request, invitation)
    if sso_page is not None:
        return sso_page
    signed_in_as_invitee = request.user.is_authenticated and request.user.email.lower() == invitation.email.lower()
    if signed_in_as_invitee:
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, name="", password=None, user=request.user)
            request.session[selectors.ORGANIZATION_SESSION_KEY] = invitation.organization_id
            messages.success(request, _("Welcome to %(organization)s.") % {"organization": invitation.organization})
            return redirect("advocacy:home")
        return render(request, "employees/invitation_accept.html", {"invitation": invitation, "form": None})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except services.InvitationInvalid as exc:
            return render(request, "employees/invitation_invalid.html", {"reason": str(exc)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(organization)s.") % {"organization": invitation.organization})
        return redirect("advocacy:home")
    return render(request, "employees/invitation_accept.html", {"invitation": invitation, "form": form})


@membership_required(Role.ADMIN)
def team_detail(request, team_id: int):
    team = get_scoped_or_404(Team.objects.select_related("parent"), request.membership, pk=team_id)
    members = selectors.member_list(organization=request.membership.organization, team_id=team.id)
    return render(request, "employees/team_detail.html", {"team": team, "members": members})
