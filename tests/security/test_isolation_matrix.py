"""Nobody outside Acme reaches Acme's rows, through any URL the platform has.

Every pattern comes from the resolver, every path parameter is filled with an object
of Acme's (see world.py), and each request is made as members of another
organization with different roles. Each request runs in a savepoint that is rolled
back, after a look at whether any row of Acme's changed.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.security.world import (
    ACME_MARKERS,
    ALLAUTH_PARAMETERS,
    PUBLIC,
    SKIPPED_PREFIXES,
    acme_post_body,
    acme_query,
    all_routes,
    changes,
    platform_routes,
    snapshot,
    tenant_lookups,
    value_for,
)

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _shows_acme(response) -> list[str]:
    streamed = getattr(response, "streaming", False)
    content = b"".join(response.streaming_content) if streamed else response.content
    text = content.decode("utf-8", "replace")
    return [marker for marker in ACME_MARKERS if marker in text]


def _request(client, method: str, url: str, body: dict, organization, query: dict | None = None):
    """The response, and Acme's rows as the request left them (then rolled back).

    A request that wrote nothing changed nothing: the rows are read again only after
    one that did, which keeps the matrix fast.
    """
    client.raise_request_exception = False  # a server error is a finding to list, not a crash
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.post(url, body) if method == "post" else client.get(url, query or {})
        wrote = any(query["sql"].lstrip().upper().startswith(WRITES) for query in queries.captured_queries)
        after = snapshot(organization) if wrote else None
        transaction.set_rollback(True)
    return response, after


def test_every_path_parameter_has_a_value(world):
    for route in platform_routes():
        for name in route.parameters:
            assert value_for(name, world), (route.name, name)


def test_the_lists_of_exceptions_name_patterns_that_exist():
    routes = all_routes()
    assert set(PUBLIC) <= {route.name for route in routes}
    for prefix in SKIPPED_PREFIXES:
        assert any(route.route.startswith(prefix) for route in routes), prefix


def test_every_model_is_tenant_data_or_says_why_not(db):
    lookups = tenant_lookups()
    assert {"content.post", "advocacy.share", "employees.socialprofile", "employees.user"} <= lookups.keys()


def test_an_outsider_gets_404_or_403_for_every_object_of_acme(world, outsider, login):
    client = login(outsider)
    body = acme_post_body(world)
    before = snapshot(world.org)
    failures = []
    checked = 0
    for route in platform_routes():
        if route.public_because or not route.names_a_row:
            continue
        for method in ("get", "post"):
            missing, _rows = _request(client, method, route.missing_url(), body, world.org)
            for _kwargs, url in route.urls(world):
                response, after = _request(client, method, url, body, world.org, acme_query(world))
                checked += 1
                if shown := _shows_acme(response):
                    failures.append(f"{method.upper()} {url} ({route.name}) shows Acme's {shown}")
                # 405: the view takes the other method and says so before any lookup, so
                # nothing about the object (a missing one must get the same, below).
                allowed = {403, 404, 405}
                if response.status_code not in allowed:
                    failures.append(f"{method.upper()} {url} ({route.name}): {response.status_code}")
                elif response.status_code != missing.status_code:
                    failures.append(
                        f"{method.upper()} {url} ({route.name}): {response.status_code}, but "
                        f"{missing.status_code} for an object that does not exist"
                    )
                if after is not None and (changed := changes(before, after)):
                    failures.append(f"{method.upper()} {url} ({route.name}) changed Acme's rows: {changed}")
    assert checked > 40
    assert not failures, "\n".join(failures)


def test_an_outsider_changes_nothing_of_acme_through_their_own_pages(world, outsider, login):
    """Pages that name no row act on the outsider's own organization; a query and a
    body full of Acme's ids must not make them show or act on Acme's."""
    client = login(outsider)
    body = acme_post_body(world)
    before = snapshot(world.org)
    failures = []
    for route in platform_routes():
        if route.public_because or route.names_a_row:
            continue
        for _kwargs, url in route.urls(world):
            for method in ("get", "post"):
                response, after = _request(client, method, url, body, world.org, acme_query(world))
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
                if shown := _shows_acme(response):
                    failures.append(f"{method.upper()} {url} ({route.name}) shows Acme's {shown}")
                if after is not None and (changed := changes(before, after)):
                    failures.append(f"{method.upper()} {url} ({route.name}) changed Acme's rows: {changed}")
    assert not failures, "\n".join(failures)


def test_an_insider_does_reach_the_objects_the_matrix_uses(world, login):
    """The control: were the objects wrong, every outsider would get 404 for nothing."""
    client = login(world.ada)
    body = acme_post_body(world)
    unreachable = []
    for route in platform_routes():
        if not route.names_a_row or route.public_because:
            continue
        statuses = []
        for _kwargs, url in route.urls(world):
            response, _after = _request(client, "get", url, body, world.org)
            if response.status_code == 405:
                response, _after = _request(client, "post", url, body, world.org)
            statuses.append(response.status_code)
        if all(status == 404 for status in statuses):
            unreachable.append(route.name)
    assert not unreachable


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_meets_no_server_error_and_only_the_login_page(world, client, method):
    login_url = reverse(settings.LOGIN_URL)
    failures = []
    for route in all_routes():
        if route.route.startswith("admin/"):
            continue
        if route.skipped_because:
            kwargs = {name: ALLAUTH_PARAMETERS[name] for name in route.parameters}
            urls = [reverse(route.name, kwargs=kwargs)]
        else:
            urls = [url for _kwargs, url in route.urls(world)]
        for url in urls:
            client.raise_request_exception = False
            response = client.post(url, {}) if method == "post" else client.get(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
            elif not (route.skipped_because or route.public_because) and not (
                response.status_code == 302 and response.url.startswith(login_url)
            ):
                failures.append(f"{method.upper()} {url} ({route.name}): {response.status_code}, not the login page")
    assert not failures, "\n".join(failures)


def test_an_id_beyond_any_integer_column_is_simply_not_found(world, login):
    client = login(world.ada)
    client.raise_request_exception = False
    huge = int("9" * 30)
    failures = []
    for route in platform_routes():
        ids = [name for name in route.parameters if name.endswith("_id")]
        if not ids:
            continue
        kwargs = {name: huge if name in ids else value_for(name, world)[0] for name in route.parameters}
        for method in ("get", "post"):
            url = reverse(route.name, kwargs=kwargs)
            response = client.post(url) if method == "post" else client.get(url)
            if response.status_code not in (404, 405):
                failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
