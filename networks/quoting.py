"""Quoting another account's post (an employee amplifying the company's own post).

Each adapter's `publish_quote` posts the sharer's words with the quoted post attached
the way its network does it: a LinkedIn reshare with commentary, a Bluesky quote
record, a Mastodon quote (or the status address on servers without quotes), an X
quote tweet.
"""

from __future__ import annotations

from dataclasses import dataclass

from networks.errors import PermanentError


@dataclass(frozen=True)
class QuotedPost:
    """The post to quote, as its own network knows it.

    `remote_id` is the post's id there (Bluesky at:// URI, LinkedIn URN, X tweet id,
    Mastodon status id on `server`); `url` its public address.
    """

    network: str
    remote_id: str
    url: str = ""
    # Mastodon: the server the post lives on (its ids mean nothing elsewhere).
    server: str = ""


class QuotedPostGone(PermanentError):
    """The quoted post no longer exists on its network (deleted, or its account gone)."""
