from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import HtmxHttpRequest
from employees.access import get_scoped_or_404, membership_required
from employees.models import Organization, Role, SocialProfile
from employees.profiles import connect, linkedin_page_views, oauth, selectors, services
from employees.profiles.forms import AppPasswordConnectForm, InstanceConnectForm, NetworkAppForm
from employees.profiles.services import ProfileConnectError
from networks import ADAPTERS, get_adapter_class
from networks.base import Adapter, ConnectKind

# What a network's `error=` on the callback means when the person said no.
CANCELLED_ERRORS = {"access_denied", "user_cancelled_authorize", "user_cancelled_login"}


def _back(company: bool) -> str:
    return "profiles:company_profiles" if company else "profiles:my_profiles"


def _redirect_uri(network: str) -> str:
    # The address registered with the network's app: fixed, not taken from the request.
    return settings.SITE_URL + reverse("profiles:profile_callback", args=[network])


def _adapter_or_404(network: str) -> type[Adapter]:
    adapter = ADAPTERS.get(network)
    if adapter is None:
        raise Http404
    return adapter


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@membership_required()
@require_GET
def my_profiles(request: HtmxHttpRequest) -> HttpResponse:
    membership = request.membership
    context = {
        "profiles": selectors.profile_list_for_member(membership=membership),
        "networks": selectors.network_options(organization=membership.organization),
        "company": False,
    }
    return render(request, "employees/profiles/my_profiles.html", context)


def _app_settings(organization: Organization, network: str) -> dict:
    row = selectors.network_app_get(organization_id=organization.id, network=network)
    own_client_id = row.client_id if row is not None and row.organization_id else ""
    return {
        "network": network,
        "label": ADAPTERS[network].label,
        "source": selectors.network_app_source(organization=organization, network=network),
        "redirect_uri": _redirect_uri(network),
        "form": NetworkAppForm(prefix=network, initial={"client_id": own_client_id}),
    }


@membership_required(Role.ADMIN, Role.COMMS)
@require_GET
def company_profiles(request: HtmxHttpRequest) -> HttpResponse:
    organization = request.membership.organization
    apps = [_app_settings(organization, network) for network in selectors.network_list_with_app()]
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
@sensitive_post_parameters(*[f"{network}-client_secret" for network in ADAPTERS])
def network_app_edit(request: HtmxHttpRequest, network: str) -> HttpResponse:
    if network not in selectors.network_list_with_app():
        raise Http404
    organization = request.membership.organization
    label = ADAPTERS[network].label
    if request.POST.get("action") == "remove":
        services.network_app_delete(organization=organization, network=network, actor=request.user)
        messages.success(request, _("Removed your organization's %(network)s app credentials.") % {"network": label})
        return redirect("profiles:company_profiles")
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
    return redirect("profiles:company_profiles")


@membership_required()
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("app_password")
def profile_connect(request: HtmxHttpRequest, network: str) -> HttpResponse:
    return _connect(request, network, company=False)


@membership_required(Role.ADMIN, Role.COMMS)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("app_password")
def company_profile_connect(request: HtmxHttpRequest, network: str) -> HttpResponse:
    return _connect(request, network, company=True)


def _connect(request: HtmxHttpRequest, network: str, *, company: bool) -> HttpResponse:
    adapter = _adapter_or_404(network)
    kind = adapter.connect_kind
    if kind == ConnectKind.APP_PASSWORD:
        return _connect_app_password(request, adapter, company=company)
    if kind == ConnectKind.OAUTH_PER_INSTANCE:
        return _connect_instance(request, adapter, company=company)
    if kind == ConnectKind.SHARE_DIALOG:
        if request.method != "POST":
            return redirect(_back(company))
        profile = connect.profile_connect_share_dialog(membership=request.membership, network=network, company=company)
        message = _("%(network)s is ready: share through its share dialog; clicks are measured.")
        messages.success(request, message % {"network": adapter.label})
        return redirect(_back(profile.is_company))
    return _start_oauth(request, network, company=company)


def _connected(request: HtmxHttpRequest, profile: SocialProfile) -> HttpResponse:
    messages.success(
        request,
        _("Connected %(network)s profile %(handle)s.")
        % {"network": profile.get_network_display(), "handle": profile.handle or profile.display_name},
    )
    return redirect(_back(profile.is_company))


def _connect_page(
    request: HtmxHttpRequest, adapter: type[Adapter], form, *, company: bool, status: int
) -> HttpResponse:
    # A network may bring its own page (its own help text); the kind's page otherwise.
    template = select_template(
        [f"employees/profiles/connect_{adapter.name}.html", f"employees/profiles/connect_{adapter.connect_kind}.html"]
    )
    context = {"form": form, "company": company, "network": adapter.name, "label": adapter.label}
    return HttpResponse(template.render(context, request), status=status)


def _connect_app_password(request: HtmxHttpRequest, adapter: type[Adapter], *, company: bool) -> HttpResponse:
    if request.method == "POST":
        form = AppPasswordConnectForm(request.POST, adapter=adapter)
        if form.is_valid():
            try:
                profile = connect.profile_connect_app_password(
                    membership=request.membership,
                    network=adapter.name,
                    handle=form.cleaned_data["handle"],
                    app_password=form.cleaned_data["app_password"],
                    server=form.cleaned_data["pds_url"],
                    company=company,
                )
            except ProfileConnectError as error:
                form.add_error(None, error.message)
            else:
                return _connected(request, profile)
        return _connect_page(request, adapter, form, company=company, status=400)
    initial = {key: request.GET[key] for key in ("handle", "pds_url") if request.GET.get(key)}
    form = AppPasswordConnectForm(initial=initial, adapter=adapter)
    return _connect_page(request, adapter, form, company=company, status=200)


def _connect_instance(request: HtmxHttpRequest, adapter: type[Adapter], *, company: bool) -> HttpResponse:
    if request.method == "POST":
        form = InstanceConnectForm(request.POST, adapter=adapter)
        if form.is_valid():
            try:
                return _start_oauth(
                    request, adapter.name, company=company, instance_url=form.cleaned_data["instance_url"], raise_=True
                )
            except ProfileConnectError as error:
                form.add_error("instance_url", error.message)
        return _connect_page(request, adapter, form, company=company, status=400)
    form = InstanceConnectForm(initial={"instance_url": request.GET.get("instance_url", "")}, adapter=adapter)
    return _connect_page(request, adapter, form, company=company, status=200)


def _start_oauth(
    request: HtmxHttpRequest, network: str, *, company: bool, instance_url: str = "", raise_: bool = False
) -> HttpResponse:
    """Start a connection and send the browser to our own page that leads to the network.

    Never a redirect to the network from here: this answers a form, and a browser
    applies the policy's `form-action 'self'` to every redirect after a form (see
    CONTENT_SECURITY_POLICY in config/settings.py).
    """
    try:
        pending = connect.profile_authorize_start(
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
    return _see_other(reverse("profiles:profile_authorize", args=[pending.state]))


def _expired(request: HtmxHttpRequest) -> HttpResponse:
    messages.error(
        request,
        _(
            "This connection attempt has expired or was not started in this browser. "
            "Nothing was connected; please start again."
        ),
    )
    return redirect("profiles:my_profiles")


@membership_required()
@require_GET
def profile_authorize(request: HtmxHttpRequest, state: str) -> HttpResponse:
    """The page between our form and the network's authorize page: a link, followed by app.js."""
    pending = oauth.pending_get(request.session, state)
    if pending is None or pending.membership_id != request.membership.id or not pending.authorize_url:
        return _expired(request)
    adapter = _adapter_or_404(pending.network)
    context = {
        "label": adapter.label,
        "url": pending.authorize_url,
        "host": urlsplit(pending.authorize_url).netloc,
        "company": pending.company,
    }
    response = render(request, "employees/profiles/authorize.html", context)
    # The page carries the state of a live attempt.
    response["Cache-Control"] = "no-store"
    return response


@membership_required()
@require_GET
def profile_callback(request: HtmxHttpRequest, network: str) -> HttpResponse:
    adapter = _adapter_or_404(network)
    pending = oauth.pending_pop(request.session, request.GET.get("state", ""))
    if pending is None or pending.network != network or pending.membership_id != request.membership.id:
        return _expired(request)
    back = _back(pending.company)
    label = adapter.label
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
    if pending.company and get_adapter_class(network).company_page_choice:
        return linkedin_page_views.pages_found(request, pending, code)
    try:
        profile = connect.profile_authorize_finish(membership=request.membership, pending=pending, code=code)
    except ProfileConnectError as error:
        messages.error(request, error.message)
        return redirect(back)
    return _connected(request, profile)


def _profile_for(request: HtmxHttpRequest, profile_id: int) -> SocialProfile:
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
def profile_disconnect(request: HtmxHttpRequest, profile_id: int) -> HttpResponse:
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
def profile_reconnect(request: HtmxHttpRequest, profile_id: int) -> HttpResponse:
    profile = _profile_for(request, profile_id)
    company = profile.is_company
    adapter = profile.network_adapter
    connect_url = reverse(
        "profiles:company_profile_connect" if company else "profiles:profile_connect", args=[profile.network]
    )
    server = adapter.server_of(profile.extra or {})
    if adapter.connect_kind == ConnectKind.APP_PASSWORD:
        return redirect(f"{connect_url}?{_urlencode({'handle': profile.handle, 'pds_url': server})}")
    if adapter.connect_kind == ConnectKind.OAUTH_PER_INSTANCE:
        return _start_oauth(request, profile.network, company=company, instance_url=server)
    if adapter.connect_kind == ConnectKind.OAUTH:
        return _start_oauth(request, profile.network, company=company)
    return redirect(_back(company))


def _urlencode(query: dict[str, str]) -> str:
    return urlencode({key: value for key, value in query.items() if value})
