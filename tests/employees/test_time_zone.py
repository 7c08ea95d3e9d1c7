"""Times are typed and shown on the organization's wall clock, not the server's."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from employees.middleware import MembershipMiddleware


def _seen_time_zone(monkeypatch, user, membership) -> tuple[str, str]:
    """The time zone active while the view ran, and the one active after the response."""
    monkeypatch.setattr("employees.middleware.selectors.membership_get_for_request", lambda request: membership)
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    middleware = MembershipMiddleware(view)
    request = RequestFactory().get("/feed/")
    request.user = user
    middleware(request)
    return seen[0], timezone.get_current_timezone_name()


def test_a_member_works_in_the_organization_time_zone(cast, monkeypatch):
    cast.org.timezone = "Europe/Copenhagen"
    cast.org.save(update_fields=["timezone"])
    cast.emma.refresh_from_db()
    during, after = _seen_time_zone(monkeypatch, cast.emma.user, cast.emma)
    assert during == "Europe/Copenhagen"
    # Not carried over to the next request served by this thread.
    assert after == timezone.get_default_timezone_name()


def test_an_outsider_keeps_the_default_time_zone(cast, monkeypatch):
    during, _after = _seen_time_zone(monkeypatch, cast.olga.user, None)
    assert during == timezone.get_default_timezone_name()
