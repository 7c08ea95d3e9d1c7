"""The reconnect banner reads a flag first: a query only when there is something to show."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employees.models import Membership, Organization, SocialProfile
from employees.profiles import services
from tests.factories import SocialProfileFactory

NEEDS = SocialProfile.State.NEEDS_RECONNECT


def _flags(cast):
    return (
        Membership.objects.get(pk=cast.emma.pk).needs_reconnect,
        Organization.objects.get(pk=cast.org.pk).company_needs_reconnect,
    )


def _banner_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("analytics:my_impact"))
    statements = [query["sql"] for query in context.captured_queries]
    banner = [sql for sql in statements if "\"state\" = 'needs_reconnect'" in sql]
    return response.content.decode(), len(banner)


def test_the_flag_follows_the_profile_through_break_reconnect_and_disconnect(cast):
    profile = SocialProfileFactory(owner_membership=cast.emma)
    assert _flags(cast) == (False, False)

    assert services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")
    assert _flags(cast) == (True, False)

    profile.refresh_from_db()
    profile.state = SocialProfile.State.ACTIVE
    profile.save()
    assert _flags(cast) == (False, False)

    services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")
    services.profile_disconnect(profile=profile)
    assert _flags(cast) == (False, False)


def test_one_broken_profile_of_two_keeps_the_flag_until_both_are_fine(cast):
    first = SocialProfileFactory(owner_membership=cast.emma, state=NEEDS)
    second = SocialProfileFactory(owner_membership=cast.emma, state=NEEDS)
    first.state = SocialProfile.State.ACTIVE
    first.save()
    assert _flags(cast) == (True, False)
    second.delete()
    assert _flags(cast) == (False, False)


def test_a_company_profile_raises_the_organizations_flag(cast):
    profile = SocialProfileFactory(organization=cast.org, owner_membership=None)
    services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")
    assert _flags(cast) == (False, True)


def test_pages_pay_no_banner_query_while_nothing_needs_reconnecting(cast, login):
    SocialProfileFactory(owner_membership=cast.emma)
    client = login(cast.emma)
    html, queries = _banner_queries(client)
    assert queries == 0
    assert "needs reconnecting" not in html


def test_the_banner_shows_once_the_flag_is_up(cast, login):
    profile = SocialProfileFactory(owner_membership=cast.emma, handle="@emma@social.example")
    services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")
    html, queries = _banner_queries(login(cast.emma))
    assert queries == 1
    assert "@emma@social.example" in html
    assert "needs reconnecting" in html


def test_a_broken_company_profile_shows_to_comms_and_not_to_employees(cast, login, client):
    profile = SocialProfileFactory(organization=cast.org, owner_membership=None, handle="@acme@social.example")
    services.profile_mark_needs_reconnect(profile_id=profile.id, reason="revoked")
    html, _queries = _banner_queries(login(cast.carol))
    assert "@acme@social.example" in html
    client.logout()
    html, queries = _banner_queries(login(cast.emma))
    assert queries == 0
    assert "@acme@social.example" not in html
