from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employees.access import get_scoped_or_404, membership_required
from employees.models import Role, SocialProfile
from employees.profiles import connect, linkedin_page_views, oauth, selectors, services
from employees.profiles.forms import BlueskyConnectForm, MastodonConnectForm, NetworkAppForm
from employees.profiles.services import ProfileConnectError
from networks import ADAPTERS

OAUTH_NETWORKS = ("linkedin", "x")
# What a network's `error=` on the callback means when the person said no.
CANCELLED_ERRORS = {"access_denied", "user_cancelled_authorize", "user_cancelled_login"}


def _back(company: bool) -> str:
    return "company_profiles" if company else "my_profiles"


def _redirect_uri(network: str) -> str:
    # The address registered with the network's app: fixed, not taken from the request.
    return settings.SITE_URL + reverse("profile_callback", args=[network])


def _network_label(network: str) -> str:
    return ADAPTERS[network].label


@membership_required()
@require_GET
def my_profiles(request):
    membership = request.membership
    context = {
        "profiles": selectors.profile_list_for_member(membership=membership),
        "networks": selectors.network_options(organization=membership.organization),
        "company": False,
    }
    return render(request, "employees/profiles/my_profiles.html", context)


def _app_settings(organization, network: str) -> dict:
    row = selectors.network_app_row(organization_id=organization.id, network=network)
    own_client_id = row.client_id if row is not None and row.organization_id else ""
    return {
        "network": network,
        "label": _network_label(network),
        "source": selectors.network_app_source(organization=organization, network=network),
        "redirect_uri": _redirect_uri(network),
        "form": NetworkAppForm(prefix=network, initial={"client_id": own_client_id}),
    }


@membership_required(Role.ADMIN, Role.COMMS)
@require_GET
def company_profiles(request):
    organization = request.membership.organization
    apps = [_app_settings(organization, network) for network in OAUTH_NETWORKS]
    context = {
        "profiles": selectors.profile_list_company(organization=organization),
        "networks": selectors.network_options(organization=organization),
        "company": True,
        "apps": apps,
        "can_edit_apps": request.membership.has_role(Role.ADMIN),
    }
    return render(request, "employees/profiles/company_profiles.html", context)


@membership_required(Role.ADMIN)
@require_POST
@sensitive_post_parameters("linkedin-client_secret", "x-client_secret")
def network_app_edit(request, network: str):
    if network not in OAUTH_NETWORKS:
        raise Http404
    organization = request.membership.organization
    label = _network_label(network)
    if request.POST.get("action") == "remove":
        services.network_app_delete(organization=organization, network=network, actor=request.user)
        messages.success(request, _("Removed your organization's %(network)s app credentials.") % {"network": label})
        return redirect("company_profiles")
    form = NetworkAppForm(request.POST, prefix=network)
    if form.is_valid():
        try:
            services.network_app_save(
                organization=organization,
                network=network,
                client_id=form.cleaned_data["client_id"],
                client_secret=form.cleaned_data["client_secret"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved the %(network)s app credentials.") % {"network": label})
    else:
        messages.error(request, _("Enter the client id."))
    return redirect("company_profiles")


@membership_required()
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("app_password")
def profile_connect(request, network: str):
    return _connect(request, network, company=False)


@membership_required(Role.ADMIN, Role.COMMS)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("app_password")
def company_profile_connect(request, network: str):
    return _connect(request, network, company=True)


def _connect(request, network: str, *, company: bool):
    if network not in ADAPTERS:
        raise Http404
    if network == "bluesky":
        return _connect_bluesky(request, company=company)
    if network == "mastodon":
        return _connect_mastodon(request, company=company)
    if network == "facebook":
        if request.method != "POST":
            return redirect(_back(company))
        profile = connect.profile_connect_facebook(membership=request.membership, company=company)
        messages.success(request, _("Facebook is ready: share through its share dialog; clicks are measured."))
        return redirect(_back(profile.is_company))
    return _start_oauth(request, network, company=company)


def _connected(request, profile: SocialProfile):
    messages.success(
        request,
        _("Connected %(network)s profile %(handle)s.")
        % {"network": profile.get_network_display(), "handle": profile.handle or profile.display_name},
    )
    return redirect(_back(profile.is_company))


def _connect_bluesky(request, *, company: bool):
    if request.method == "POST":
        form = BlueskyConnectForm(request.POST)
        if form.is_valid():
            try:
                profile = connect.profile_connect_bluesky(
                    membership=request.membership,
                    handle=form.cleaned_data["handle"],
                    app_password=form.cleaned_data["app_password"],
                    pds_url=form.cleaned_data["pds_url"],
                    company=company,
                )
            except ProfileConnectError as error:
                form.add_error(None, error.message)
            else:
                return _connected(request, profile)
        status = 400
    else:
        initial = {key: request.GET[key] for key in ("handle", "pds_url") if request.GET.get(key)}
        form = BlueskyConnectForm(initial=initial)
        status = 200
    context = {"form": form, "company": company}
    return render(request, "employees/profiles/connect_bluesky.html", context, status=status)


def _connect_mastodon(request, *, company: bool):
    if request.method == "POST":
        form = MastodonConnectForm(request.POST)
        if form.is_valid():
            try:
                return _start_oauth(
                    request, "mastodon", company=company, instance_url=form.cleaned_data["instance_url"], raise_=True
                )
            except ProfileConnectError as error:
                form.add_error("instance_url", error.message)
        status = 400
    else:
        form = MastodonConnectForm(initial={"instance_url": request.GET.get("instance_url", "")})
        status = 200
    context = {"form": form, "company": company}
    return render(request, "employees/profiles/connect_mastodon.html", context, status=status)


def _start_oauth(request, network: str, *, company: bool, instance_url: str = "", raise_: bool = False):
    try:
        url, pending = connect.profile_authorize_start(
            membership=request.membership,
            network=network,
            redirect_uri=_redirect_uri(network),
            company=company,
            instance_url=instance_url,
        )
    except ProfileConnectError as error:
        if raise_:
            raise
        messages.error(request, error.message)
        return redirect(_back(company))
    oauth.pending_save(request.session, pending)
    return HttpResponseRedirect(url)


@membership_required()
@require_GET
def profile_callback(request, network: str):
    if network not in ADAPTERS:
        raise Http404
    pending = oauth.pending_pop(request.session, request.GET.get("state", ""))
    if pending is None or pending.network != network or pending.membership_id != request.membership.id:
        messages.error(
            request,
            _(
                "This connection attempt has expired or was not started in this browser. "
                "Nothing was connected; please start again."
            ),
        )
        return redirect("my_profiles")
    back = _back(pending.company)
    label = _network_label(network)
    error = request.GET.get("error", "")
    if error:
        if error in CANCELLED_ERRORS:
            message = _(
                "You cancelled connecting %(network)s, or did not allow posting for you. Nothing was connected."
            )
        else:
            message = _("%(network)s reported a problem: %(error)s. Nothing was connected.")
        detail = (request.GET.get("error_description") or error)[:200]
        messages.error(request, message % {"network": label, "error": detail})
        return redirect(back)
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("%(network)s sent no authorization. Nothing was connected.") % {"network": label})
        return redirect(back)
    if network == "linkedin" and pending.company:
        return linkedin_page_views.pages_found(request, pending, code)
    try:
        profile = connect.profile_authorize_finish(membership=request.membership, pending=pending, code=code)
    except ProfileConnectError as error:
        messages.error(request, error.message)
        return redirect(back)
    return _connected(request, profile)


def _profile_for(request, profile_id: int) -> SocialProfile:
    """A profile the member may act on: their own, or a company one for admins and comms."""
    profile = get_scoped_or_404(
        SocialProfile.objects.exclude(state=SocialProfile.State.DISCONNECTED), request.membership, pk=profile_id
    )
    if profile.is_company:
        if not request.membership.has_role(Role.ADMIN, Role.COMMS):
            raise PermissionDenied
    elif profile.owner_membership_id != request.membership.id:
        raise Http404
    return profile


@membership_required()
@require_POST
def profile_disconnect(request, profile_id: int):
    profile = _profile_for(request, profile_id)
    services.profile_disconnect(profile=profile, actor=request.user)
    messages.success(
        request,
        _("Disconnected %(network)s profile %(handle)s. Its tokens were deleted.")
        % {"network": profile.get_network_display(), "handle": profile.handle},
    )
    return redirect(_back(profile.is_company))


@membership_required()
@require_http_methods(["GET", "POST"])
def profile_reconnect(request, profile_id: int):
    profile = _profile_for(request, profile_id)
    company = profile.is_company
    connect_url = reverse("company_profile_connect" if company else "profile_connect", args=[profile.network])
    if profile.network == "bluesky":
        query = {"handle": profile.handle, "pds_url": profile.extra.get("pds_url", "")}
        return redirect(f"{connect_url}?{_urlencode(query)}")
    if profile.network == "mastodon":
        return _start_oauth(request, "mastodon", company=company, instance_url=profile.extra.get("instance_url", ""))
    if profile.network in OAUTH_NETWORKS:
        return _start_oauth(request, profile.network, company=company)
    return redirect(_back(company))


def _urlencode(query: dict[str, str]) -> str:
    return urlencode({key: value for key, value in query.items() if value})
