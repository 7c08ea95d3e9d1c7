"""Link previews: the title, description and image a network would show for a post's link.

Read from the page's Open Graph tags, then Twitter card tags, then the plain <title>
and meta description. A page that cannot be fetched or read leaves a failed preview
with a reason; the post itself stays usable either way.
"""

from __future__ import annotations

import codecs
import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from content.fetching import FetchError, FetchResult, fetch
from content.models import Post

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
# The model's description has no limit; a preview card shows a few lines at most.
DESCRIPTION_LIMIT = 1000
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _HeadParser(HTMLParser):
    """Collects <meta> tags by property or name, and the first <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self._title_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {name.lower(): value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            # The first tag wins, as with the networks' own crawlers.
            if key and key not in self.meta and values.get("content", "").strip():
                self.meta[key] = values["content"]
        elif tag == "title" and not self._title_done:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._title_done = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def first(self, *keys: str) -> str:
        for key in keys:
            value = _clean(self.meta.get(key, ""))
            if value:
                return value
        return ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _truncate(text: str, limit: int) -> str:
    return Truncator(text).chars(limit)


def _decode(result: FetchResult, content_type_header: str) -> str:
    """The page as text, in the charset the server or the page itself declares."""
    charset = ""
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type_header, re.IGNORECASE)
    if match:
        charset = match.group(1)
    else:
        sniffed = _META_CHARSET.search(result.content[:2048])
        charset = sniffed.group(1).decode("ascii") if sniffed else ""
    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):
        charset = "utf-8"
    return result.content.decode(charset, errors="replace")


def _image_url(raw: str, base: str) -> str:
    if not raw:
        return ""
    url = urljoin(base, raw.strip())
    if urlsplit(url).scheme not in ("http", "https") or len(url) > Post._meta.get_field("preview_image_url").max_length:
        return ""
    return url


def preview_extract(*, html: str, base_url: str) -> dict[str, str]:
    """Title, description and absolute image address from a page's markup."""
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    title = parser.first("og:title", "twitter:title") or _clean(parser.title)
    description = parser.first("og:description", "twitter:description", "description")
    image = parser.first("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    return {
        "preview_title": _truncate(title, Post._meta.get_field("preview_title").max_length),
        "preview_description": _truncate(description, DESCRIPTION_LIMIT),
        "preview_image_url": _image_url(image, base_url),
    }


def _read(result: FetchResult) -> dict[str, str]:
    """The preview fields for a fetched page; a FetchError explains a page without one."""
    content_type = result.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    # No content type at all is common enough on small sites to try the page anyway.
    if mime and mime not in HTML_TYPES:
        raise FetchError(_("The link points to a file (%(type)s), not a web page.") % {"type": mime[:100]})
    fields = preview_extract(html=_decode(result, content_type), base_url=result.final_url)
    if not fields["preview_title"] and not fields["preview_description"]:
        raise FetchError(_("The page has no title or description to show."))
    return fields


def post_preview_refresh(*, post: Post) -> None:
    """Fetch the post's link and store what its preview shows, or why there is none."""
    link_url = post.link_url
    fields: dict[str, object] = {
        "preview_title": "",
        "preview_description": "",
        "preview_image_url": "",
        "preview_error": "",
    }
    try:
        fields.update(_read(fetch(link_url, headers={"Accept": ACCEPT})))
    except FetchError as exc:
        fields["preview_status"] = Post.PreviewStatus.FAILED
        fields["preview_error"] = _truncate(exc.message, Post._meta.get_field("preview_error").max_length)
    except Exception:
        # A parser surprise on one odd page must not leave the preview stuck on
        # "fetching" forever; the log keeps the details for us.
        logger.exception("Link preview failed for post %s", post.pk)
        fields["preview_status"] = Post.PreviewStatus.FAILED
        fields["preview_error"] = _("The page could not be read.")
    else:
        fields["preview_status"] = Post.PreviewStatus.OK
    fields["preview_fetched_at"] = timezone.now()
    # Only the preview columns, and only if the link is still the one fetched: the
    # editor may have saved a new link (and queued a new preview) in the meantime.
    Post.objects.filter(pk=post.pk, link_url=link_url).update(**fields)
    for name, value in fields.items():
        setattr(post, name, value)
