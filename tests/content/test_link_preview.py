from __future__ import annotations

from content.link_preview import post_preview_refresh
from content.models import Post
from content.tasks import post_link_preview_task
from tests.factories import PostFactory


def _refreshed(link_url: str) -> Post:
    post = PostFactory(link_url=link_url, preview_status=Post.PreviewStatus.PENDING)
    post_preview_refresh(post=post)
    post.refresh_from_db()
    return post


def test_it_reads_open_graph_tags_and_resolves_a_relative_image_against_the_final_address(web, db):
    post = _refreshed(web.url("/go-og"))
    assert post.preview_status == "ok"
    assert post.preview_title == "Acme wins & celebrates"
    assert post.preview_description == "The whole story, in a sentence."
    # The page was reached through a redirect to /nested/og.html; "../img" is relative to that.
    assert post.preview_image_url == web.url("/img/cover.png")
    assert (post.preview_error, post.preview_fetched_at is not None) == ("", True)


def test_it_falls_back_to_twitter_tags_the_title_and_the_meta_description(web, db):
    post = _refreshed(web.url("/twitter.html"))
    assert post.preview_status == "ok"
    assert post.preview_title == "Fallback title"
    assert post.preview_description == "Meta description wins over nothing"
    assert post.preview_image_url == "https://cdn.example/card.jpg"


def test_it_decodes_a_page_in_the_charset_it_declares(web, db):
    assert _refreshed(web.url("/latin1.html")).preview_title == "Fødselsdag på kontoret"


def test_it_keeps_only_http_images(web, db):
    post = _refreshed(web.url("/javascript-image.html"))
    assert (post.preview_status, post.preview_title, post.preview_image_url) == ("ok", "Sneaky", "")


def test_a_long_title_is_cut_to_fit(web, db):
    post = _refreshed(web.url("/long-title.html"))
    assert len(post.preview_title) == Post._meta.get_field("preview_title").max_length
    assert post.preview_title.endswith("…")


def test_a_page_without_title_or_description_fails_with_a_reason(web, db):
    post = _refreshed(web.url("/no-meta.html"))
    assert post.preview_status == "failed"
    assert post.preview_error == "The page has no title or description to show."


def test_a_link_to_a_file_is_not_a_page(web, db):
    post = _refreshed(web.url("/image.png"))
    assert post.preview_status == "failed"
    assert "image/png" in post.preview_error


def test_a_failed_fetch_leaves_the_post_usable_with_the_reason(web, db):
    post = PostFactory.published(link_url=web.url("/gone"), title="Still here")
    post_preview_refresh(post=post)
    post.refresh_from_db()
    assert (post.preview_status, post.status, post.title) == ("failed", "published", "Still here")
    assert "HTTP 404" in post.preview_error


def test_a_private_address_is_refused_when_private_addresses_are_not_allowed(web, db, settings):
    settings.NETWORKS_ALLOW_PRIVATE_HOSTS = False
    post = _refreshed(web.url("/nested/og.html"))
    assert post.preview_status == "failed"
    assert "is not a public internet address" in post.preview_error
    assert web.requests == []


def test_a_preview_for_a_link_that_changed_meanwhile_is_not_stored(web, db):
    post = PostFactory(link_url=web.url("/nested/og.html"), preview_status=Post.PreviewStatus.PENDING)
    Post.objects.filter(pk=post.pk).update(link_url=web.url("/twitter.html"))
    post_preview_refresh(post=post)
    post.refresh_from_db()
    assert (post.preview_status, post.preview_title) == ("pending", "")


def test_the_task_refreshes_the_preview_by_id_and_ignores_a_missing_post(web, db):
    post = PostFactory(link_url=web.url("/articles/launch"), preview_status=Post.PreviewStatus.PENDING)
    post_link_preview_task.delay(post.id)
    post.refresh_from_db()
    assert (post.preview_status, post.preview_title) == ("ok", "Article launch")
    post_link_preview_task.delay(post.id + 1000)
