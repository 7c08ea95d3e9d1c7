"""Per-network text rules: how long a post may be, and how each network counts.

One module so the composer (live counter), the server-side validation and the
adapters agree. Validate the *composed* text (`compose`), since that is what the
network receives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex
from twitter_text import parse_tweet

GRAPHEME = regex.compile(r"\X")

# Scheme URLs end before whitespace and the characters that rarely end a URL
# in prose; trailing punctuation is trimmed afterwards.
_SCHEME_URL = regex.compile(r"""(?i)\bhttps?://[^\s<>"'`]+""")
_TRAILING_PUNCTUATION = ".,:;!?'\"*"
# Mastodon counts a remote mention `@user@domain` as `@user` only.
_MASTODON_MENTION = regex.compile(r"(?i)(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@[\w.-]*\w")

URL_LENGTH = 23  # Mastodon reserves X's t.co length per URL.


@dataclass(frozen=True)
class UrlSpan:
    start: int  # code point offsets into the text
    end: int
    url: str


def find_urls(text: str) -> list[UrlSpan]:
    """Scheme URLs (http, https) in `text`, in order."""
    spans = [_trimmed(m.start(), m.group()) for m in _SCHEME_URL.finditer(text)]
    return [s for s in spans if s.url]


def _trimmed(start: int, url: str) -> UrlSpan:
    while url:
        last = url[-1]
        if (
            last in _TRAILING_PUNCTUATION
            or (last == ")" and url.count("(") < url.count(")"))
            or (last == "]" and url.count("[") < url.count("]"))
        ):
            url = url[:-1]
        else:
            break
    return UrlSpan(start, start + len(url), url)


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def utf8_bytes(text: str) -> int:
    # surrogatepass: a lone surrogate from a broken paste must not crash a counter.
    return len(text.encode("utf-8", "surrogatepass"))


# -- X: twitter-text ------------------------------------------------------------
# X counts with its twitter-text library (configuration v3: weighted code points,
# emoji sequences as one, every URL 23, bare domains of any TLD as URLs); the
# Python port passes the library's conformance suite, which the tests run too.
#
# The port's URL pattern backtracks badly on long host-like runs ("a.a.a.…" or
# "www.a-a-a-…": seconds for a few hundred characters). So the text is counted a
# whitespace-separated piece at a time (no URL spans whitespace), and a piece that
# no real URL could be (more dots than any host carries, or a run before the first
# "/", "?" or "#" longer than a host name may be) is weighed as plain text: the work
# then grows linearly with the text, a few milliseconds per piece at worst.
X_MAX_URL_DOTS = 12
X_MAX_HOST_RUN = 270  # scheme, a 253-character host name and a port
_X_PIECES = regex.compile(r"(\s+)")
_X_HOST_RUN = regex.compile(r"[^/?#]+")


def _x_weight(piece: str) -> int:
    if piece.count(".") > X_MAX_URL_DOTS or any(len(run) > X_MAX_HOST_RUN for run in _X_HOST_RUN.findall(piece)):
        # Full stops and commas weigh the same; without a dot nothing is a URL.
        piece = piece.replace(".", ",")
    return parse_tweet(piece).weightedLength


def count_x(text: str) -> int:
    # twitter-text encodes the text; a lone surrogate (no character at all, but a Python
    # string may hold one) would raise there, so it counts as the replacement character.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return sum(_x_weight(piece) for piece in _X_PIECES.split(text) if piece)


# -- Mastodon: StatusLengthValidator --------------------------------------------
# Graphemes of the text with each scheme URL replaced by 23 characters and each
# remote mention shortened to its username. Bare domains are not links there.
def count_mastodon(text: str) -> int:
    parts, position = [], 0
    for span in find_urls(text):
        parts.append(text[position : span.start])
        parts.append("x" * URL_LENGTH)
        position = span.end
    parts.append(text[position:])
    countable = _MASTODON_MENTION.sub(r"@\1", "".join(parts))
    return graphemes(countable)


@dataclass(frozen=True)
class TextRule:
    network: str
    max_chars: int | None  # None: no limit
    counter: Callable[[str], int]
    max_bytes: int | None = None
    # Whether `compose` puts the link into the text (LinkedIn shows it as a card only).
    link_in_text: bool = True


@dataclass(frozen=True)
class TextProblem:
    """A validation failure as data; the Django side turns `code` into a translated message."""

    code: str  # "too_long" (characters) or "too_many_bytes"
    limit: int
    count: int


RULES: dict[str, TextRule] = {
    "bluesky": TextRule("bluesky", 300, graphemes, max_bytes=3000),
    "x": TextRule("x", 280, count_x),
    "mastodon": TextRule("mastodon", 500, count_mastodon),
    "linkedin": TextRule("linkedin", 3000, len, link_in_text=False),
    "facebook": TextRule("facebook", None, graphemes, link_in_text=False),
}


def rule(network: str) -> TextRule:
    """The network's rule: from this table, or from the adapter of a network that brings its own."""
    found = RULES.get(network)
    if found is None:
        from networks import ADAPTERS  # the registry imports every adapter, and they import this module

        adapter = ADAPTERS.get(network)
        found = adapter.text_rule if adapter is not None else None
    if found is None:
        raise ValueError(f"unknown network {network!r}")
    return found


def count(network: str, text: str) -> int:
    """Length of `text` as `network` counts it against its limit."""
    return rule(network).counter(text)


def limit(network: str, *, max_chars: int | None = None) -> int | None:
    """The character limit; `max_chars` is the profile's server's own (Adapter.profile_max_chars)."""
    if max_chars:
        return max_chars
    return rule(network).max_chars


def validate(network: str, text: str, *, max_chars: int | None = None) -> list[TextProblem]:
    """Problems with the composed `text` on `network`; empty when it fits."""
    text_rule = rule(network)
    problems = []
    char_limit = limit(network, max_chars=max_chars)
    if char_limit is not None:
        length = text_rule.counter(text)
        if length > char_limit:
            problems.append(TextProblem("too_long", char_limit, length))
    if text_rule.max_bytes is not None:
        size = utf8_bytes(text)
        if size > text_rule.max_bytes:
            problems.append(TextProblem("too_many_bytes", text_rule.max_bytes, size))
    return problems


def compose(network: str, text: str, link: str | None) -> str:
    """The text the network receives: the link goes last, after a blank line.

    Not added when the text already contains the link, nor on networks that
    show the link as a card only (LinkedIn) or take no text (Facebook).
    """
    if not link or not rule(network).link_in_text or link in text:
        return text
    if not text.strip():
        return link
    return f"{text.rstrip()}\n\n{link}"
