from __future__ import annotations

import pytest

from content import feeds
from content.feeds import feed_source_poll
from content.models import FeedEntry, FeedSource, Post
from content.tasks import feed_sources_poll_task
from tests.content.http_server import ETAG, LAST_MODIFIED
from tests.factories import OrganizationFactory, PostFactory, TopicFactory


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme")


def _source(org, url: str, **kwargs) -> FeedSource:
    topics = kwargs.pop("topics", [])
    source = FeedSource.objects.create(organization=org, name=kwargs.pop("name", "Newsroom"), url=url, **kwargs)
    source.topics.set(topics)
    return source


def test_new_items_become_drafts_with_the_sources_topics(web, org):
    topic = TopicFactory(organization=org, name="News")
    source = _source(org, web.url("/rss.xml"), topics=[topic])
    assert feed_source_poll(source=source) == 3
    posts = Post.objects.filter(organization=org).order_by("title")
    assert [post.title for post in posts] == ["First", "Second", "Third & newest"]
    first = posts[0]
    assert (first.status, first.source, first.preview_status) == ("draft", "rss", "pending")
    # A relative link resolves against the feed's address.
    assert first.link_url == web.url("/articles/1")
    assert first.body == "Summary of First."
    assert list(first.topics.all()) == [topic]
    assert (source.items_imported, source.last_error, source.etag) == (3, "", "")
    assert source.last_polled_at == source.last_success_at is not None


def test_a_second_poll_imports_nothing_new(web, org):
    source = _source(org, web.url("/rss.xml"))
    feed_source_poll(source=source)
    assert feed_source_poll(source=source) == 0
    assert Post.objects.count() == 3
    assert source.items_imported == 3


def test_a_link_already_in_the_library_is_not_imported_again_from_another_feed(web, org):
    PostFactory(organization=org, link_url=web.url("/articles/2"))
    feed_source_poll(source=_source(org, web.url("/rss.xml")))
    copy = _source(org, web.url("/rss-copy.xml"), name="Copy")
    assert feed_source_poll(source=copy) == 1
    assert Post.objects.filter(organization=org, link_url=web.url("/articles/3")).count() == 1
    assert Post.objects.filter(organization=org, link_url=web.url("/articles/2")).count() == 1
    # Skipped items are remembered so they are not checked again.
    assert set(copy.entries.values_list("guid", flat=True)) == {"copy-3", "copy-9"}
    assert copy.entries.get(guid="copy-3").post is None


def test_another_organization_imports_the_same_feed_independently(web, org):
    feed_source_poll(source=_source(org, web.url("/rss.xml")))
    other = OrganizationFactory()
    assert feed_source_poll(source=_source(other, web.url("/rss.xml"))) == 3


def test_an_atom_feed_is_imported_with_html_stripped_from_titles(web, org):
    assert feed_source_poll(source=_source(org, web.url("/atom.xml"))) == 2
    titles = set(Post.objects.values_list("title", flat=True))
    assert titles == {"Scaling everything", "Hello, engineering"}
    assert Post.objects.get(title="Hello, engineering").body == "First post."


def test_the_stored_etag_and_date_make_the_next_poll_conditional(web, org):
    source = _source(org, web.url("/conditional.xml"))
    assert feed_source_poll(source=source) == 1
    assert (source.etag, source.last_modified) == (ETAG, LAST_MODIFIED)
    first_success = source.last_success_at
    assert feed_source_poll(source=source) == 0
    sent = web.headers_for("/conditional.xml")[-1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == (ETAG, LAST_MODIFIED)
    assert (source.last_error, source.etag) == ("", ETAG)
    assert source.last_success_at > first_success


def test_a_source_for_suggestions_puts_new_items_in_the_approval_queue(web, org):
    source = _source(org, web.url("/rss.xml"), creates=FeedSource.Creates.SUGGESTION)
    feed_source_poll(source=source)
    assert set(Post.objects.values_list("status", flat=True)) == {"pending_approval"}
    assert "Newsroom" in Post.objects.first().suggestion_reason


def test_at_most_fifty_new_items_are_imported_newest_first(web, org):
    source = _source(org, web.url("/many.xml?n=60"))
    assert feed_source_poll(source=source) == feeds.MAX_NEW_ITEMS == 50
    titles = set(Post.objects.values_list("title", flat=True))
    assert "Story 0" in titles and "Story 49" in titles and "Story 50" not in titles
    # The older rest is remembered, not trickled in as old drafts at later polls.
    assert FeedEntry.objects.filter(source=source).count() == 60
    assert feed_source_poll(source=source) == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/malformed.xml", "This address does not serve an RSS or Atom feed."),
        ("/page.html", "This address does not serve an RSS or Atom feed."),
        ("/laughs.xml", "The feed declares XML entities, which are refused for safety."),
        ("/gone.xml", "HTTP 404"),
    ],
)
def test_a_feed_that_cannot_be_used_stores_the_reason_and_creates_nothing(web, org, path, message):
    source = _source(org, web.url(path))
    assert feed_source_poll(source=source) == 0
    assert message in source.last_error
    assert source.last_polled_at is not None and source.last_success_at is None
    assert not Post.objects.exists() and not FeedEntry.objects.exists()


def test_a_sloppy_feed_is_still_read(web, org):
    assert feed_source_poll(source=_source(org, web.url("/sloppy.xml"))) == 1
    assert Post.objects.get().title == "Fish & chips day"


def test_a_loopback_feed_is_refused_when_private_addresses_are_not_allowed(web, org, settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    source = _source(org, web.url("/rss.xml"))
    feed_source_poll(source=source)
    assert "is not a public internet address" in source.last_error
    assert web.requests == []


def test_a_success_clears_the_previous_error(web, org):
    source = _source(org, web.url("/rss.xml"), last_error="The server took too long to answer.")
    feed_source_poll(source=source)
    assert source.last_error == ""


def test_an_unexpected_failure_is_stored_not_raised(web, org, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(feeds, "_import_items", explode)
    source = _source(org, web.url("/rss.xml"))
    assert feed_source_poll(source=source) == 0
    assert "Something went wrong" in source.last_error


def test_link_previews_are_queued_once_the_import_commits(web, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        feed_source_poll(source=_source(org, web.url("/rss.xml")))
    assert len(callbacks) == 3
    post = Post.objects.get(link_url=web.url("/articles/2"))
    assert (post.preview_status, post.preview_title) == ("ok", "Article 2")


def test_polling_every_source_carries_on_past_a_broken_one(web, org):
    broken = _source(org, web.url("/malformed.xml"), name="Broken")
    good = _source(org, web.url("/rss.xml"), name="Good")
    paused = _source(org, web.url("/atom.xml"), name="Paused", is_active=False)
    assert feed_sources_poll_task.delay().get() == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    paused.refresh_from_db()
    assert broken.last_error and good.items_imported == 3 and paused.last_polled_at is None
