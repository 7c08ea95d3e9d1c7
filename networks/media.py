"""Per-network image rules, and fitting a picture to them.

One module, beside the text rules, so the composer (what will go out), the worker
(what it sends) and the adapters agree. Pure Python and Pillow: nothing here
imports Django.

Every image is decoded and encoded again before it leaves the platform. That is
what drops its metadata (EXIF with the camera's GPS position, XMP, comments) and
what lets a network's limits be met by scaling down or compressing harder.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# What the platform accepts from comms. SVG is not here: it is a document that can
# carry scripts, and no network takes it.
SOURCE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Larger than any network takes, and far below a decompression bomb's size.
MAX_SOURCE_PIXELS = 40_000_000
MAX_IMAGES = 4
MAX_ALT_CHARS = 1000  # X's limit, the smallest of the networks'

_JPEG_QUALITIES = (90, 82, 74, 66, 58)
_SHRINK_STEP = 0.8


@dataclass(frozen=True)
class MediaLimits:
    max_images: int
    max_bytes: int
    types: frozenset[str]
    max_pixels: int | None = None  # width × height
    max_side: int | None = None  # longest side
    # With a link, the network shows one picture, as the link card's image.
    link_card_image: bool = False


# Each network's documented limits (see README: Networks). Mastodon instances may
# allow more; the defaults of current Mastodon are what every instance accepts.
LIMITS: dict[str, MediaLimits] = {
    # app.bsky.embed.images: up to 4 blobs of at most 1,000,000 bytes each; the
    # official app scales to 2,000 px, which is what readers are served anyway.
    "bluesky": MediaLimits(
        4,
        1_000_000,
        frozenset({"image/jpeg", "image/png", "image/webp"}),
        max_side=2000,
        link_card_image=True,
    ),
    # Mastodon 4: 16 MB and 33,177,600 pixels (7680 × 4320) per image, 4 per status.
    "mastodon": MediaLimits(
        4,
        16 * 1024 * 1024,
        frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        max_pixels=33_177_600,
    ),
    # Images API: JPG, GIF, PNG under 36,152,320 pixels; 5 MB per image for posts.
    "linkedin": MediaLimits(
        4,
        5 * 1024 * 1024,
        frozenset({"image/jpeg", "image/png", "image/gif"}),
        max_pixels=36_152_320,
        link_card_image=True,
    ),
    # POST /2/media/upload: up to 4 photos of 5 MB per post.
    "x": MediaLimits(
        4,
        5 * 1024 * 1024,
        frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
        max_side=8192,
    ),
}

# The platform's own small copies for pages (feed cards, editor, composer).
THUMBNAIL = MediaLimits(1, 200_000, frozenset({"image/jpeg", "image/png", "image/webp"}), max_side=480)


def limits(network: str) -> MediaLimits | None:
    """The network's image limits, or None where no image can be sent (Facebook's dialog)."""
    return LIMITS.get(network)


@dataclass(frozen=True)
class MediaImage:
    """An image ready to upload: fitted to one network, without metadata."""

    data: bytes
    mime: str
    width: int
    height: int
    alt: str = ""

    def __repr__(self) -> str:
        return f"MediaImage({self.mime}, {self.width}x{self.height}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class MediaPlan:
    """What of a post's images goes out on a network."""

    sent: int  # how many images are uploaded
    as_link_card: bool  # the first one as the link card's picture
    left_out: int  # images the network does not get


def plan(network: str, *, image_count: int, has_link: bool) -> MediaPlan:
    rules = limits(network)
    if rules is None or image_count == 0:
        return MediaPlan(0, False, image_count)
    if has_link and rules.link_card_image:
        return MediaPlan(1, True, image_count - 1)
    sent = min(image_count, rules.max_images)
    return MediaPlan(sent, False, image_count - sent)


class ImageProblem(Exception):
    """An image that cannot be sent; `code` says why, for a message the user can act on.

    Codes: "unreadable" (corrupt, truncated, not an image), "format" (a type the
    platform does not take, e.g. SVG), "too_many_pixels" (a decompression bomb or
    a picture beyond every limit), "too_large" (cannot be made small enough).
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def inspect(data: bytes) -> tuple[str, int, int]:
    """The MIME type, width and height of an acceptable source image; ImageProblem otherwise."""
    image = _open(data)
    with image:
        return SOURCE_FORMATS[image.format], image.width, image.height


def prepare(data: bytes, rules: MediaLimits, *, alt: str = "") -> MediaImage:
    """`data` decoded, scaled and encoded to fit `rules`, with no metadata left."""
    with _open(data) as source:
        try:
            source.seek(0)  # an animation goes out as its first frame
            source.load()
            picture = ImageOps.exif_transpose(source)  # the orientation survives the EXIF
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageProblem("unreadable", type(exc).__name__) from None
        source_mime = SOURCE_FORMATS[source.format]
    if picture.mode == "P" and "transparency" in picture.info:
        picture = picture.convert("RGBA")  # the transparency lives in the info dropped below
    picture.info = {}
    picture = _scaled(picture, _scale_for(picture.size, rules))
    mime = _output_mime(source_mime, picture, rules)
    while True:
        encoded = _encode(picture, mime, rules.max_bytes)
        if encoded is not None:
            return MediaImage(encoded, mime, picture.width, picture.height, alt[:MAX_ALT_CHARS])
        if mime == "image/png" and "image/jpeg" in rules.types and not _has_alpha(picture):
            mime = "image/jpeg"  # a photo saved as PNG: JPEG is the smaller encoding
            continue
        if min(picture.size) <= 64:
            raise ImageProblem("too_large", f"{rules.max_bytes} bytes")
        picture = _scaled(picture, _SHRINK_STEP)


def _open(data: bytes) -> Image.Image:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise ImageProblem("format", "SVG")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; a bomb is refused either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem("unreadable", type(exc).__name__) from None
    if image.format not in SOURCE_FORMATS:
        image.close()
        raise ImageProblem("format", str(image.format))
    if image.width * image.height > MAX_SOURCE_PIXELS:
        image.close()
        raise ImageProblem("too_many_pixels", f"{image.width}x{image.height}")
    return image


def _scale_for(size: tuple[int, int], rules: MediaLimits) -> float:
    width, height = size
    scale = 1.0
    if rules.max_side and max(width, height) > rules.max_side:
        scale = min(scale, rules.max_side / max(width, height))
    if rules.max_pixels and width * height > rules.max_pixels:
        scale = min(scale, (rules.max_pixels / (width * height)) ** 0.5)
    return scale


def _scaled(picture: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return picture
    size = (max(1, int(picture.width * scale)), max(1, int(picture.height * scale)))
    return picture.resize(size, Image.Resampling.LANCZOS)


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)


def _output_mime(source_mime: str, picture: Image.Image, rules: MediaLimits) -> str:
    # A GIF goes out as a still picture: PNG keeps its colours exactly.
    preferred = "image/png" if source_mime == "image/gif" else source_mime
    if preferred in rules.types:
        return preferred
    if _has_alpha(picture) and "image/png" in rules.types:
        return "image/png"
    return "image/jpeg"


def _encode(picture: Image.Image, mime: str, max_bytes: int) -> bytes | None:
    """The smallest encoding worth trying at this size that fits, or None."""
    if mime == "image/jpeg":
        rgb = _flattened(picture)
        for quality in _JPEG_QUALITIES:
            data = _save(rgb, "JPEG", quality=quality, optimize=True)
            if len(data) <= max_bytes:
                return data
        return None
    if mime == "image/webp":
        data = _save(picture if picture.mode in ("RGB", "RGBA") else picture.convert("RGBA"), "WEBP", quality=85)
    elif mime == "image/gif":
        data = _save(picture.convert("P") if picture.mode not in ("P", "L") else picture, "GIF")
    else:
        mode_ok = picture.mode in ("RGB", "RGBA", "L", "LA", "P", "1")
        data = _save(picture if mode_ok else picture.convert("RGBA"), "PNG", optimize=True)
    return data if len(data) <= max_bytes else None


def _flattened(picture: Image.Image) -> Image.Image:
    if _has_alpha(picture):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture if picture.mode in ("RGB", "L") else picture.convert("RGB")


def _save(picture: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    # Nothing from the source's info (EXIF, XMP, ICC, comments) is passed on.
    picture.info = {}
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()
