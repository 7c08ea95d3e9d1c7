"""In-process caches are bounded by bytes, not only by entries."""

from __future__ import annotations

from django.core.cache import caches

from config.bounded import BoundedCache
from config.cache import ByteBoundedLocMemCache
from content.selectors import topic_list_for_organization
from employees.models import Organization
from tests.factories import TopicFactory


def _fragments(max_bytes: int, max_entries: int = 100) -> ByteBoundedLocMemCache:
    cache = ByteBoundedLocMemCache(
        f"test-bounded-{max_bytes}-{max_entries}", {"OPTIONS": {"MAX_ENTRIES": max_entries, "MAX_BYTES": max_bytes}}
    )
    cache.clear()
    return cache


def test_the_feed_card_cache_is_bounded_by_bytes():
    assert isinstance(caches["fragments"], ByteBoundedLocMemCache)


def test_large_values_push_out_the_least_recently_used_until_they_fit():
    cache = _fragments(max_bytes=10_000)
    for number in range(5):
        cache.set(f"card-{number}", "x" * 3_000)
    assert cache.bytes_held <= 10_000
    assert cache.get("card-0") is None  # the oldest went first
    assert cache.get("card-4") is not None


def test_a_value_larger_than_the_bound_is_not_kept_and_replacing_counts_once():
    cache = _fragments(max_bytes=10_000)
    cache.set("small", "x" * 100)
    cache.set("huge", "x" * 50_000)
    assert cache.get("huge") is None
    held = cache.bytes_held
    cache.set("small", "y" * 100)
    assert cache.bytes_held == held
    cache.delete("small")
    assert cache.bytes_held == 0


def test_entries_stay_bounded_too():
    cache = _fragments(max_bytes=1_000_000, max_entries=3)
    for number in range(10):
        cache.set(f"k{number}", number)
    assert len(cache._cache) <= 3
    assert cache.get("k9") == 9


def test_the_bounded_cache_drops_by_bytes_and_by_entries():
    cache = BoundedCache(max_entries=3, max_bytes=100)
    cache.set("a", 1, size=60)
    cache.set("b", 2, size=30)
    assert cache.get("a") == 1  # now the most recently used
    cache.set("c", 3, size=30)
    assert (cache.get("b"), cache.get("a"), cache.get("c")) == (None, 1, 3)
    cache.set("d", 4, size=500)
    assert cache.get("d") is None
    for key in "efgh":
        cache.set(key, key, size=1)
    assert len(cache) == 3
    assert cache.bytes <= 100


def test_topics_are_read_once_per_version_and_a_change_is_seen_at_once(cast, django_assert_num_queries):
    TopicFactory(organization=cast.org, name="Hiring")
    org = Organization.objects.get(pk=cast.org.pk)
    with django_assert_num_queries(1):
        assert [topic.name for topic in topic_list_for_organization(org)] == ["Hiring"]
    with django_assert_num_queries(0):
        assert [topic.name for topic in topic_list_for_organization(org)] == ["Hiring"]
    renamed = cast.org.topics.get()
    renamed.name = "Careers"
    renamed.save()
    TopicFactory(organization=cast.org, name="Awards")
    org = Organization.objects.get(pk=cast.org.pk)
    assert [topic.name for topic in topic_list_for_organization(org)] == ["Awards", "Careers"]
    cast.org.topics.filter(name="Awards").get().delete()
    org = Organization.objects.get(pk=cast.org.pk)
    assert [topic.name for topic in topic_list_for_organization(org)] == ["Careers"]
