"""The SCIM endpoint, and the settings page where admins make its tokens."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from scim2_models import PayloadTooLargeException, UnauthorizedException
from scim2_server.applications.base import BaseApplication
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from employees.access import get_scoped_or_404, membership_required
from employees.models import Role
from employees.scim import selectors, tokens
from employees.scim.forms import ScimTokenForm
from employees.scim.models import ScimToken
from employees.scim.provider import scim_provider
from employees.scim.storage import OrganizationStorage

BASE_PATH = "/scim/v2"


def _application() -> BaseApplication:
    # The library's framework-free application: which requests need a token, the SCIM
    # error of any exception (a 500 without detail for a bug), the common headers.
    return BaseApplication(scim_provider(), ScimService(scim_provider()))


def _scim_request(request: HttpRequest, path: str) -> ScimRequest:
    return ScimRequest(
        method=request.method or "GET",
        base_url=request.build_absolute_uri(BASE_PATH),
        path=BaseApplication.split_path("/" + path),
        query={key: request.GET[key] for key in request.GET},
        headers=list(request.headers.items()),
    )


def _http_response(response: ScimResponse) -> HttpResponse:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    http = HttpResponse(body, status=response.status.value)
    for name, value in response.headers.items():
        http[name] = value
    return http


@csrf_exempt  # Bearer-token API: no cookie authenticates it, so no cross-site request can ride one.
def scim_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    application = _application()
    scim_request = _scim_request(request, path)
    try:
        try:
            scim_request.body = request.body
        except RequestDataTooBig:
            raise PayloadTooLargeException(
                detail=f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
            ) from None
        token = None
        if application.needs_auth(scim_request):
            token = tokens.scim_token_authenticate(header=request.headers.get("Authorization"))
            if token is None:
                raise UnauthorizedException(detail="Missing, unknown or revoked bearer token.")
        handler = ScimHandler(application.service, OrganizationStorage(token))
        response = handler.handle(scim_request)
    except Exception as exc:
        response = application.handle_exception(scim_request, exc)
    return _http_response(application.finalize_response(scim_request, response))


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scim_settings(request):
    organization = request.membership.organization
    form = ScimTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, plain = tokens.scim_token_create(
                    organization=organization, name=form.cleaned_data["name"], actor=request.user
                )
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                # Rendered, not redirected: the token is shown this once and stored nowhere.
                created = {"token": token, "plain": plain}
                form = ScimTokenForm()
        if form.errors:
            status = 400
    context = {
        "form": form,
        "created": created,
        "tokens": selectors.scim_tokens(organization=organization),
        "endpoint": settings.SITE_URL + BASE_PATH,
    }
    response = render(request, "scim/settings.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@membership_required(Role.ADMIN)
@require_POST
def scim_token_revoke(request, token_id: int):
    token = get_scoped_or_404(ScimToken.objects.all(), request.membership, pk=token_id)
    try:
        tokens.scim_token_revoke(token=token, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Token %(name)s revoked: requests with it are refused from now on.") % {"name": token.name}
        )
    return redirect("scim:settings")
