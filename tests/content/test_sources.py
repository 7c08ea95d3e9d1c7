from __future__ import annotations

import pytest
from django.urls import reverse

from content.feeds import feed_source_poll
from content.models import FeedSource, Post
from tests.factories import TopicFactory


def _source(org, url: str = "https://news.example/feed", **kwargs) -> FeedSource:
    return FeedSource.objects.create(organization=org, name=kwargs.pop("name", "Newsroom"), url=url, **kwargs)


def _form(**overrides) -> dict:
    return {"name": "Newsroom", "url": "https://news.example/feed", "creates": "draft", "is_active": "on"} | overrides


def test_an_empty_list_explains_what_a_source_is(cast, login):
    response = login(cast.carol).get(reverse("content:source_list"))
    page = response.content.decode()
    assert "A source is an RSS or Atom feed" in page
    assert reverse("content:source_create") in page


def test_the_list_shows_each_sources_status_with_errors_in_red(cast, login):
    _source(cast.org, name="Blog", last_error="The server took too long to answer.", items_imported=7)
    _source(cast.other_org, url="https://other.example/feed", name="Not ours")
    page = login(cast.carol).get(reverse("content:source_list")).content.decode()
    assert "Blog" in page and ">7<" in page
    assert '<span class="error small">The server took too long to answer.</span>' in page
    assert "Not ours" not in page


def test_adding_a_source_saves_it_and_checks_the_feed_at_once(cast, login, web, django_capture_on_commit_callbacks):
    topic = TopicFactory(organization=cast.org, name="News")
    client = login(cast.carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("content:source_create"), _form(url=web.url("/rss.xml"), topics=[topic.id], creates="suggestion")
        )
    assert response.status_code == 302
    source = FeedSource.objects.get(organization=cast.org)
    assert (source.name, source.creates, list(source.topics.all())) == ("Newsroom", "suggestion", [topic])
    assert "Checking the feed" in client.get(response.url).content.decode()
    assert source.entries.count() == 3
    assert set(Post.objects.filter(organization=cast.org).values_list("status", flat=True)) == {"pending_approval"}


def test_a_feed_already_added_gives_an_error_on_the_address(cast, login):
    _source(cast.org, name="Blog")
    response = login(cast.carol).post(reverse("content:source_create"), _form())
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["This feed is already a source: Blog."]
    assert FeedSource.objects.filter(organization=cast.org).count() == 1


def test_another_organization_may_add_the_same_feed(cast, login):
    _source(cast.other_org)
    assert login(cast.carol).post(reverse("content:source_create"), _form()).status_code == 302
    assert FeedSource.objects.filter(organization=cast.org).exists()


def test_only_web_addresses_are_accepted(cast, login):
    response = login(cast.carol).post(reverse("content:source_create"), _form(url="ftp://news.example/feed"))
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["Enter a web address (http or https)."]


def test_another_organizations_topic_cannot_be_chosen(cast, login):
    theirs = TopicFactory(organization=cast.other_org)
    response = login(cast.carol).post(reverse("content:source_create"), _form(topics=[theirs.id]))
    assert response.status_code == 400
    assert "topics" in response.context["form"].errors


def test_editing_a_source_changes_it_and_a_new_address_forgets_the_old_validators(cast, login):
    source = _source(cast.org, etag='"abc"', last_modified="Tue, 14 Nov 2023 22:13:20 GMT")
    topic = TopicFactory(organization=cast.org)
    client = login(cast.carol)
    assert (
        'value="https://news.example/feed"'
        in client.get(reverse("content:source_edit", args=[source.id])).content.decode()
    )
    response = client.post(
        reverse("content:source_edit", args=[source.id]),
        _form(name="Press", url="https://news.example/press.xml", topics=[topic.id]),
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.url, source.etag, source.last_modified) == (
        "Press",
        "https://news.example/press.xml",
        "",
        "",
    )
    assert list(source.topics.all()) == [topic]


def test_saving_a_source_under_its_own_address_is_not_a_duplicate(cast, login):
    source = _source(cast.org)
    response = login(cast.carol).post(
        reverse("content:source_edit", args=[source.id]), _form(name="Renamed", is_active="")
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.is_active) == ("Renamed", False)


def test_deleting_a_source_keeps_the_posts_it_created(cast, login, web):
    source = _source(cast.org, url=web.url("/rss.xml"))
    feed_source_poll(source=source)
    response = login(cast.carol).post(reverse("content:source_delete", args=[source.id]))
    assert response.status_code == 302
    assert not FeedSource.objects.filter(pk=source.pk).exists()
    assert Post.objects.filter(organization=cast.org).count() == 3


def test_checking_now_queues_a_poll_and_returns_to_the_list(cast, login, web, django_capture_on_commit_callbacks):
    source = _source(cast.org, url=web.url("/rss.xml"))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.carol).post(reverse("content:source_poll", args=[source.id]))
    assert response.url == reverse("content:source_list")
    source.refresh_from_db()
    assert (source.items_imported, source.last_error) == (3, "")


def test_checking_now_with_htmx_returns_just_the_row(cast, login):
    source = _source(cast.org)
    response = login(cast.carol).post(reverse("content:source_poll", args=[source.id]), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<tr id="source-{source.id}"')
    assert "Checking the feed…" in page and "<html" not in page


def test_a_paused_source_is_not_checked(cast, login, django_capture_on_commit_callbacks):
    source = _source(cast.org, is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(cast.carol).post(reverse("content:source_poll", args=[source.id]), follow=True)
    assert callbacks == []
    assert "This source is paused" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "name", "needs_id"),
    [
        ("get", "content:source_list", False),
        ("get", "content:source_create", False),
        ("get", "content:source_edit", True),
        ("post", "content:source_delete", True),
        ("post", "content:source_poll", True),
    ],
)
def test_an_employee_may_not_manage_sources(cast, login, method, name, needs_id):
    source = _source(cast.org)
    url = reverse(name, args=[source.id] if needs_id else [])
    assert getattr(login(cast.emma), method)(url).status_code == 403
    assert FeedSource.objects.filter(pk=source.pk).exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "content:source_edit"), ("post", "content:source_delete"), ("post", "content:source_poll")],
)
def test_another_organizations_source_is_not_found(cast, login, method, name):
    source = _source(cast.org)
    assert getattr(login(cast.olga), method)(reverse(name, args=[source.id])).status_code == 404
    assert FeedSource.objects.filter(pk=source.pk).exists()
