"""The SCIM endpoint, and the settings page where admins make its tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from employees.access import get_scoped_or_404, membership_required
from employees.models import Role
from employees.scim import BASE_PATH, selectors, tokens
from employees.scim.forms import ScimTokenForm
from employees.scim.models import ScimToken


@csrf_exempt  # Bearer-token API: no cookie authenticates it, so no cross-site request can ride one.
def scim_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    from employees.scim.endpoint import scim_response

    return scim_response(request, path)


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
