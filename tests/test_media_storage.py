"""Media storage from the environment: the local disk, or an S3-compatible store.

The S3 store is moto's server on a loopback port, spoken to over real HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.storage import media_storage
from content.models import Post, PostImage
from tests import images
from tests.s3 import closed_port_endpoint, s3_server, s3_storage, use_s3_storage  # noqa: F401


def _clean_env(monkeypatch):
    for name in (
        "MEDIA_STORAGE_URL",
        "MEDIA_STORAGE_URL_FILE",
        "MEDIA_STORAGE_ACCESS_KEY_ID",
        "MEDIA_STORAGE_SECRET_ACCESS_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


def test_without_a_storage_url_media_goes_to_the_local_disk(monkeypatch):
    _clean_env(monkeypatch)
    storage, origin = media_storage()
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert origin is None


def test_an_s3_url_configures_the_bucket_endpoint_and_credentials_from_files(monkeypatch, tmp_path):
    _clean_env(monkeypatch)
    secret = tmp_path / "secret"
    secret.write_text("from-a-docker-secret\n")
    monkeypatch.setenv(
        "MEDIA_STORAGE_URL", "s3://acme-media/chorus?endpoint_url=http://minio:9000&region_name=eu-north-1"
    )
    monkeypatch.setenv("MEDIA_STORAGE_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("MEDIA_STORAGE_SECRET_ACCESS_KEY_FILE", str(secret))

    storage, origin = media_storage()

    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["location"]) == ("acme-media", "chorus")
    assert (options["endpoint_url"], options["region_name"]) == ("http://minio:9000", "eu-north-1")
    assert (options["access_key"], options["secret_key"]) == ("AKIDEXAMPLE", "from-a-docker-secret")
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert origin == "http://minio:9000"  # pages may load images from a plain-http store


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is set but empty"),
        ("   ", "is set but empty"),
        ("ftp://media", "must start with s3:// "),
        ("s3://", "not a valid S3 bucket name"),
        ("s3://Media_Bucket", "not a valid S3 bucket name"),
        ("s3://key:secret@media-bucket", "must not carry credentials"),
        ("s3://media-bucket?colour=blue", "unknown option 'colour'"),
        ("s3://media-bucket?endpoint_url=minio:9000", "endpoint_url that is not an http(s) address"),
        ("s3://media-bucket?addressing_style=sideways", "addressing_style other than"),
        ("file://relative/path", "absolute directory"),
    ],
)
def test_a_malformed_storage_url_stops_start_up_naming_the_variable(monkeypatch, value, message):
    _clean_env(monkeypatch)
    monkeypatch.setenv("MEDIA_STORAGE_URL", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        media_storage()
    assert str(caught.value).startswith("MEDIA_STORAGE_URL ")
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


def test_a_missing_storage_url_file_stops_start_up_naming_the_variable(monkeypatch, tmp_path):
    _clean_env(monkeypatch)
    monkeypatch.setenv("MEDIA_STORAGE_URL_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL_FILE="):
        media_storage()


def test_half_the_credentials_stop_start_up(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.setenv("MEDIA_STORAGE_URL", "s3://media-bucket")
    monkeypatch.setenv("MEDIA_STORAGE_ACCESS_KEY_ID", "AKIDEXAMPLE")
    with pytest.raises(ImproperlyConfigured, match="must be set together"):
        media_storage()


def _editor_form(**extra):
    return {
        "title": "Team day",
        "body": "",
        "link_url": "",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "action": "save",
        "image_places": "1",
        **extra,
    }


def test_a_posts_image_is_stored_in_the_bucket_and_read_back_through_the_storage(cast, login, s3_storage):  # noqa: F811
    photo = images.jpeg_with_location((320, 240))
    response = login(cast.carol).post(
        reverse("content:post_create"), _editor_form(image_1=SimpleUploadedFile("roof.jpg", photo), alt_1="The roof")
    )
    assert response.status_code == 302

    image = PostImage.objects.get()
    assert s3_storage.object_keys() == sorted([image.image.name, image.thumbnail.name])
    assert s3_storage.read(image.image.name) == photo
    with default_storage.open(image.image.name, "rb") as stored:
        assert stored.read() == photo
    # Pages link a signed address on the store itself.
    assert image.thumbnail.url.startswith(f"{s3_storage.endpoint}/chorus-media/{s3_storage.prefix}/")


def test_a_store_that_is_down_while_a_post_is_saved_keeps_nothing_and_says_so(
    cast,
    login,
    settings,
    monkeypatch,
    s3_server,  # noqa: F811
):
    use_s3_storage(settings, monkeypatch, s3_server.url(closed_port_endpoint()))
    response = login(cast.carol).post(
        reverse("content:post_create"),
        _editor_form(image_1=SimpleUploadedFile("roof.png", images.png()), alt_1="The roof"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "the media store is not answering, so nothing was saved" in page
    assert "Team day" in page  # what was typed is still in the form
    assert not Post.objects.exists()
    assert not PostImage.objects.exists()


def test_a_store_that_is_down_while_a_post_is_edited_leaves_the_post_as_it_was(
    cast,
    login,
    settings,
    monkeypatch,
    s3_server,  # noqa: F811
):
    use_s3_storage(settings, monkeypatch, s3_server.url())
    login(cast.carol).post(
        reverse("content:post_create"), _editor_form(image_1=SimpleUploadedFile("a.png", images.png()), alt_1="First")
    )
    post = Post.objects.get()
    use_s3_storage(settings, monkeypatch, s3_server.url(closed_port_endpoint()))

    response = login(cast.carol).post(
        reverse("content:post_edit", args=[post.id]),
        _editor_form(title="Renamed", alt_1="First", image_2=SimpleUploadedFile("b.png", images.png()), alt_2="Second"),
    )

    assert response.status_code == 400
    post.refresh_from_db()
    assert post.title == "Team day"
    assert [image.alt_text for image in post.images.all()] == ["First"]


def _manage_check(**env: str):
    base = {key: value for key, value in os.environ.items() if not key.startswith("MEDIA_STORAGE_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_platform_does_not_start_with_a_malformed_storage_url():
    result = _manage_check(MEDIA_STORAGE_URL="s3://Not A Bucket")
    assert result.returncode != 0
    assert "ImproperlyConfigured: MEDIA_STORAGE_URL names the bucket" in result.stderr


def test_the_platform_starts_with_an_s3_store(s3_server):  # noqa: F811
    result = _manage_check(
        MEDIA_STORAGE_URL=s3_server.url(),
        MEDIA_STORAGE_ACCESS_KEY_ID="key",
        MEDIA_STORAGE_SECRET_ACCESS_KEY="secret",
    )
    assert result.returncode == 0, result.stderr
