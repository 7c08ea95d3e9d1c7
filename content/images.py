"""A post's images: stored through the storage API, checked, and fitted per network.

Files are only ever opened through the storage (`FieldFile.open`), never by path, so
the local disk and an S3-compatible bucket behave the same for web and worker.
"""

from __future__ import annotations

import errno
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from content.models import PostImage
from networks import media

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from content.models import Post


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a store that is down, unreachable or refusing raises, for the configured storage."""
    return _storage_errors(settings.STORAGES["default"]["BACKEND"])


@functools.cache
def _storage_errors(backend: str) -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    if "s3" not in backend.lower():
        # The local disk: the S3 client (about 8 MB in every process) is not loaded for it.
        return tuple(errors)
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    return (*errors, BotoCoreError, ClientError, Boto3Error)


# A disk (or quota) with no room left: the store answers, it just cannot take more.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_full(error: BaseException) -> bool:
    """Whether `error`, or an error it came from, says the media store has no room left."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _FULL:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class StorageUnavailable(Exception):
    """The media store could not be reached; trying again later may work."""


def problem_message(problem: media.ImageProblem) -> str:
    """A message the person who chose the image can act on."""
    if problem.code == "format":
        return _("%(format)s files cannot be used as images. Use JPEG, PNG, GIF or WebP.") % {"format": problem.detail}
    if problem.code == "too_many_pixels":
        return _("The image has too many pixels to process safely. Scale it down below 40 megapixels and try again.")
    if problem.code == "too_large":
        return _("The image cannot be made small enough for the network. Use a smaller or simpler picture.")
    return _("This file is not an image we can read (it may be damaged). Use JPEG, PNG, GIF or WebP.")


def media_summary(*, network: str, label: str, image_count: int, has_link: bool, can_upload: bool = True) -> str:
    """What of the post's images goes out on `network`, in a sentence for the composer.

    `can_upload` is False for a connection made without the right to upload images.
    """
    if not image_count:
        return ""
    if not can_upload:
        return _(
            "This %(network)s connection may not upload images, so the share would fail. "
            "Reconnect the profile under My profiles first."
        ) % {"network": label}
    plan = media.plan(network, image_count=image_count, has_link=has_link)
    if plan.sent == 0:
        return _("%(network)s gets the link only; the images are not sent.") % {"network": label}
    if plan.as_link_card:
        summary = _("The first image goes as the link card's picture.")
        if plan.left_out:
            summary += " " + ngettext(
                "With a link, %(network)s shows one picture: %(count)s more image is not sent.",
                "With a link, %(network)s shows one picture: %(count)s more images are not sent.",
                plan.left_out,
            ) % {"network": label, "count": plan.left_out}
        return summary
    return ngettext(
        "%(count)s image goes with the post, with its description, fitted to %(network)s's limits.",
        "%(count)s images go with the post, with their descriptions, fitted to %(network)s's limits.",
        plan.sent,
    ) % {"count": plan.sent, "network": label}


def first_images(*, post_ids: list[int]) -> dict[int, PostImage]:
    """Each post's first image, for cards and previews. One query."""
    first: dict[int, PostImage] = {}
    for image in PostImage.objects.filter(post_id__in=post_ids).order_by("post_id", "position", "id"):
        first.setdefault(image.post_id, image)
    return first


@dataclass
class ImageSlot:
    """One of the editor's image places, in order: keep, replace, describe or remove."""

    upload: UploadedFile | None = None
    alt_text: str = ""
    remove: bool = False


def images_check(*, existing: list[PostImage], slots: list[ImageSlot], alt_required: bool) -> None:
    """Refuse before anything is written: too many images, or one without its description."""
    problems = []
    kept = 0
    for number, slot in enumerate(slots, start=1):
        has_image = not slot.remove and (slot.upload is not None or number <= len(existing))
        if not has_image:
            continue
        kept += 1
        if alt_required and not slot.alt_text.strip():
            problems.append(
                _("Image %(number)s needs a description (alt text) for people who cannot see it.") % {"number": number}
            )
        if len(slot.alt_text) > media.MAX_ALT_CHARS:
            problems.append(
                _("The description of image %(number)s is longer than %(limit)s characters.")
                % {"number": number, "limit": media.MAX_ALT_CHARS}
            )
    if kept > media.MAX_IMAGES:
        problems.append(_("A post can carry at most %(limit)s images.") % {"limit": media.MAX_IMAGES})
    if problems:
        raise ValidationError({"images": problems})


def images_save(*, post: Post, existing: list[PostImage], slots: list[ImageSlot]) -> None:
    """Write the slots' images in order. Raises a storage_errors() member if the store fails.

    Runs inside the caller's transaction, so a store that fails part-way leaves the
    post's rows as they were.
    """
    position = 0
    for number, slot in enumerate(slots, start=1):
        current = existing[number - 1] if number <= len(existing) else None
        if current is not None and (slot.remove or slot.upload is not None):
            current.delete()  # the stored file stays: deleting it could not be rolled back
            current = None
        if slot.remove:
            continue
        if slot.upload is not None:
            _image_create(post=post, upload=slot.upload, alt_text=slot.alt_text.strip(), position=position)
        elif current is not None:
            current.alt_text, current.position = slot.alt_text.strip(), position
            current.save(update_fields=["alt_text", "position"])
        else:
            continue
        position += 1
    for extra in existing[len(slots) :]:
        extra.position = position
        extra.save(update_fields=["position"])
        position += 1


def _thumbnail_save(image: PostImage, data: bytes) -> None:
    thumb = media.prepare(data, media.THUMBNAIL)
    extension = "png" if thumb.mime == "image/png" else "webp" if thumb.mime == "image/webp" else "jpg"
    image.thumbnail.save(f"thumb.{extension}", ContentFile(thumb.data), save=False)


def post_images_backfill() -> tuple[int, int]:
    """Thumbnails and sizes for images that have none (those from the single-image days).

    Until then pages show the original; afterwards, like every other image, a copy
    without metadata. Returns (made, unreadable); an unreadable one is left as it was.
    """
    made = failed = 0
    for image in PostImage.objects.filter(thumbnail="").iterator():
        try:
            with image.image.open("rb") as stored:
                data = stored.read()
            _mime, image.width, image.height = media.inspect(data)
            _thumbnail_save(image, data)
        except (*storage_errors(), media.ImageProblem):
            failed += 1
            continue
        image.save(update_fields=["thumbnail", "width", "height"])
        made += 1
    return made, failed


def _image_create(*, post: Post, upload: UploadedFile, alt_text: str, position: int) -> PostImage:
    upload.seek(0)
    data = upload.read()
    _mime, width, height = media.inspect(data)
    image = PostImage(post=post, alt_text=alt_text, position=position, width=width, height=height)
    _thumbnail_save(image, data)
    image.image.save(upload.name, ContentFile(data), save=False)
    image.save()
    return image


def images_for_network(*, post_id: int, network: str, has_link: bool) -> list[media.MediaImage]:
    """The post's images as `network` takes them, read through the storage.

    Raises StorageUnavailable when the store cannot be read, ImageProblem for an
    image no network could take.
    """
    rules = media.limits(network)
    if rules is None:
        return []
    rows = list(PostImage.objects.filter(post_id=post_id).order_by("position", "id"))
    plan = media.plan(network, image_count=len(rows), has_link=has_link)
    prepared = []
    for row in rows[: plan.sent]:
        try:
            with row.image.open("rb") as stored:
                data = stored.read()
        except storage_errors() as exc:
            raise StorageUnavailable(f"could not read {row.image.name}: {type(exc).__name__}") from exc
        prepared.append(media.prepare(data, rules, alt=row.alt_text))
    return prepared
