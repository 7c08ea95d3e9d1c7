"""tokens: X profiles whose access token expires mid-run, and profiles whose tokens were
revoked, against the loopback X server keeping OAuth 2.0 tokens.

Proves: with several shares in flight, a token that falls due is refreshed exactly once
per profile (refresh tokens are single-use: a second refresh would kill the account),
the rotated pair is stored and used; a refresh refused with invalid_grant, or an access
token answered 401, ends in "needs_reconnect" for the shares and the profile, one email
to the owner (through an SMTP sink) and nothing posted.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from advocacy.models import Share
from chaos.faults import FaultServer, MailSink
from chaos.platform import (
    comment_for,
    organization_create,
    posts_create,
    profile_connect,
    share_create,
    shares_settle,
    status_counts,
)
from chaos.processes import log_dir, start_worker, wait_for
from chaos.result import Result
from employees.models import Membership, SocialProfile
from networks.base import Credentials
from networks.x import XAdapter

NAME = "tokens"
CLIENT = ("chaos-x-client", "chaos-x-client-secret")
EXPIRING = ("e1", "e2")
REVOKED = ("r1", "r2")  # r1: refresh refused (the token was due); r2: access token refused (it was not)
ROUNDS = 12
PER_ROUND = 2
ROUND_SECONDS = 0.5
DUE_AFTER = 3.0
REVOKED_SHARES = 3
LATENCY = 0.4


def _connect(server: FaultServer, member: Membership, name: str, expires_at: datetime) -> SocialProfile:
    account = server.accounts[name]
    credentials = Credentials(
        access_token=account.access,
        refresh_token=account.refresh,
        expires_at=expires_at,
        extra={"username": name},
    )
    return profile_connect(member, network="x", remote_id=name, credentials=credentials, handle=f"@{name}")


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    server = FaultServer(pattern=comment_for(NAME, 0)[:-5] + r"(\d{5})", latency=LATENCY, client=CLIENT).start()
    sink = MailSink().start()
    os.environ |= {
        "X_API_BASE": server.url,
        "X_CLIENT_ID": CLIENT[0],
        "X_CLIENT_SECRET": CLIENT[1],
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
    }
    worker = None
    try:
        organization, members = organization_create("Chaos tokens", people=len(EXPIRING) + len(REVOKED))
        people = dict(zip(EXPIRING + REVOKED, members, strict=True))
        posts = posts_create(organization, ROUNDS * PER_ROUND)
        worker = start_worker(NAME, "1", concurrency=4)

        now = datetime.now(UTC)
        # Falls due DUE_AFTER seconds from now; the server refuses it only at its real expiry.
        expires_at = now + XAdapter.refresh_margin + timedelta(seconds=DUE_AFTER)
        profiles = {}
        for name in EXPIRING:
            server.x_account(name, expires=expires_at.timestamp())
            profiles[name] = _connect(server, people[name], name, expires_at)
        for name, stored_expiry in zip(REVOKED, (now + timedelta(minutes=1), now + timedelta(hours=2)), strict=True):
            server.x_account(name, revoked=True)
            profiles[name] = _connect(server, people[name], name, stored_expiry)

        number = 0
        expiring_ids, revoked_ids = [], []
        for name in REVOKED:
            for post in posts[:REVOKED_SHARES]:
                number += 1
                share = share_create(member=people[name], post=post, profile=profiles[name], tag=NAME, number=number)
                revoked_ids.append(share.id)
        for round_number in range(ROUNDS):
            for post in posts[round_number * PER_ROUND : (round_number + 1) * PER_ROUND]:
                for name in EXPIRING:
                    number += 1
                    share = share_create(
                        member=people[name], post=post, profile=profiles[name], tag=NAME, number=number
                    )
                    expiring_ids.append(share.id)
            time.sleep(ROUND_SECONDS)  # a steady stream of shares across the moment the token falls due
        result.shares = len(expiring_ids)

        result.figures |= shares_settle(expiring_ids + revoked_ids, timeout=600, clock_ahead=timedelta(0))
        for name in REVOKED:
            address = people[name].user.email
            wait_for(lambda address=address: sink.sent_to(address), timeout=120, what=f"the email to {address}")
        judge(result, server, sink, people, profiles, expiring_ids, revoked_ids)
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
        sink.stop()
    return result


def judge(result, server, sink, people, profiles, expiring_ids, revoked_ids) -> None:
    with server.lock:
        calls = list(server.book.calls)
        created = {number: list(ids) for number, ids in server.book.created.items()}
        current = {name: (account.access, account.refresh) for name, account in server.accounts.items()}
    numbers = {
        share_id: (int(comment[-5:]), status, remote_id)
        for share_id, comment, status, remote_id in Share.objects.filter(id__in=expiring_ids + revoked_ids).values_list(
            "id", "comment", "status", "remote_id"
        )
    }
    refreshes = {name: server.refresh_calls(name) for name in EXPIRING + REVOKED}
    posts = [call for call in calls if call.api == "x" and call.status == 201]
    with_old = sum(1 for call in posts if call.account in EXPIRING and call.token.endswith("-access-0"))
    with_new = sum(1 for call in posts if call.account in EXPIRING and not call.token.endswith("-access-0"))
    unauthorized = sum(1 for call in calls if call.api == "x" and call.status == 401)

    result.posted = sum(
        1
        for share_id in expiring_ids
        if created.get(numbers[share_id][0])
        and numbers[share_id][1] == "posted"
        and numbers[share_id][2] == created[numbers[share_id][0]][0]
    )
    result.duplicates = sum(len(ids) - 1 for ids in created.values())
    result.lost = sum(1 for share_id in expiring_ids if not created.get(numbers[share_id][0]))
    refused = sum(1 for share_id in revoked_ids if numbers[share_id][1] == Share.Status.NEEDS_RECONNECT)
    emails = {name: sink.sent_to(people[name].user.email) for name in EXPIRING + REVOKED}
    result.figures |= {
        "refreshes": ",".join(f"{name}:{refreshes[name]}" for name in EXPIRING + REVOKED),
        "posted_old_token": with_old,
        "posted_new_token": with_new,
        "unauthorized": unauthorized,
        "needs_reconnect": refused,
        "emails": sum(emails.values()),
    }

    for name in EXPIRING:
        profile = SocialProfile.objects.get(pk=profiles[name].pk)
        result.check(refreshes[name] == 1, f"{name} refreshed {refreshes[name]} times, not once")
        result.check(profile.state == SocialProfile.State.ACTIVE, f"{name} is {profile.state}, not active")
        result.check(
            (profile.access_token, profile.refresh_token) == current[name],
            f"{name} keeps a token pair the server no longer knows",
        )
        result.check(emails[name] == 0, f"{name}'s owner was emailed {emails[name]} times")
    result.check(with_old > 0 and with_new > 0, "the token did not fall due mid-run")
    result.check(refreshes["r1"] == 1, f"r1's refused refresh token was tried {refreshes['r1']} times, not once")
    result.check(refreshes["r2"] == 0, f"r2 (not due) was refreshed {refreshes['r2']} times")
    for name in REVOKED:
        profile = SocialProfile.objects.get(pk=profiles[name].pk)
        result.check(profile.state == SocialProfile.State.NEEDS_RECONNECT, f"{name} is {profile.state}")
        result.check(emails[name] == 1, f"{name}'s owner was emailed {emails[name]} times, not once")
    posted_revoked = sum(1 for call in posts if call.account in REVOKED)
    result.check(posted_revoked == 0, f"{posted_revoked} posts went out with revoked tokens")
    result.check(refused == len(revoked_ids), f"only {refused} of {len(revoked_ids)} revoked shares need reconnecting")
    statuses = status_counts(expiring_ids)
    result.check(statuses == {"posted": len(expiring_ids)}, f"expiring profiles' share statuses {statuses}")
    result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
    result.check(result.duplicates == 0, f"{result.duplicates} duplicate posts")
    result.check(result.lost == 0, f"{result.lost} shares never posted")
