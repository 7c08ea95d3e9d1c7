"""A share to X retried after its worker died mid-post ends posted with the tweet's id."""

from __future__ import annotations

from datetime import timedelta

import httpx
import respx
from django.utils import timezone

from advocacy import links, services
from advocacy.models import Share
from tests.factories import SocialProfileFactory

API = "https://api.x.com"
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}


@respx.mock
def test_a_share_retried_after_a_dead_worker_is_posted_with_the_tweet_that_got_through(
    cast, post, django_capture_on_commit_callbacks, monkeypatch
):
    profile = SocialProfileFactory(owner_membership=cast.emma, network="x", handle="@emma", extra={"username": "emma"})
    with django_capture_on_commit_callbacks(execute=False):
        (share,) = services.shares_create(
            member=cast.emma, actor=cast.emma.user, post=post, profiles=[profile], comment="Proud of this"
        )
    # The first worker's post reached X, then the worker died before storing the id.
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.POSTING, posting_started_at=timezone.now() - timedelta(minutes=10), attempts=1
    )
    monkeypatch.setattr("advocacy.services._queue_push", lambda share_id, countdown=None: None)
    assert services.shares_requeue_stuck() == 1

    short = links.short_url(share.tracked_link.code)
    sent_text = Share.objects.get(pk=share.pk).final_text
    respx.post(f"{API}/2/tweets").mock(return_value=httpx.Response(403, json=DUPLICATE))
    respx.get(f"{API}/2/users/me").mock(
        return_value=httpx.Response(200, json={"data": {"id": "99", "username": "emma", "name": "Emma"}})
    )
    respx.get(f"{API}/2/users/99/tweets").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "id": "1790000000000000042",
                        "text": sent_text.replace(short, "https://t.co/Qq1Ww2Ee3R"),
                        "entities": {"urls": [{"url": "https://t.co/Qq1Ww2Ee3R", "expanded_url": short}]},
                        "edit_history_tweet_ids": ["1790000000000000042"],
                    }
                ],
                "meta": {"result_count": 1},
            },
        )
    )
    assert services.share_push(share_id=share.id) == Share.Status.POSTED
    share.refresh_from_db()
    assert (share.status, share.remote_id) == ("posted", "1790000000000000042")
    assert share.remote_url == "https://x.com/emma/status/1790000000000000042"
    assert share.last_error == ""
