"""Images kept from the single-image days get their thumbnail and size afterwards."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from content.models import PostImage
from tests import images
from tests.factories import PostFactory

pytestmark = pytest.mark.usefixtures("media_root")


def test_the_backfill_makes_thumbnails_without_location_and_skips_what_it_cannot_read(cast):
    name = default_storage.save("posts/2024/05/roof.jpg", io.BytesIO(images.jpeg_with_location((1200, 900))))
    kept = PostImage.objects.create(post=PostFactory(organization=cast.org), image=name)
    lost = PostImage.objects.create(post=PostFactory(organization=cast.org), image="posts/2024/05/gone.jpg")
    out = io.StringIO()

    call_command("post_images_backfill", stdout=out)

    assert out.getvalue().strip() == "thumbnails made: 1, images that could not be read: 1"
    kept.refresh_from_db()
    assert (kept.width, kept.height) == (1200, 900)
    assert kept.display == kept.thumbnail
    with kept.thumbnail.open("rb") as stored:
        assert b"PhoneMaker" not in stored.read()
    lost.refresh_from_db()
    assert not lost.thumbnail
    assert lost.display == lost.image
