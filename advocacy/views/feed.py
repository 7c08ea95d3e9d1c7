from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from advocacy import amplify, selectors
from config.htmx import HtmxHttpRequest, vary_on_htmx
from config.params import id_param
from content.dial import dial_of
from content.selectors import topic_list_for_organization
from employees.access import membership_required
from employees.models import Role

POSTS_PER_PAGE = 10
# Far beyond any feed; a larger number would overflow the database's OFFSET.
MAX_PAGE = 100_000
# A visit ends after this long without opening the feed; "new" means published
# since the previous visit began.
VISIT_GAP = timedelta(minutes=30)
SEEN_KEY, PREVIOUS_KEY = "feed_seen_at", "feed_previous_visit"


def _last_visit(session) -> timezone.datetime | None:
    """When the previous visit started; the session is written only when a new visit starts."""
    now = timezone.now()
    seen = parse_datetime(session.get(SEEN_KEY, "") or "")
    if seen is None or now - seen > VISIT_GAP:
        session[PREVIOUS_KEY] = seen.isoformat() if seen else ""
    if seen is None or now - seen > VISIT_GAP / 6:
        session[SEEN_KEY] = now.isoformat()
    return parse_datetime(session.get(PREVIOUS_KEY, "") or "")


@membership_required(Role.EMPLOYEE)
@require_GET
@vary_on_htmx
def feed(request: HtmxHttpRequest) -> HttpResponse:
    topic = request.GET.get("topic", "")
    topic_id = id_param(topic)
    page_param = request.GET.get("page", "1")
    number = min(max(int(page_param), 1), MAX_PAGE) if page_param.isdecimal() and len(page_param) < 10 else 1
    posts = selectors.post_list_for_feed(membership=request.membership, topic_id=topic_id).only(
        *selectors.FEED_CARD_FIELDS
    )
    # One more row than shown tells whether there is a next page, without a COUNT.
    start = (number - 1) * POSTS_PER_PAGE
    rows = list(posts[start : start + POSTS_PER_PAGE + 1])
    items, has_next = rows[:POSTS_PER_PAGE], len(rows) > POSTS_PER_PAGE
    topics = topic_list_for_organization(request.membership.organization)
    selectors.feed_markers(posts=items, last_visit=_last_visit(request.session))
    selectors.feed_topic_names(posts=items, topics=topics)
    selectors.feed_first_images(posts=items)
    selectors.feed_card_keys(posts=items)
    amplify.feed_amplifiable(posts=items, membership=request.membership)
    context = {
        "posts": items,
        "next_page": number + 1 if has_next else None,
        "topic_id": topic_id,
        "topics": topics,
        "topics_key": selectors.feed_topics_key(topics=topics, topic_id=topic_id),
        # The control dial: employees may write posts; the comms team takes them down.
        "can_write": dial_of(request.membership.organization).employees_write,
        "can_take_down": request.membership.has_role(Role.COMMS),
        "can_review": request.membership.has_role(Role.COMMS, Role.MANAGER)
        and dial_of(request.membership.organization).employees_write,
    }
    template = "advocacy/feed.html#feed_page" if request.htmx and number > 1 else "advocacy/feed.html"
    return render(request, template, context)
