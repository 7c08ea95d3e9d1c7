"""The login page's email step, the start and end of a company sign-in, the settings page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from social_core.actions import do_auth, do_complete
from social_core.exceptions import SocialAuthBaseException
from social_django.utils import load_backend, load_strategy, psa

# social-auth-app-django's own login step (session expiry from the provider, the backend's path).
from social_django.views import _do_login as social_login

from employees.access import membership_required
from employees.models import Organization, Role
from employees.sso import selectors, services
from employees.sso.backends import LOGIN_HINT_SESSION_KEY, ORGANIZATION_SESSION_KEY
from employees.sso.errors import SSORefused, sso_refusal_from
from employees.sso.forms import EmailStepForm, IdentityProviderForm
from employees.sso.models import IdentityProvider

logger = logging.getLogger(__name__)


@require_POST
def sso_email(request):
    """The login page's first step: people of an SSO organization go to their provider."""
    form = EmailStepForm(request.POST)
    if not form.is_valid():
        return render(request, "account/login.html", {"email_form": form}, status=400)
    email = form.cleaned_data["email"]
    query = {"email": email}
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        query["next"] = next_url
    provider = selectors.provider_for_email(email=email)
    if provider is None:
        return redirect(reverse("account_login") + "?" + urlencode(query))
    # A page of our own with a plain link, not a redirect: the Content-Security-Policy's
    # form-action 'self' also covers redirects that answer a form POST, so Chromium
    # would block a redirect from this POST to the identity provider's host.
    begin = reverse("sso:begin", args=[provider.organization.slug]) + "?" + urlencode(query)
    password = reverse("account_login") + "?" + urlencode(query)
    context = {"provider": provider, "begin_url": begin, "password_url": password, "email": email}
    return render(request, "sso/continue.html", context)


@never_cache
@require_GET
def sso_begin(request, slug: str):
    """Start a company sign-in (reached by a link, so the redirect to the provider is allowed)."""
    organization = get_object_or_404(Organization, slug=slug)
    provider = selectors.provider_for_organization(organization=organization)
    if provider is None or not provider.is_enabled:
        raise Http404
    request.session[ORGANIZATION_SESSION_KEY] = organization.id
    email = request.GET.get("email", "")
    request.session[LOGIN_HINT_SESSION_KEY] = email[:254] if "@" in email else ""
    return _begin(request, provider.kind)


@psa("sso:complete")
def _begin(request, backend: str):
    try:
        return do_auth(request.backend)
    except (SSORefused, SocialAuthBaseException) as exc:
        return _refused(request, exc)


@never_cache
@csrf_exempt
@psa("sso:complete")
def sso_complete(request, backend: str):
    """The provider's answer. One transaction: a refused sign-in leaves nothing behind."""
    try:
        with transaction.atomic():
            # Always a login, never "connect this identity to whoever is logged in":
            # the identity provider's answer alone decides who this is.
            return do_complete(request.backend, social_login, user=None, redirect_name=REDIRECT_FIELD_NAME)
    except (SSORefused, SocialAuthBaseException) as exc:
        return _refused(request, exc)


def _refused(request, exc: SSORefused | SocialAuthBaseException) -> HttpResponse:
    if isinstance(exc, SocialAuthBaseException):
        # The library's reason, for whoever runs the platform; the person sees what to do.
        logger.warning(
            "single sign-on refused: %s code=%s stage=%s: %s",
            type(exc).__name__,
            exc.code,
            exc.stage,
            " ".join((exc.detail or str(exc)).split())[:300],
        )
        exc = sso_refusal_from(exc)
    else:
        logger.info("single sign-on refused: %s", exc.message)
    return render(request, "sso/refused.html", {"message": exc.message}, status=exc.status)


@require_GET
def sso_saml_metadata(request, slug: str):
    """The service provider metadata to give the organization's SAML identity provider."""
    provider = get_object_or_404(IdentityProvider, organization__slug=slug, kind=IdentityProvider.Kind.SAML)
    strategy = load_strategy(request)
    backend = load_backend(strategy, "saml", redirect_uri=reverse("sso:complete", args=["saml"]))
    backend.use_provider(provider)
    metadata, errors = backend.generate_metadata_xml()
    if errors:
        return HttpResponse(", ".join(errors), status=500, content_type="text/plain")
    return HttpResponse(metadata, content_type="application/samlmetadata+xml")


@membership_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def sso_settings(request):
    organization = request.membership.organization
    provider = selectors.provider_for_organization(organization=organization) or IdentityProvider(
        organization=organization
    )
    form = IdentityProviderForm(
        request.POST or None, instance=provider, domains=selectors.domain_list(organization=organization)
    )
    if request.method == "POST" and form.is_valid():
        provider = form.instance
        try:
            if provider.kind == IdentityProvider.Kind.SAML and {"saml_metadata_url", "saml_metadata_xml", "kind"} & set(
                form.changed_data
            ):
                services.saml_metadata_load(provider=provider)
        except services.SamlMetadataInvalid as exc:
            form.add_error("saml_metadata_url" if provider.saml_metadata_url else "saml_metadata_xml", str(exc))
        else:
            services.identity_provider_save(
                provider=provider, domains=form.cleaned_data["domains"], actor=request.user, changed=form.changed_data
            )
            messages.success(request, _("Single sign-on settings saved."))
            return redirect("sso:settings")
    context = {
        "form": form,
        "provider": provider,
        "redirect_uri": settings.SITE_URL + reverse("sso:complete", args=["oidc"]),
        "acs_url": settings.SITE_URL + reverse("sso:complete", args=["saml"]),
        "metadata_url": settings.SITE_URL + reverse("sso:saml_metadata", args=[organization.slug]),
    }
    return render(request, "sso/settings.html", context, status=400 if form.errors else 200)
