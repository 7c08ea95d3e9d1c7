"""Shared people, like healthchecks' alice/bob/charlie.

``acme`` is the organization under test with one person per role; ``olga`` belongs to
another organization with every role, and must never see anything of acme's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from config.celery import app as celery_app
from tests.factories import MembershipFactory, OrganizationFactory, TeamFactory


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing(django_test_environment):
    # Real hashing is deliberately slow; the tests create many users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    # Unit tests run tasks in-process; tests marked `worker` use a real worker instead.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@dataclass
class Cast:
    org: object
    sales: object
    nordics: object
    marketing: object
    alice: object  # admin
    carol: object  # comms
    mike: object  # manager of Sales (and so of Nordics below it)
    emma: object  # employee in Nordics
    other_org: object
    olga: object  # every role, in the other organization


@pytest.fixture
def cast(db) -> Cast:
    org = OrganizationFactory(name="Acme", slug="acme")
    sales = TeamFactory(organization=org, name="Sales")
    nordics = TeamFactory(organization=org, name="Nordics", parent=sales)
    marketing = TeamFactory(organization=org, name="Marketing")
    other_org = OrganizationFactory(name="Other Inc", slug="other")
    return Cast(
        org=org,
        sales=sales,
        nordics=nordics,
        marketing=marketing,
        alice=MembershipFactory(organization=org, user__email="alice@acme.test", is_admin=True, is_employee=False),
        carol=MembershipFactory(organization=org, user__email="carol@acme.test", is_comms=True, teams=[marketing]),
        mike=MembershipFactory(organization=org, user__email="mike@acme.test", is_manager=True, teams=[sales]),
        emma=MembershipFactory(organization=org, user__email="emma@acme.test", teams=[nordics]),
        other_org=other_org,
        olga=MembershipFactory(
            organization=other_org,
            user__email="olga@other.test",
            is_admin=True,
            is_comms=True,
            is_manager=True,
        ),
    )


@pytest.fixture
def login(client):
    def _login(membership):
        client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture(autouse=True)
def _empty_cache():
    # Login rate limits live in the cache; each test starts with a clean slate.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _loopback_networks_allowed(request):
    """The local Bluesky network listens on loopback, which the egress guard refuses unless
    private hosts are allowed: tests that use it allow them (and so do their workers)."""
    if not {"bluesky_network", "local_network"} & set(request.fixturenames):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = True
    yield


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a directory of the test's own, through the default storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
