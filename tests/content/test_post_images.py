"""The editor's images: up to four, each with its description, checked before anything is saved."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.models import ComplianceSettings, Post, PostImage
from tests import images
from tests.factories import PostFactory

pytestmark = pytest.mark.usefixtures("media_root")


def _form(**overrides):
    data = {
        "title": "Team day in Aarhus",
        "body": "",
        "link_url": "",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "action": "save",
        "image_places": "1",
    }
    data.update(overrides)
    return data


def _file(data: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_comms_add_four_images_each_with_its_description(cast, login):
    data = _form()
    for number in range(1, 5):
        data[f"image_{number}"] = _file(images.png(colour=("red", "green", "blue", "navy")[number - 1]))
        data[f"alt_{number}"] = f"Picture {number}"
    response = login(cast.carol).post(reverse("content:post_create"), data)
    assert response.status_code == 302
    post = Post.objects.get()
    assert [(i.position, i.alt_text) for i in post.images.all()] == [(n - 1, f"Picture {n}") for n in range(1, 5)]

    page = login(cast.carol).get(reverse("content:post_edit", args=[post.id])).content.decode()
    for image in post.images.all():
        assert f'src="{image.thumbnail.url}" alt="{image.alt_text}"' in page


def test_a_missing_description_is_explained_and_nothing_is_saved(cast, login):
    response = login(cast.carol).post(
        reverse("content:post_create"),
        _form(image_1=_file(images.png()), alt_1="ok", image_2=_file(images.png()), alt_2=" "),
    )
    assert response.status_code == 400
    assert "Image 2 needs a description (alt text)" in response.content.decode()
    assert not Post.objects.exists()
    assert not PostImage.objects.exists()


def test_a_full_media_disk_is_explained_nothing_is_saved_and_saving_works_once_there_is_room(cast, login, monkeypatch):
    # What the local disk raises when it has no room left (`make chaos CHAOS_ARGS=disk-full`
    # fills a real one).
    def no_room(storage, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)

    monkeypatch.setattr(FileSystemStorage, "_save", no_room)
    full = login(cast.carol).post(reverse("content:post_create"), _form(image_1=_file(images.png()), alt_1="The roof"))

    assert full.status_code == 400
    page = full.content.decode()
    assert "the media store is full, so nothing was saved" in page
    assert "Team day in Aarhus" in page  # what was typed is still in the form
    assert not Post.objects.exists()
    assert not PostImage.objects.exists()

    monkeypatch.undo()
    again = login(cast.carol).post(reverse("content:post_create"), _form(image_1=_file(images.png()), alt_1="The roof"))

    assert again.status_code == 302
    assert PostImage.objects.get().alt_text == "The roof"


def test_an_organization_can_make_descriptions_optional(cast, login):
    ComplianceSettings.objects.create(organization=cast.org, alt_text_required=False)
    response = login(cast.carol).post(reverse("content:post_create"), _form(image_1=_file(images.png())))
    assert response.status_code == 302
    assert PostImage.objects.get().alt_text == ""


def test_the_compliance_page_turns_required_descriptions_off(cast, login):
    response = login(cast.alice).post(
        reverse("content:compliance"), {"disclosure_text": "", "disclosure_mode": "off", "blocked_phrases": ""}
    )
    assert response.status_code == 302
    assert ComplianceSettings.objects.get(organization=cast.org).alt_text_required is False


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (images.SVG, "logo.svg", "SVG files cannot be used as images"),
        (images.png_bomb(), "bomb.png", "too many pixels to process safely"),
        (images.truncated_jpeg(), "photo.jpg", "not an image we can read"),
        (b"GIF89a nonsense", "anim.gif", "not an image we can read"),
    ],
    ids=["svg", "png-bomb", "truncated", "corrupt"],
)
def test_a_file_that_cannot_be_an_image_is_refused_with_a_reason(cast, login, data, name, message):
    response = login(cast.carol).post(reverse("content:post_create"), _form(image_1=_file(data, name), alt_1="Logo"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_an_image_over_every_limit_is_refused_with_its_size(cast, login, settings):
    settings.MAX_IMAGE_BYTES = 50_000
    response = login(cast.carol).post(
        reverse("content:post_create"), _form(image_1=_file(images.noise_png(300)), alt_1="Noise")
    )
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_images_are_replaced_removed_and_kept_in_order(cast, login):
    login(cast.carol).post(
        reverse("content:post_create"),
        _form(
            image_1=_file(images.png()),
            alt_1="First",
            image_2=_file(images.png()),
            alt_2="Second",
            image_3=_file(images.png()),
            alt_3="Third",
        ),
    )
    post = Post.objects.get()
    first, second, third = post.images.all()

    response = login(cast.carol).post(
        reverse("content:post_edit", args=[post.id]),
        _form(
            alt_1="First, described better",
            remove_2="on",
            alt_2="Second",
            image_3=_file(images.png()),
            alt_3="New third",
        ),
    )

    assert response.status_code == 302
    kept = list(post.images.all())
    assert [(i.alt_text, i.position) for i in kept] == [("First, described better", 0), ("New third", 1)]
    assert kept[0].pk == first.pk
    assert kept[1].pk not in (second.pk, third.pk)


def test_a_form_without_image_places_leaves_the_images_alone(cast, login):
    login(cast.carol).post(reverse("content:post_create"), _form(image_1=_file(images.png()), alt_1="Kept"))
    post = Post.objects.get()
    data = _form(title="Renamed")
    del data["image_places"]
    assert login(cast.carol).post(reverse("content:post_edit", args=[post.id]), data).status_code == 302
    assert [i.alt_text for i in post.images.all()] == ["Kept"]


def test_the_thumbnail_carries_no_location(cast, login):
    login(cast.carol).post(
        reverse("content:post_create"),
        _form(image_1=_file(images.jpeg_with_location((1600, 1200)), "photo.jpg"), alt_1="Roof"),
    )
    image = PostImage.objects.get()
    with image.thumbnail.open("rb") as stored:
        thumb = stored.read()
    assert b"PhoneMaker" not in thumb
    assert (image.width, image.height) == (1600, 1200)


def test_an_outsider_cannot_reach_a_posts_images_through_the_editor(cast, login):
    post = PostFactory(organization=cast.org)
    assert login(cast.olga).get(reverse("content:post_edit", args=[post.id])).status_code == 404
