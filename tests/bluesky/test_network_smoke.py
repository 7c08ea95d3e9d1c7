"""The local Bluesky reference network works end to end, through the atproto SDK.

What the platform relies on: app-password sign-in, a post with a link facet under a
record key the client chose, likes/reposts/followers counted by the AppView, and a
repeated create with the same record key failing in a way a retry can recognise.
"""

from __future__ import annotations

import pytest
from atproto import Client, client_utils, models
from atproto_client.exceptions import BadRequestError, RequestException

from harness.bluesky import LocalBlueskyNetwork, new_tid, unique_handle

POST = "app.bsky.feed.post"
LINK = "https://example.com/news/launch?utm_source=bluesky"


def _post_record(client: Client, text: str = "Our launch: ") -> models.AppBskyFeedPost.Record:
    builder = client_utils.TextBuilder().text(text).link("read more", LINK)
    return models.AppBskyFeedPost.Record(
        text=builder.build_text(),
        facets=builder.build_facets(),
        created_at=client.get_current_time_iso(),
    )


def _create(client: Client, did: str, rkey: str, record: models.AppBskyFeedPost.Record):
    return client.com.atproto.repo.create_record(
        models.ComAtprotoRepoCreateRecord.Data(repo=did, collection=POST, rkey=rkey, record=record)
    )


def test_post_like_repost_follow_are_counted(bluesky_network: LocalBlueskyNetwork):
    net = bluesky_network
    alice = net.create_account(unique_handle("alice"))
    bob = net.create_account(unique_handle("bob"))
    assert alice.did.startswith("did:plc:")

    # Sign in with the app password, as the platform will.
    alice_client = Client(base_url=f"{net.pds_url}/xrpc")
    alice_client.login(alice.handle, alice.password)
    assert alice_client.me is not None and alice_client.me.did == alice.did
    bob_client = net.login(bob.handle, bob.password)

    rkey = new_tid()
    record = _post_record(alice_client)
    created = _create(alice_client, alice.did, rkey, record)
    assert created.uri == f"at://{alice.did}/{POST}/{rkey}"

    bob_client.like(created.uri, created.cid)
    bob_client.repost(created.uri, created.cid)
    bob_client.follow(alice.did)
    net.process_all()

    params = models.AppBskyFeedGetPosts.Params(uris=[created.uri])
    # Straight from the AppView (public read) and through the PDS (proxied).
    for reader in (net.appview_client(), bob_client):
        [post] = reader.app.bsky.feed.get_posts(params).posts
        assert post.uri == created.uri
        assert post.like_count == 1
        assert post.repost_count == 1
        assert (post.reply_count, post.quote_count) == (0, 0)
        [facet] = post.record.facets
        assert facet.features[0].uri == LINK
        # Facets index UTF-8 bytes of the text.
        text = post.record.text.encode()
        assert text[facet.index.byte_start : facet.index.byte_end] == b"read more"

    profile = net.appview_client().app.bsky.actor.get_profile(models.AppBskyActorGetProfile.Params(actor=alice.handle))
    assert profile.did == alice.did
    assert profile.followers_count == 1
    assert profile.posts_count == 1


def test_same_record_key_twice_is_refused(bluesky_network: LocalBlueskyNetwork):
    net = bluesky_network
    carol = net.create_account(unique_handle("carol"))
    client = net.login(carol.handle, carol.password)
    rkey = new_tid()
    record = _post_record(client, "Once only: ")
    first = _create(client, carol.did, rkey, record)

    # A retried create with the same key fails. The PDS answers 500 InternalServerError
    # ("There is already a value at key" in its log), not a 4xx: a retry must not read
    # a 5xx as "not published" but look the record up.
    with pytest.raises(RequestException) as refused:
        _create(client, carol.did, rkey, record)
    assert not isinstance(refused.value, BadRequestError)
    assert refused.value.response.status_code == 500
    assert refused.value.response.content.error == "InternalServerError"

    # The lookup a retry makes: the record is there, unchanged, once.
    found = client.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(repo=carol.did, collection=POST, rkey=rkey)
    )
    assert (found.uri, found.cid) == (first.uri, first.cid)
    listed = client.com.atproto.repo.list_records(
        models.ComAtprotoRepoListRecords.Params(repo=carol.did, collection=POST)
    )
    assert [r.uri for r in listed.records] == [first.uri]

    # A key never used is "RecordNotFound" (400), which tells a retry to create it.
    with pytest.raises(BadRequestError) as missing:
        client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=carol.did, collection=POST, rkey=new_tid())
        )
    assert missing.value.response.content.error == "RecordNotFound"

    # putRecord with the same content is a no-op write: same CID, no new commit.
    put = client.com.atproto.repo.put_record(
        models.ComAtprotoRepoPutRecord.Data(repo=carol.did, collection=POST, rkey=rkey, record=record)
    )
    assert put.cid == first.cid
    assert put.commit is None

    # Posts need TID record keys.
    with pytest.raises(BadRequestError) as bad_key:
        _create(client, carol.did, "not-a-tid", record)
    assert bad_key.value.response.content.error == "InvalidRequest"
    assert "Invalid TID" in bad_key.value.response.content.message
