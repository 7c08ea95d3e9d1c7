"""Feed sources: new items in an RSS or Atom feed become drafts or suggestions.

A poll never raises: whatever goes wrong is stored on the source for the comms team
to read, and the other sources poll on regardless.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser
from defusedxml import ElementTree as DefusedElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.fetching import FetchError, FetchResult, fetch
from content.models import FeedEntry, FeedSource, Post, Topic
from employees.models import Organization

logger = logging.getLogger(__name__)

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
MAX_NEW_ITEMS = 50
BODY_LIMIT = 1200
# Enough to keep database "IN" lists well within SQLite's limit.
LOOKUP_CHUNK = 500
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


class FeedError(Exception):
    """The feed was fetched but cannot be used, with a message for the comms team."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _TextExtractor(HTMLParser):
    """Plain text from an item's HTML summary: paragraphs kept, markup and scripts dropped."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table"}
    )
    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text with one blank line between paragraphs."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    paragraphs: list[str] = []
    for line in lines:
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and say so with an ellipsis, rather than mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:-–—") + "…"


def _entities_refused() -> FeedError:
    return FeedError(_("The feed declares XML entities, which are refused for safety."))


def _check_xml_is_safe(data: bytes) -> None:
    """Refuse entity declarations before feedparser sees them (billion laughs, XXE)."""
    try:
        DefusedElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:  # a ValueError too, so it must come first
        raise _entities_refused() from None
    except (DefusedElementTree.ParseError, LookupError, ValueError):
        # Sloppy but harmless feeds are common and feedparser's lenient parser copes.
        # Expat stopped early or could not read the encoding, so it may not have
        # reached a declaration; look for one in the raw bytes instead.
        if _ENTITY_DECLARATION.search(data):
            raise _entities_refused() from None


def feed_parse(*, result: FetchResult) -> feedparser.FeedParserDict:
    _check_xml_is_safe(result.content)
    parsed = feedparser.parse(
        result.content,
        # Relative item links resolve against where the feed was actually found.
        response_headers={
            "content-location": result.final_url,
            "content-type": result.headers.get("content-type", "application/xml"),
        },
    )
    entries = parsed.get("entries") or []
    version = parsed.get("version", "")
    title = (parsed.get("feed") or {}).get("title", "")
    if not entries and (not version or (parsed.get("bozo") and not title)):
        raise FeedError(_("This address does not serve an RSS or Atom feed."))
    return parsed


def _entry_time(entry: dict) -> float:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return float(calendar.timegm(stamp)) if stamp else float("-inf")


def _entry_link(entry: dict, base: str) -> str:
    link = (entry.get("link") or "").strip()
    if not link:
        return ""
    link = urljoin(base, link)
    if urlsplit(link).scheme not in ("http", "https") or len(link) > Post._meta.get_field("link_url").max_length:
        return ""
    return link


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


def _entry_guid(entry: dict, link: str, title: str) -> str:
    guid = (entry.get("id") or "").strip() or link or (_digest(title) if title else "")
    if len(guid) > FeedEntry._meta.get_field("guid").max_length:
        return _digest(guid)
    return guid


def _entry_title(entry: dict) -> str:
    title = entry.get("title") or ""
    # feedparser marks titles that look like markup as HTML; a plain "A < B" stays as is.
    if (entry.get("title_detail") or {}).get("type", "text/html") in ("text/html", "application/xhtml+xml"):
        title = html_to_text(title)
    return " ".join(title.split())


def _entry_body(entry: dict) -> str:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return _shorten(html_to_text(summary), BODY_LIMIT)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _items(parsed: feedparser.FeedParserDict, base: str) -> list[dict]:
    """The feed's usable items, newest first, one per guid."""
    # A stable sort: undated items keep the feed's own order, after the dated ones.
    entries = sorted(parsed.get("entries") or [], key=_entry_time, reverse=True)
    items: list[dict] = []
    guids: set[str] = set()
    for entry in entries:
        link = _entry_link(entry, base)
        title = _entry_title(entry)
        body = _entry_body(entry)
        guid = _entry_guid(entry, link, title or body)
        if not guid or guid in guids:
            continue
        guids.add(guid)
        items.append({"guid": guid, "link": link, "title": title, "body": body})
    return items


def _import_items(*, source: FeedSource, items: list[dict]) -> int:
    """Create posts for items not seen before; remember every item so it is checked once."""
    guids = [item["guid"] for item in items]
    seen: set[str] = set()
    for chunk in _chunks(guids):
        seen.update(FeedEntry.objects.filter(source=source, guid__in=chunk).values_list("guid", flat=True))
    fresh = [item for item in items if item["guid"] not in seen]
    links = [item["link"] for item in fresh if item["link"]]
    known_links: set[str] = set()
    for chunk in _chunks(links):
        known_links.update(
            Post.objects.filter(organization_id=source.organization_id, link_url__in=chunk).values_list(
                "link_url", flat=True
            )
        )
    topics = list(source.topics.all())
    status = Post.Status.PENDING_APPROVAL if source.creates == FeedSource.Creates.SUGGESTION else Post.Status.DRAFT
    created = 0
    entries: list[FeedEntry] = []
    for item in fresh:
        post = None
        # Beyond the cap, older items are remembered but not imported: a first poll of
        # a long archive should not flood the library with old drafts.
        if created < MAX_NEW_ITEMS and (not item["link"] or item["link"] not in known_links):
            post = _post_create(source=source, item=item, status=status, topics=topics)
            created += 1
            if item["link"]:
                known_links.add(item["link"])
        entries.append(FeedEntry(source=source, guid=item["guid"], url=item["link"], post=post))
    FeedEntry.objects.bulk_create(entries)
    return created


def _post_create(*, source: FeedSource, item: dict, status: str, topics: list) -> Post:
    from content.tasks import post_link_preview_task

    title_limit = Post._meta.get_field("title").max_length
    title = item["title"] or item["body"].split("\n", 1)[0] or urlsplit(item["link"]).netloc or source.name
    post = Post.objects.create(
        organization_id=source.organization_id,
        title=_shorten(title, title_limit),
        body=item["body"],
        link_url=item["link"],
        source=Post.Source.RSS,
        status=status,
        suggestion_reason=(
            _("New in the feed “%(name)s”.") % {"name": source.name} if status == Post.Status.PENDING_APPROVAL else ""
        ),
        preview_status=Post.PreviewStatus.PENDING if item["link"] else Post.PreviewStatus.NONE,
    )
    post.topics.set(topics)
    if item["link"]:
        post_link_preview_task.delay_on_commit(post.id)
    return post


def _poll(*, source: FeedSource, now: datetime) -> int:
    headers = {"Accept": ACCEPT}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    result = fetch(source.url, headers=headers)
    items = [] if result.status == 304 else _items(feed_parse(result=result), result.final_url)
    with transaction.atomic():
        # The lock makes a manual "poll now" and the scheduled poll take turns, so an
        # item is never imported twice.
        locked = FeedSource.objects.select_for_update().filter(pk=source.pk).first()
        if locked is None:
            return 0
        created = _import_items(source=locked, items=items) if items else 0
        if result.status != 304:
            locked.etag = result.headers.get("etag", "")[: FeedSource._meta.get_field("etag").max_length]
            locked.last_modified = result.headers.get("last-modified", "")[
                : FeedSource._meta.get_field("last_modified").max_length
            ]
        locked.last_polled_at = locked.last_success_at = now
        locked.items_imported += created
        locked.last_error = ""
        locked.save(
            update_fields=["etag", "last_modified", "last_polled_at", "last_success_at", "items_imported", "last_error"]
        )
    return created


def feed_source_poll(*, source: FeedSource) -> int:
    """Poll one feed; the number of new posts. Failures are stored, never raised."""
    now = timezone.now()
    try:
        created = _poll(source=source, now=now)
    except (FetchError, FeedError) as exc:
        error = exc.message
        created = 0
    except Exception:
        # Whatever else breaks on one feed must not stop the others, and the comms
        # team should see that something is wrong rather than a silent source.
        logger.exception("Polling feed source %s failed", source.pk)
        error = _("Something went wrong while reading the feed. It will be tried again at the next poll.")
        created = 0
    else:
        error = ""
    if error:
        FeedSource.objects.filter(pk=source.pk).update(
            last_polled_at=now, last_error=error[: FeedSource._meta.get_field("last_error").max_length]
        )
    # A source deleted while it was being polled has nothing left to report on.
    with contextlib.suppress(FeedSource.DoesNotExist):
        source.refresh_from_db()
    return created


def feed_source_save(
    *,
    organization: Organization,
    source: FeedSource | None = None,
    name: str,
    url: str,
    topics: Iterable[Topic],
    creates: str,
    is_active: bool,
) -> FeedSource:
    """Create or change a source; a new or moved feed is polled as soon as this commits."""
    duplicate = FeedSource.objects.filter(organization=organization, url=url)
    if source is not None:
        duplicate = duplicate.exclude(pk=source.pk)
    if duplicate.exists():
        raise ValidationError({"url": _("This feed is already a source: %(name)s.") % {"name": duplicate.first()}})
    is_new = source is None
    if source is None:
        source = FeedSource(organization=organization)
    moved = is_new or source.url != url
    if moved:
        # Validators from the old address say nothing about the new one.
        source.etag = source.last_modified = source.last_error = ""
    source.name, source.url, source.creates, source.is_active = name, url, creates, is_active
    try:
        with transaction.atomic():
            source.save()
            source.topics.set(topics)
    except IntegrityError:
        # Someone added the same feed a moment ago.
        raise ValidationError({"url": _("This feed is already a source.")}) from None
    if moved and is_active:
        feed_source_poll_queue(source=source)
    return source


def feed_source_poll_queue(*, source: FeedSource) -> None:
    """Poll the source in the background once the current transaction commits."""
    from content.tasks import feed_source_poll_task

    if not source.is_active:
        raise ValidationError(_("This source is paused. Activate it to check the feed."))
    feed_source_poll_task.delay_on_commit(source.id)
