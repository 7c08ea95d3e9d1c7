"""Every page without parameters answers each role with something other than a server error."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse


def _named_urls_without_parameters(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _named_urls_without_parameters(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groupindex:
            try:
                yield reverse(pattern.name)
            except Exception:  # noqa: S112 - patterns with unnamed groups are not for this crawl
                continue


@pytest.mark.parametrize("person", ["alice", "carol", "mike", "emma", "olga"])
def test_no_page_answers_with_a_server_error(cast, login, person):
    client = login(getattr(cast, person))
    # /health/ answers 503 on purpose while a service is down, and no worker runs here.
    urls = sorted(set(_named_urls_without_parameters()) - {reverse("account_logout"), reverse("health")})
    assert len(urls) > 20
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
