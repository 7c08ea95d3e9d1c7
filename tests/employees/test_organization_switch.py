"""People in several organizations switch between them in the header."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory


@pytest.fixture
def alice_in_two(cast):
    return MembershipFactory(organization=cast.other_org, user=cast.alice.user, is_employee=True)


def test_one_organization_shows_no_switcher(cast, login):
    response = login(cast.emma).get(reverse("advocacy:feed"))
    assert b'name="organization"' not in response.content
    assert b"Acme" in response.content


def test_the_header_offers_every_organization_of_the_person(cast, login, alice_in_two):
    response = login(cast.alice).get(reverse("employees:people"))
    content = response.content.decode()
    assert 'action="/organization/switch/"' in content
    assert f'value="{cast.org.id}" selected' in content
    assert f'value="{cast.other_org.id}"' in content


def test_switching_changes_the_organization_the_pages_show(cast, login, alice_in_two):
    client = login(cast.alice)
    response = client.post(reverse("employees:organization_switch"), {"organization": cast.other_org.id})
    assert response.status_code == 302
    assert client.get(reverse("advocacy:home")).wsgi_request.membership.organization == cast.other_org
    page = client.get(reverse("analytics:my_impact"))
    assert page.wsgi_request.membership == alice_in_two
    assert f'value="{cast.other_org.id}" selected' in page.content.decode()


def test_nobody_switches_into_an_organization_they_do_not_belong_to(cast, login):
    client = login(cast.emma)
    response = client.post(reverse("employees:organization_switch"), {"organization": cast.other_org.id})
    assert response.status_code == 404
    assert client.get(reverse("advocacy:feed")).wsgi_request.membership == cast.emma


def test_a_deactivated_membership_cannot_be_switched_to(cast, login, alice_in_two):
    alice_in_two.is_active = False
    alice_in_two.save()
    response = login(cast.alice).post(reverse("employees:organization_switch"), {"organization": cast.other_org.id})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "99999999999999999999999"])
def test_a_malformed_choice_is_a_404_not_an_error(cast, login, value):
    assert login(cast.alice).post(reverse("employees:organization_switch"), {"organization": value}).status_code == 404


def test_switching_needs_a_post_and_a_login(cast, client, login):
    anonymous = client.post(reverse("employees:organization_switch"), {"organization": cast.org.id})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("employees:organization_switch")).status_code == 302
    assert login(cast.emma).get(reverse("employees:organization_switch")).status_code == 405


def test_the_switcher_costs_no_query_of_its_own(cast, login, alice_in_two):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.alice)
    client.get(reverse("employees:people"))
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("employees:people"))
    assert f'value="{cast.other_org.id}"' in response.content.decode()
    memberships = [query["sql"] for query in context.captured_queries if 'FROM "employees_membership"' in query["sql"]]
    reads_of_own = [sql for sql in memberships if f'"user_id" = {cast.alice.user_id}' in sql]
    assert len(reads_of_own) == 1
