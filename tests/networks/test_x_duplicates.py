"""X refuses a retried post as duplicate content: the tweet that got through is found
on the member's timeline (GET /2/users/:id/tweets, documented shapes) and its id kept."""

from __future__ import annotations

import json

import httpx
import pytest

from networks.base import Credentials, DuplicateContent, RetryLater
from networks.x import XAdapter

TWEETS = "https://api.x.com/2/tweets"
ME = "https://api.x.com/2/users/me"
TIMELINE = "https://api.x.com/2/users/2244994945/tweets"
LINK = "https://go.example/l/Ab12Cd34"
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}


def adapter() -> XAdapter:
    return XAdapter(Credentials(access_token="x-token", extra={"username": "emma"}))


def tweet(tweet_id: str, text: str, *, links: dict[str, str] | None = None) -> dict:
    """A tweet as the timeline returns it: links shortened to t.co, with entities."""
    entities = []
    for original, short in (links or {}).items():
        start = text.index(original)
        text = text.replace(original, short)
        entities.append(
            {
                "start": start,
                "end": start + len(short),
                "url": short,
                "expanded_url": original,
                "display_url": original.split("//")[1][:20],
                "unwound_url": original,
            }
        )
    body = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
    if entities:
        body["entities"] = {"urls": entities}
    return body


@pytest.fixture
def duplicate_refused(respx_mock):
    respx_mock.post(TWEETS).mock(return_value=httpx.Response(403, json=DUPLICATE))
    respx_mock.get(ME).mock(
        return_value=httpx.Response(200, json={"data": {"id": "2244994945", "name": "Emma", "username": "emma"}})
    )
    return respx_mock


def test_a_duplicate_refusal_recovers_the_tweet_that_got_through(duplicate_refused):
    timeline = duplicate_refused.get(TIMELINE).mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    tweet("1790000000000000009", "Something else entirely"),
                    tweet(
                        "1790000000000000007",
                        f"Proud of the team & our customers #ansat\n\n{LINK}",
                        links={LINK: "https://t.co/xYz12AbC9"},
                    ),
                ],
                "meta": {"result_count": 2, "newest_id": "1790000000000000009"},
            },
        )
    )
    result = adapter().publish(text="Proud of the team & our customers #ansat", link=LINK, idempotency_key="share-1")
    assert result.remote_id == "1790000000000000007"
    assert result.url == "https://x.com/emma/status/1790000000000000007"
    params = timeline.calls.last.request.url.params
    assert params["tweet.fields"] == "entities"
    assert 5 <= int(params["max_results"]) <= 100


def test_x_escaping_of_ampersands_does_not_hide_the_tweet(duplicate_refused):
    duplicate_refused.get(TIMELINE).mock(
        return_value=httpx.Response(200, json={"data": [{"id": "17", "text": "Q&amp;A at 3 &lt;3"}]})
    )
    assert adapter().publish(text="Q&A at 3 <3", link=None, idempotency_key="k").remote_id == "17"


def test_a_duplicate_of_an_older_post_with_other_words_stays_refused(duplicate_refused):
    duplicate_refused.get(TIMELINE).mock(
        return_value=httpx.Response(
            200, json={"data": [tweet("1", f"Another share\n\n{LINK}", links={LINK: "https://t.co/a"})]}
        )
    )
    with pytest.raises(DuplicateContent):
        adapter().publish(text="Proud of the team", link=LINK, idempotency_key="k")


def test_a_rate_limited_lookup_asks_to_try_again_later(duplicate_refused):
    duplicate_refused.get(TIMELINE).mock(return_value=httpx.Response(429, headers={"x-rate-limit-reset": "0"}))
    with pytest.raises(RetryLater):
        adapter().publish(text="Proud of the team", link=LINK, idempotency_key="k")


def test_the_post_itself_sends_only_the_text(duplicate_refused):
    duplicate_refused.get(TIMELINE).mock(return_value=httpx.Response(200, json={"meta": {"result_count": 0}}))
    with pytest.raises(DuplicateContent):
        adapter().publish(text="Hello", link=LINK, idempotency_key="k")
    sent = json.loads(duplicate_refused.calls[0].request.content)
    assert sent == {"text": f"Hello\n\n{LINK}"}


def test_a_refused_timeline_lookup_leaves_the_duplicate_refusal(duplicate_refused):
    duplicate_refused.get(TIMELINE).mock(
        return_value=httpx.Response(403, json={"title": "Forbidden", "detail": "Not permitted", "status": 403})
    )
    with pytest.raises(DuplicateContent):
        adapter().publish(text="Proud of the team", link=LINK, idempotency_key="k")
