from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from employees import selectors
from employees.locale import organization_language

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

# Paths an admin may visit before setting up the two-factor authentication their
# organization requires: the set-up itself, logging out, and static files.
_MFA_EXEMPT_PREFIXES = ("/account/", "/static/", "/i18n/")


class MembershipMiddleware:
    """Attach ``request.membership``, apply the organization's language, time zone and MFA rule."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = selectors.membership_get_for_request(request) if request.user.is_authenticated else None
        request.membership = membership
        if membership is None:
            return self.get_response(request)
        # The person's chosen language, else the organization's; English writes dates and
        # numbers the organization's way (employees/locale.py), as its emails do.
        chosen = translation.get_language() if settings.LANGUAGE_COOKIE_NAME in request.COOKIES else None
        language = organization_language(membership.organization, chosen)
        if language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        if self._must_set_up_mfa(request, membership):
            return redirect(reverse("mfa_activate_totp"))
        # Times are typed and shown on the organization's wall clock.
        timezone.activate(ZoneInfo(membership.organization.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _must_set_up_mfa(request: HttpRequest, membership) -> bool:
        if not (membership.is_admin and membership.organization.require_mfa_for_admins):
            return False
        if request.path.startswith(_MFA_EXEMPT_PREFIXES):
            return False
        return not selectors.user_has_mfa(request.user)
