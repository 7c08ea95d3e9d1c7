"""The container's own probe reaches /healthz; nothing else skips host validation or https."""

from __future__ import annotations

import pytest
from django.test import override_settings

PUBLIC_ONLY = {"ALLOWED_HOSTS": ["advocacy.example.com"], "SECURE_SSL_REDIRECT": True}


@pytest.fixture
def production_host_rules():
    with override_settings(**PUBLIC_ONLY):
        yield


@pytest.mark.django_db
def test_the_probe_is_answered_for_the_containers_own_address_over_plain_http(client, production_host_rules):
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_head_request_to_the_probe_is_answered_too(client, production_host_rules):
    assert client.head("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/healthz/", "/healthzx", "/health/", "/account/login/", "/admin/"])
def test_every_other_path_still_refuses_a_host_that_is_not_allowed(client, production_host_rules, path):
    assert client.get(path, HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_a_post_to_the_probe_path_goes_through_host_validation(client, production_host_rules):
    assert client.post("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_other_paths_on_the_public_host_are_still_redirected_to_https(client, production_host_rules):
    response = client.get("/account/login/", HTTP_HOST="advocacy.example.com")
    assert response.status_code == 301
    assert response["Location"].startswith("https://advocacy.example.com/")
