"""The platform side of a scenario (Django set up): people, posts, shares, and waiting
for shares to settle while the beat's sweeper does its work."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from advocacy import services
from advocacy.models import Share
from chaos.processes import ScenarioTimeout
from content.models import Post
from employees.models import Membership, Organization, SocialProfile, User
from employees.profiles.services import profile_store
from networks.base import Credentials

FINAL = [str(status) for status in Share.FINAL_STATES]


def organization_create(name: str, *, people: int) -> tuple[Organization, list[Membership]]:
    """An organization with `people` employees (no passwords: nobody signs in)."""
    slug = name.lower().replace(" ", "-")
    organization = Organization.objects.create(name=name, slug=slug)
    members = []
    for number in range(1, people + 1):
        user = User.objects.create_user(email=f"{slug}-{number}@chaos.example", name=f"Person {number}")
        members.append(Membership.objects.create(user=user, organization=organization, is_employee=True))
    return organization, members


def posts_create(organization: Organization, count: int) -> list[Post]:
    since = timezone.now() - timedelta(days=1)
    return [
        Post.objects.create(
            organization=organization,
            title=f"News {number}",
            body="Context for colleagues.",
            link_url=f"https://example.com/news/{number}",
            status=Post.Status.PUBLISHED,
            publish_at=since,
            published_at=since,
        )
        for number in range(1, count + 1)
    ]


def profile_connect(
    member: Membership, *, network: str, remote_id: str, credentials: Credentials, handle: str
) -> SocialProfile:
    return profile_store(
        membership=member, network=network, remote_id=remote_id, credentials=credentials, handle=handle, followers=0
    )


def comment_for(tag: str, number: int) -> str:
    """A comment that names its share, so that a post found on a network is matched to one."""
    return f"Worth reading, {tag} {number:05d}"


def share_create(*, member: Membership, post: Post, profile: SocialProfile, tag: str, number: int) -> Share:
    """One share, queued after commit exactly as the composer does it."""
    (share,) = services.shares_create(
        member=member,
        actor=member.user,
        post=post,
        profiles=[profile],
        comment=comment_for(tag, number),
    )
    return share


def settled(share_ids: list[int]) -> int:
    return Share.objects.filter(id__in=share_ids, status__in=FINAL).count()


def shares_settle(
    share_ids: list[int], *, timeout: float, stall: float = 12.0, clock_ahead: timedelta | None = None
) -> dict[str, int]:
    """Wait until every share is final, running the sweeper when progress stalls.

    The beat runs `shares_requeue_stuck` every minute and it acts on shares stuck for
    STUCK_AFTER (three minutes). Waiting that long makes a scenario slow, not truer: once
    nothing has moved for `stall` seconds the sweeper runs here with its clock moved
    past the threshold (by default), as tests/advocacy/test_bluesky_e2e.py does. A
    scenario whose shares wait on purpose (a retry's countdown) keeps the real clock
    (`clock_ahead=timedelta(0)`): a clock ahead would send them before their time.
    """
    ahead = services.STUCK_AFTER * 2 if clock_ahead is None else clock_ahead
    deadline = time.monotonic() + timeout
    last, changed = -1, time.monotonic()
    sweeps = requeued = 0
    while True:
        done = settled(share_ids)
        if done == len(share_ids):
            return {"sweeps": sweeps, "requeued": requeued}
        now = time.monotonic()
        if done != last:
            last, changed = done, now
        elif now - changed >= stall:
            requeued += services.shares_requeue_stuck(now=timezone.now() + ahead)
            sweeps += 1
            changed = now
        if now >= deadline:
            raise ScenarioTimeout(
                f"{len(share_ids) - done} of {len(share_ids)} shares not settled within {timeout:.0f}s "
                f"({sweeps} sweeps re-queued {requeued})"
            )
        time.sleep(1.0)


def status_counts(share_ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Share.objects.filter(id__in=share_ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
