"""Each role sees only its pages; an outsider gets 404 on every tenant URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from employees.models import Invitation
from employees.services import invitation_create

ROLE_PAGES = {
    "advocacy:feed": {"emma", "carol", "mike"},
    "analytics:my_impact": {"alice", "carol", "mike", "emma"},
    "content:library": {"carol"},
    "analytics:dashboard": {"alice", "carol", "mike"},
    "employees:people": {"alice"},
    "employees:people_import": {"alice"},
    "employees:teams": {"alice"},
    "employees:organization_settings": {"alice"},
}


@pytest.mark.parametrize("url_name", sorted(ROLE_PAGES))
@pytest.mark.parametrize("person", ["alice", "carol", "mike", "emma"])
def test_each_role_sees_only_its_pages(cast, login, url_name, person):
    client = login(getattr(cast, person))
    response = client.get(reverse(url_name))
    expected = 200 if person in ROLE_PAGES[url_name] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", sorted(ROLE_PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_home_sends_each_role_to_its_start_page(cast, login):
    assert login(cast.carol).get("/").url == reverse("content:library")
    assert login(cast.mike).get("/").url == reverse("analytics:dashboard")
    assert login(cast.emma).get("/").url == reverse("advocacy:feed")
    assert login(cast.alice).get("/").url == reverse("employees:people")


def test_navigation_shows_only_the_pages_of_the_role(cast, login):
    page = login(cast.emma).get(reverse("advocacy:feed")).content.decode()
    assert f'href="{reverse("advocacy:feed")}"' in page
    assert f'href="{reverse("employees:people")}"' not in page
    assert f'href="{reverse("content:library")}"' not in page


def test_a_user_without_organization_is_told_so(db, client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("advocacy:feed"))
    assert response.status_code == 403
    assert b"not part of an organization" in response.content


def _tenant_urls(cast):
    invitation = invitation_create(organization=cast.org, email="new@acme.test", invited_by=cast.alice.user)
    return [
        ("get", reverse("employees:member_edit", args=[cast.emma.id])),
        ("post", reverse("employees:member_edit", args=[cast.emma.id])),
        ("post", reverse("employees:member_deactivate", args=[cast.emma.id])),
        ("post", reverse("employees:member_reactivate", args=[cast.emma.id])),
        ("post", reverse("employees:invitation_resend", args=[invitation.id])),
        ("post", reverse("employees:invitation_revoke", args=[invitation.id])),
        ("get", reverse("employees:team_detail", args=[cast.sales.id])),
    ]


def test_an_outsider_gets_404_on_every_tenant_url(cast, login):
    client = login(cast.olga)
    for method, url in _tenant_urls(cast):
        response = getattr(client, method)(url, {"roles": ["admin"]})
        assert response.status_code == 404, (method, url, response.status_code)
    cast.emma.refresh_from_db()
    assert cast.emma.is_active
    assert not cast.emma.is_admin
    assert Invitation.objects.get(email="new@acme.test").status == Invitation.Status.PENDING


def test_people_page_lists_only_the_own_organization(cast, login):
    page = login(cast.alice).get(reverse("employees:people")).content.decode()
    assert "emma@acme.test" in page
    assert "olga@other.test" not in page
