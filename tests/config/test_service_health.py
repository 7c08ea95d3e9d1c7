"""/health/: the database, the cache, the broker, a worker's answer and file storage."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.worker import running_worker


def checks_by_name(response) -> dict[str, str]:
    return {name.split("(")[0]: outcome for name, outcome in response.json().items()}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_every_service_is_checked_and_healthy_with_a_worker_running(client):
    with running_worker():
        response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    results = checks_by_name(response)
    expected = {"Database", "Cache", "Storage", "Ping"} | ({"Redis"} if settings.REDIS_URL else set())
    assert set(results) == expected
    assert set(results.values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_health_page_says_so_and_answers_503(client):
    response = client.get("/health/?format=json")
    assert response.status_code == 503
    results = checks_by_name(response)
    assert results["Ping"] != "OK"
    assert results["Database"] == "OK"


@pytest.mark.django_db
def test_the_storage_check_leaves_no_file_behind(client):
    media = settings.MEDIA_ROOT
    before = set(media.rglob("*")) if media.exists() else set()
    client.get("/health/?format=json")
    after = {path for path in media.rglob("*") if path.is_file()} if media.exists() else set()
    assert {path for path in after if path not in before} == set()


@pytest.mark.django_db(transaction=True)
def test_a_person_reading_the_health_page_gets_a_page(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 503  # no worker answers in this test
    assert response["Content-Type"].startswith("text/html")
    assert b"Database" in response.content
