"""Images fitted to each network: metadata gone, limits met, hostile files refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from networks import media
from tests import images


def _opened(prepared: media.MediaImage) -> Image.Image:
    return Image.open(io.BytesIO(prepared.data))


def test_the_location_and_camera_data_never_leave_the_platform():
    source = images.jpeg_with_location()
    assert Image.open(io.BytesIO(source)).getexif().get(images.GPS_IFD) is not None

    for network in media.LIMITS:
        out = media.prepare(source, media.LIMITS[network], alt="The office roof")
        exif = _opened(out).getexif()
        assert images.GPS_IFD not in exif, network
        assert images.MAKE not in exif, network
        assert b"PhoneMaker" not in out.data, network
        assert out.alt == "The office roof"


def test_the_orientation_is_applied_before_the_exif_goes():
    # Orientation 6: the camera was turned; the pixels are stored sideways.
    out = media.prepare(images.jpeg_with_location((64, 48), orientation=6), media.LIMITS["mastodon"])
    assert (out.width, out.height) == (48, 64)
    assert _opened(out).size == (48, 64)


def test_a_picture_over_blueskys_limits_is_scaled_and_compressed_to_fit():
    source = images.noise_png(2400)
    rules = media.LIMITS["bluesky"]
    assert len(source) > rules.max_bytes

    out = media.prepare(source, rules)

    assert len(out.data) <= rules.max_bytes
    assert max(out.width, out.height) <= rules.max_side
    assert out.mime == "image/jpeg"  # noise as PNG cannot fit; as JPEG it can
    assert _opened(out).size == (out.width, out.height)


def test_a_picture_within_the_limits_keeps_its_size_and_type():
    out = media.prepare(images.png((300, 200)), media.LIMITS["x"])
    assert (out.mime, out.width, out.height) == ("image/png", 300, 200)


def test_a_type_the_network_does_not_take_is_converted():
    webp = images.encoded(Image.new("RGB", (50, 40), "orange"), "WEBP")
    out = media.prepare(webp, media.LIMITS["linkedin"])  # LinkedIn takes JPG, GIF and PNG
    assert out.mime == "image/jpeg"
    assert _opened(out).format == "JPEG"


def test_transparency_survives_where_the_network_takes_png():
    clear = Image.new("RGBA", (30, 30), (255, 0, 0, 0))
    out = media.prepare(images.encoded(clear, "PNG"), media.LIMITS["bluesky"])
    assert out.mime == "image/png"
    assert _opened(out).getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (images.SVG, "format"),
        (images.png_bomb(), "too_many_pixels"),
        (images.truncated_jpeg(), "unreadable"),
        (b"%PDF-1.4 not a picture", "unreadable"),
        (b"", "unreadable"),
    ],
    ids=["svg", "png-bomb", "truncated", "pdf", "empty"],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(data, code):
    with pytest.raises(media.ImageProblem) as caught:
        media.prepare(data, media.LIMITS["mastodon"])
    assert caught.value.code == code


def test_a_png_bomb_is_refused_before_it_is_inflated():
    bomb = images.png_bomb(60_000)
    assert len(bomb) < 100_000  # 3.6 billion pixels in a few kilobytes
    with pytest.raises(media.ImageProblem) as caught:
        media.inspect(bomb)
    assert caught.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    ("network", "count", "has_link", "expected"),
    [
        ("bluesky", 3, True, media.MediaPlan(1, True, 2)),
        ("bluesky", 3, False, media.MediaPlan(3, False, 0)),
        ("linkedin", 2, True, media.MediaPlan(1, True, 1)),
        ("linkedin", 4, False, media.MediaPlan(4, False, 0)),
        ("mastodon", 4, True, media.MediaPlan(4, False, 0)),
        ("x", 4, True, media.MediaPlan(4, False, 0)),
        ("facebook", 2, True, media.MediaPlan(0, False, 2)),
        ("x", 0, True, media.MediaPlan(0, False, 0)),
    ],
)
def test_the_plan_says_what_each_network_gets(network, count, has_link, expected):
    assert media.plan(network, image_count=count, has_link=has_link) == expected
