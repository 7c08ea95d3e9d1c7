"""Tracked links: short codes, UTM parameters, click recording."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Click, Share, TrackedLink

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8
CODE_MAX_LENGTH = TrackedLink._meta.get_field("code").max_length
# Crawlers that unfurl links (link previews) and generic bots; their visits are kept
# but flagged, so reports can count people only.
_BOT = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|linkedinbot|twitterbot|embedly|preview|"
    r"whatsapp|telegram|discord|slack|skype|bluesky|mastodon|curl|wget|python-|httpx|go-http",
    re.IGNORECASE,
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def with_utm(url: str, *, network: str, campaign: str, content: str) -> str:
    """The target with UTM parameters; parameters the page already has are kept."""
    parts = urlsplit(url)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not key.startswith("utm_")
    ]
    query += [
        ("utm_source", network),
        ("utm_medium", "employee_advocacy"),
        ("utm_campaign", campaign),
        ("utm_content", content),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def trackable(url: str) -> bool:
    """Only an absolute web address gets a tracked link: anything else would redirect
    relative to `/l/<code>` itself (a post without a link made a self-loop)."""
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def tracked_link_create(*, share: Share) -> TrackedLink | None:
    """The share's short link; None when the post has no link to track."""
    if not trackable(share.post.link_url):
        return None
    target = with_utm(
        share.post.link_url, network=share.network, campaign=f"post-{share.post_id}", content=f"share-{share.id}"
    )
    while True:
        code = new_code()
        if not TrackedLink.objects.filter(code=code).exists():
            return TrackedLink.objects.create(
                code=code, organization_id=share.organization_id, share=share, target_url=target
            )


def short_url(code: str) -> str:
    return settings.SITE_URL + reverse("advocacy:tracked_link", args=[code])


def share_short_url(share: Share) -> str | None:
    """The short link that goes out with the share, or None for a share without a link."""
    link = getattr(share, "tracked_link", None)
    return short_url(link.code) if link is not None else None


def sample_short_url(post) -> str | None:
    """A stand-in of a share's short link, for previews and length checks before it exists."""
    return short_url("x" * CODE_LENGTH) if trackable(post.link_url) else None


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(_BOT.search(user_agent))


def visitor_hash(*, ip: str, user_agent: str) -> str:
    """A per-day pseudonym of the visitor; the address itself is never stored."""
    day = timezone.now().date().isoformat()
    material = f"{settings.SECRET_KEY}|{day}|{ip}|{user_agent}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


# The lookup and the click in one statement, so a visit costs one round trip. The
# click's commit does not wait for the disk (synchronous_commit off for this
# transaction only): a crash of the database server itself may forget the last
# fraction of a second of clicks (at most three times wal_writer_delay), never
# corrupt or half-write them, and nothing else a visitor does depends on them.
_FOLLOW_SQL = """
WITH link AS (
    SELECT id, share_id, target_url FROM advocacy_trackedlink
    WHERE code = %s AND (target_url LIKE 'https://%%' OR target_url LIKE 'http://%%')
),
click AS (INSERT INTO advocacy_click (link_id, at, is_bot, visitor) SELECT id, %s, %s, %s FROM link),
went_out AS (
    UPDATE advocacy_share SET status = 'posted', posted_at = %s, updated_at = %s
    FROM link WHERE advocacy_share.id = link.share_id AND advocacy_share.status = 'handed_off' AND NOT %s
)
SELECT target_url, set_config('synchronous_commit', 'off', true) FROM link
"""

# A share handed off to the sharer (Facebook's dialog) went out once a person, not a
# crawler, follows its link: it turns "posted" then, still unverified.


def link_follow(*, code: str, user_agent: str, ip: str) -> str | None:
    """Count a visit of the link with this code; its stored target, or None if there is no such link."""
    at, bot, visitor = timezone.now(), is_bot(user_agent), visitor_hash(ip=ip, user_agent=user_agent)
    if connection.vendor != "postgresql":
        link = TrackedLink.objects.filter(code=code).only("id", "share_id", "target_url").first()
        if link is None or not trackable(link.target_url):
            return None
        Click.objects.create(link_id=link.id, at=at, is_bot=bot, visitor=visitor)
        if not bot and link.share_id:
            Share.objects.filter(pk=link.share_id, status=Share.Status.HANDED_OFF).update(
                status=Share.Status.POSTED, posted_at=at, updated_at=at
            )
        return link.target_url
    with connection.cursor() as cursor:
        cursor.execute(_FOLLOW_SQL, [code, at, bot, visitor, at, at, bot])
        row = cursor.fetchone()
    return row[0] if row else None
