"""Bluesky post records: deterministic record keys, link facets, embeds.

Pure helpers apart from the SDK models they build; the adapter is in bluesky.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from networks import text as text_rules

if TYPE_CHECKING:
    from collections.abc import Sequence

    from networks.media import MediaImage

# -- record keys ----------------------------------------------------------------

POST_COLLECTION = "app.bsky.feed.post"

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_LENGTH = 13
# TID timestamps are derived from the key, not the clock (so a retry produces the
# same key). They fall in 2023-01-01 .. 2025-01-01: after the network opened, never
# in the future, which some services distrust.
_TID_START_US = 1_672_531_200_000_000
_TID_SPAN_US = 2 * 365 * 24 * 3600 * 1_000_000


def tid_from_key(idempotency_key: str) -> str:
    """A valid TID record key derived from `idempotency_key` alone.

    64-bit value, top bit 0: 53 bits of microseconds since the epoch, then a
    10-bit clock id; written as 13 characters of base32-sortable. Both parts come
    from SHA-256 of the key, so the same key always gives the same record key.
    """
    seed = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    timestamp = _TID_START_US + (seed >> 10) % _TID_SPAN_US
    value = (timestamp << 10) | (seed & 0x3FF)
    chars = [TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(TID_LENGTH - 1, -1, -1)]
    return "".join(chars)


# -- rich text --------------------------------------------------------------------


@dataclass(frozen=True)
class LinkFacet:
    byte_start: int  # UTF-8 byte offsets, as the facet index requires
    byte_end: int
    uri: str


def link_facets(text: str) -> list[LinkFacet]:
    """Link facets for every http(s) URL in `text`; without one a URL is plain text."""
    facets = []
    for span in text_rules.find_urls(text):
        start = len(text[: span.start].encode("utf-8"))
        facets.append(LinkFacet(start, start + len(span.url.encode("utf-8")), span.url))
    return facets


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def facet_model(facet: LinkFacet) -> Any:
    from atproto import models

    return models.AppBskyRichtextFacet.Main(
        index=models.AppBskyRichtextFacet.ByteSlice(byte_start=facet.byte_start, byte_end=facet.byte_end),
        features=[models.AppBskyRichtextFacet.Link(uri=facet.uri)],
    )


def images_embed(images: Sequence[MediaImage], blobs: Sequence[Any]) -> Any:
    """`app.bsky.embed.images`: each uploaded blob with its alt text and aspect ratio."""
    from atproto import models

    return models.AppBskyEmbedImages.Main(
        images=[
            models.AppBskyEmbedImages.Image(
                alt=image.alt,
                image=blob,
                aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=image.width, height=image.height),
            )
            for image, blob in zip(images, blobs, strict=True)
        ]
    )


def external_embed(link: str, title: str, description: str, thumb: Any = None) -> Any:
    """`app.bsky.embed.external`: the link card, with a blob as its picture when there is one."""
    from atproto import models

    external = models.AppBskyEmbedExternal.External(uri=link, title=title or link, description=description, thumb=thumb)
    return models.AppBskyEmbedExternal.Main(external=external)


def build_embed(
    link: str | None, images: Sequence[MediaImage], blobs: Sequence[Any], title: str, description: str
) -> Any:
    """A link card (the first image as its picture), else the images, else nothing."""
    if link:
        return external_embed(link, title, description, blobs[0] if blobs else None)
    if blobs:
        return images_embed(images, blobs)
    return None


def quote_embed(uri: str, cid: str, media: Any = None) -> Any:
    """A quote of the record (uri, cid); with `media` (an images embed) a `recordWithMedia`."""
    from atproto import models

    record = models.AppBskyEmbedRecord.Main(record=models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid))
    if media is None:
        return record
    return models.AppBskyEmbedRecordWithMedia.Main(record=record, media=media)
