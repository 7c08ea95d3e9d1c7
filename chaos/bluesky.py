"""The local Bluesky reference network for a scenario, and counting what reached it.

The network (tests/bluesky/network.py) gets a redis-server of its own, so that it uses
none of the shared server's databases, and keeps its schemas in the scenarios' database.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from advocacy.models import Share
from chaos.platform import comment_for, profile_connect
from chaos.processes import RedisServer
from employees.models import Membership, SocialProfile
from harness.bluesky import Account, LocalBlueskyNetwork, unique_handle
from networks.bluesky import BlueskyAdapter

POST = "app.bsky.feed.post"


class Bluesky:
    def __init__(self, scenario: str) -> None:
        self.redis = RedisServer(scenario, "bluesky")
        self.network: LocalBlueskyNetwork | None = None

    def start(self) -> Bluesky:
        self.redis.start()
        self.network = LocalBlueskyNetwork(
            env={"REDIS_HOST": f"127.0.0.1:{self.redis.port}", "BSKY_DB_URL": os.environ["DATABASE_URL"]}
        ).start()
        return self

    def stop(self) -> None:
        if self.network is not None:
            self.network.stop()
        self.redis.stop()

    def connect(self, member: Membership, prefix: str) -> tuple[Account, SocialProfile]:
        """A fresh account on the PDS, connected the way the sign-in form connects one."""
        account = self.network.create_account(unique_handle(prefix))
        credentials = BlueskyAdapter.connect(account.handle, account.password, self.network.pds_url)
        profile = profile_connect(
            member,
            network="bluesky",
            remote_id=credentials.extra["did"],
            credentials=credentials,
            handle=account.handle,
        )
        return account, profile

    def records(self, account: Account) -> list[dict]:
        """Every post in the account's repository (com.atproto.repo.listRecords, paged)."""
        client = self.network.pds_client()
        records, cursor = [], None
        while True:
            page = client.com.atproto.repo.list_records(
                {"repo": account.did, "collection": POST, "limit": 100, "cursor": cursor}
            )
            records += [{"uri": record.uri, "text": record.value.text} for record in page.records]
            cursor = page.cursor
            if not cursor or not page.records:
                return records


def count_on_network(bluesky: Bluesky, accounts: list[Account], share_ids: list[int], tag: str) -> dict[str, int]:
    """Match every record on the PDS to its share by the number in its comment.

    posted: shares found on the PDS whose row says posted with that record's URI;
    duplicates: records beyond one per share, plus records that match no share;
    lost: shares with no record at all.
    """
    pattern = re.compile(re.escape(comment_for(tag, 0)[:-5]) + r"(\d{5})")
    shares = {
        int(pattern.search(comment).group(1)): (status, remote_id)
        for comment, status, remote_id in Share.objects.filter(id__in=share_ids).values_list(
            "comment", "status", "remote_id"
        )
    }
    seen: Counter[int] = Counter()
    uris: dict[int, set[str]] = {}
    strays = 0
    for account in accounts:
        for record in bluesky.records(account):
            match = pattern.search(record["text"])
            if match is None or int(match.group(1)) not in shares:
                strays += 1
                continue
            number = int(match.group(1))
            seen[number] += 1
            uris.setdefault(number, set()).add(record["uri"])
    posted = sum(
        1
        for number, (status, remote_id) in shares.items()
        if seen[number] and status == Share.Status.POSTED and remote_id in uris[number]
    )
    return {
        "records": sum(seen.values()) + strays,
        "posted": posted,
        "duplicates": sum(count - 1 for count in seen.values() if count > 1) + strays,
        "lost": sum(1 for number in shares if not seen[number]),
    }
