"""Properties that hold for any input, checked with hypothesis.

Text rules, share validation, the CSV importer, the feed parser and the tracked-link
resolver each take text or bytes from outside: from a colleague, a spreadsheet, a
feed on the internet, a link in a post. None may fail other than in the ways it
says it does.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
import regex
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from advocacy import services
from advocacy.models import TrackedLink
from content import feeds
from content.fetching import FetchResult
from content.models import CaptionSuggestion, ComplianceSettings
from employees.csv_import import ImportReport, invitations_import_csv
from networks import text as network_text
from tests.factories import PostFactory, SocialProfileFactory

DB_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any code point, lone surrogates from a broken paste included.
ANY_CHARACTER = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHARACTER, max_size=400)
# Text that looks like what people write: words, links, mentions, emoji, joiners.
PIECES = st.sampled_from(
    [
        "Proud ",
        "of the team! ",
        "https://example.com/news?id=1 ",
        "example.dk/path ",
        "@emma@social.example ",
        "#ansat ",
        "👩‍👩‍👧‍👦",
        "🇩🇰",
        "1️⃣",
        "e\u0301",
        "\u200d",
        "\ufe0f",
        "\u202e",
        "\n\n",
        "日本語",
        "x" * 280,
    ]
)
WRITTEN_TEXT = st.lists(st.one_of(PIECES, ANY_TEXT), max_size=12).map("".join)
NETWORKS = st.sampled_from(sorted(network_text.RULES))


# -- text rules --------------------------------------------------------------------


@settings(max_examples=300)
@given(network=NETWORKS, text=st.one_of(ANY_TEXT, WRITTEN_TEXT), link=st.one_of(st.none(), ANY_TEXT))
def test_counting_validating_and_composing_never_fail(network, text, link):
    composed = network_text.compose(network, text, link)
    assert isinstance(composed, str)
    assert network_text.count(network, composed) >= 0
    for problem in network_text.validate(network, composed, max_chars=None):
        assert problem.count > problem.limit
    network_text.validate("mastodon", composed, max_chars=11)


@settings(max_examples=300)
@given(text=st.one_of(ANY_TEXT, WRITTEN_TEXT))
def test_bluesky_counts_grapheme_clusters(text):
    assert network_text.count("bluesky", text) == len(regex.findall(r"\X", text))


# -- share validation ---------------------------------------------------------------


@pytest.fixture
def sharing(cast):
    post = PostFactory.published(organization=cast.org, title="Our new office", link_url="https://example.com/office")
    CaptionSuggestion.objects.create(post=post, text="Proud to open our new office in Aarhus today!")
    ComplianceSettings.objects.create(organization=cast.org, blocked_phrases="confidential\nsecret plan")
    profile = SocialProfileFactory(owner_membership=cast.emma, network="mastodon", handle="@emma@social.example")
    return cast.emma, post, profile


@DB_SETTINGS
@given(comment=st.one_of(ANY_TEXT, WRITTEN_TEXT, st.just("a confidential note")))
def test_a_share_is_refused_with_a_reason_or_made(sharing, django_capture_on_commit_callbacks, comment):
    member, post, profile = sharing
    with transaction.atomic(), django_capture_on_commit_callbacks(execute=False):
        try:
            shares = services.shares_create(
                member=member, actor=member.user, post=post, profiles=[profile], comment=comment
            )
        except ValidationError as error:
            assert error.messages
            event("refused")
        else:
            event("shared")
            (share,) = shares
            assert share.final_text and share.tracked_link.code in share.final_text
        transaction.set_rollback(True)


# -- CSV import -----------------------------------------------------------------------

ODD_CELL = st.text(ANY_CHARACTER.filter(lambda c: c not in "\r\n"), max_size=30)
EMAIL = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,5})?@[a-z]{1,8}\.(dk|com|test)", fullmatch=True)


def _cell(*usual: str, extra=None):
    """Mostly a value the importer knows, sometimes anything at all."""
    known = st.sampled_from(usual) if extra is None else st.one_of(st.sampled_from(usual), extra)
    return st.one_of(known, known, known, ODD_CELL)


ROW = st.tuples(
    _cell("Emma Hansen", "Søren Ærø", '"Quoted, name"', ""),
    _cell("emma@acme.test", "not-an-email", "", extra=EMAIL),
    _cell("Nordics", "Sales;Marketing", "Unknown team", ""),
    _cell("employee", "admin|comms", "leder", "kommunikation", "boss", ""),
).map(list)
CSV_TEXT = st.tuples(
    st.sampled_from([",", ";"]),
    st.lists(ROW, max_size=8),
    st.sampled_from(["\n", "\r\n", "\r"]),
).map(lambda t: t[2].join([t[0].join(["name", "email", "team", "roles"])] + [t[0].join(row) for row in t[1]]))
CSV_BYTES = st.one_of(
    st.binary(max_size=2000),
    CSV_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    CSV_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    CSV_TEXT.map(lambda text: text.encode("utf-16", "surrogatepass")),
)


def _data_lines(data: bytes) -> list[int]:
    """The lines the importer must account for: readable, not blank, after the header."""
    readable = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").splitlines(), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text.strip() and "\x00" not in text:
            readable.append(number)
    return readable[1:]


@DB_SETTINGS
@given(data=CSV_BYTES)
def test_the_csv_importer_reports_on_every_line_of_any_file(cast, django_capture_on_commit_callbacks, data):
    with transaction.atomic(), django_capture_on_commit_callbacks(execute=False):
        report = invitations_import_csv(organization=cast.org, data=data, invited_by=cast.alice.user)
        transaction.set_rollback(True)
    assert isinstance(report, ImportReport)
    event("file refused" if report.file_error else "some invited" if report.invited else "none invited")
    if not report.file_error:
        lines = set(_data_lines(data))
        reported = {error.line for error in report.errors} & lines
        assert len(report.invited) + len(reported) == len(lines)
    for error in report.errors:
        assert error.reasons


# -- feed parsing ---------------------------------------------------------------------

XML_TEXT = st.text(ANY_CHARACTER.filter(lambda c: c not in "\x00"), max_size=60)
FEED_XML = st.tuples(XML_TEXT, XML_TEXT, XML_TEXT, st.sampled_from(["", "<!DOCTYPE x [<!ENTITY a 'b'>]>"])).map(
    lambda t: (
        f'<?xml version="1.0" encoding="utf-8"?>{t[3]}<rss version="2.0"><channel><title>Feed</title>'
        f"<item><title>{t[0]}</title><link>{t[1]}</link><description>{t[2]}</description>"
        f"<guid>{t[0][:10]}</guid></item></channel></rss>"
    ).encode("utf-8", "surrogatepass")
)


@settings(max_examples=150, deadline=None)
@given(data=st.one_of(st.binary(max_size=3000), FEED_XML))
def test_any_bytes_either_parse_as_a_feed_or_are_refused_with_a_message(data):
    result = FetchResult(
        status=200,
        headers=httpx.Headers({"content-type": "application/rss+xml"}),
        content=data,
        final_url="https://example.com/feed.xml",
    )
    try:
        parsed = feeds.feed_parse(result=result)
    except feeds.FeedError as error:
        assert error.message
        event("refused")
        return
    event("parsed")
    for item in feeds._items(parsed, result.final_url):
        assert item["guid"]
        assert not item["link"] or item["link"].startswith(("http://", "https://"))


# -- tracked links ----------------------------------------------------------------------


@DB_SETTINGS
@given(
    code=st.one_of(st.text(ANY_CHARACTER.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=40), st.just(""))
)
def test_a_tracked_link_redirects_to_its_stored_target_or_is_not_found(world, client, code):
    client.raise_request_exception = False
    targets = dict(TrackedLink.objects.values_list("code", "target_url"))
    for candidate in (code, world.link.code, world.link.code.lower(), world.link.code + code):
        response = client.get("/l/" + quote(candidate, safe=""))
        assert response.status_code in (302, 404), (candidate, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == targets[candidate]
