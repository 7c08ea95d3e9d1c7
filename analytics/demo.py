"""Ninety days of made-up analytics history, so the demo dashboard is alive on first run.

`seed_history(organization=...)` adds demo colleagues, their profiles (fake remote ids,
no tokens), the company's own profiles, posts over the last ninety days, shares of
them, engagement snapshots, clicks and follower counts, then builds the rollups.
Sharing starts with a few people and spreads, so the distribution index moves from
centralized towards distributed. Idempotent: a second call changes nothing.

Demo rows are recognisable: profiles' remote ids start with "demo-", posts' links with
https://example.com/demo/, colleagues' emails end in @colleagues.demo.example (they cannot log in).
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advocacy.models import Click, Share, TrackedLink
from analytics.models import AudienceSnapshot, EngagementSnapshot, ShareMetrics
from analytics.services.audience import audience_day_refresh
from analytics.services.rebuild import rollups_rebuild
from analytics.services.rollups import TimeZones, rollups_update
from content.models import Post
from employees.models import Membership, Organization, SocialProfile, Team, User
from networks import get_adapter_class

DAYS = 90
REMOTE_PREFIX = "demo-"
LINK_PREFIX = "https://example.com/demo/"
COLLEAGUES = [
    ("Anna Holm", "Sales"),
    ("Bo Jensen", "Sales"),
    ("Clara Nielsen", "Nordics"),
    ("David Berg", "Nordics"),
    ("Eva Lund", "Nordics"),
    ("Frederik Dahl", "Marketing"),
    ("Greta Møller", "Marketing"),
    ("Hans Krogh", "Marketing"),
    ("Ida Skov", "Engineering"),
    ("Jonas Bech", "Engineering"),
    ("Karen Friis", "Engineering"),
    ("Lars Vinther", "Engineering"),
    ("Maja Storm", "Sales"),
    ("Niels Kjær", "Nordics"),
    ("Olivia Brandt", "Marketing"),
    ("Peter Lind", "Engineering"),
    ("Rikke Thorsen", "Sales"),
    ("Søren Vang", "Engineering"),
    ("Tine Hald", "Nordics"),
    ("Ulla Winther", "Marketing"),
]
POST_TITLES = [
    "We opened our Aarhus office",
    "Customer story: how Nordlys cut delivery times in half",
    "Meet the team behind our new app",
    "Five lessons from our first year of remote work",
    "We are hiring: senior data engineer",
    "Our sustainability report is out",
    "Webinar: the future of field service",
    "Product update: offline mode",
    "Behind the scenes at our summer hackathon",
    "We joined the Climate Pledge",
    "Graduate programme opens for applications",
    "Case study: 30% less paperwork for a hospital",
    "Our CEO on the state of the industry",
    "New partnership with a Nordic logistics leader",
    "Product update: dark mode and faster sync",
    "What our interns built this spring",
    "Ten years of open source at our company",
    "Join us at the Copenhagen tech summit",
]
COMPANY_PROFILES = [("linkedin", 3_000), ("bluesky", 600), ("x", 1_200)]
EMPLOYEE_NETWORKS = {"linkedin": 2, "bluesky": 1, "x": 1}
COMMENTS = [
    "Proud of what the team built here.",
    "Worth a read if you work in logistics.",
    "This one made my week!",
    "Great work by my colleagues.",
    "We are hiring, ping me if you are curious.",
]


@dataclass
class SeedResult:
    created: bool
    people: int = 0
    shares: int = 0
    snapshots: int = 0
    clicks: int = 0


def seed_history(*, organization: Organization, team_names: dict[str, str] | None = None) -> SeedResult:
    """Add ninety days of demo analytics history to the organization, once. `team_names`
    renames the demo colleagues' teams (e.g. {"Sales": "Salg"}) for an organization
    whose teams are named in another language."""
    if Share.objects.filter(organization=organization, profile__remote_id__startswith=REMOTE_PREFIX).exists():
        return SeedResult(created=False)
    # Made-up figures, repeatable per organization: no secrecy needed.
    rng = random.Random(f"chorus-demo-{organization.pk}")  # noqa: S311
    now = timezone.now()
    result = SeedResult(created=True)
    with transaction.atomic():
        people = _colleagues(organization, rng, team_names or {})
        result.people = len(people)
        profiles = _profiles(organization, people, rng)
        posts = _posts(organization, rng, now)
        shares = _shares(organization, posts, profiles, rng, now)
        result.shares = len(shares)
        result.snapshots = _snapshots(shares, profiles, rng, now)
        result.clicks = _clicks(organization, shares, rng, now)
        _audience(organization, profiles, rng, now)
    # Enrol the shares and ingest the clicks, then rebuild from the raw rows (which
    # also counts the snapshots written above directly).
    rollups_update(now=now + timedelta(minutes=5), enrol_since=None)
    rollups_rebuild(organization_id=organization.pk, now=now)
    # Fake remote ids: never ask a network about them.
    ShareMetrics.objects.filter(organization=organization, share__profile__remote_id__startswith=REMOTE_PREFIX).update(
        next_pull_at=None
    )
    return result


def _colleagues(
    organization: Organization, rng: random.Random, team_names: dict[str, str]
) -> list[tuple[Membership, float]]:
    """Demo colleagues plus the organization's own employees, each with an eagerness to share."""
    teams = {team.name: team for team in Team.objects.filter(organization=organization)}
    people = []
    for name, demo_team in COLLEAGUES:
        team_name = team_names.get(demo_team, demo_team)
        email = f"{name.lower().replace(' ', '.').replace('ø', 'oe').replace('æ', 'ae')}@colleagues.demo.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, name=name)  # no usable password: cannot log in
        membership, created = Membership.objects.get_or_create(user=user, organization=organization)
        if created and team_name in teams:
            membership.teams.add(teams[team_name])
        people.append(membership)
    people += list(
        Membership.objects.filter(organization=organization, is_employee=True, is_active=True)
        .exclude(pk__in=[person.pk for person in people])
        .select_related("user")
    )
    # A few champions, many occasional sharers, some who never share.
    return [(person, rng.paretovariate(1.6) - 1) for person in people]


def _profiles(organization, people, rng) -> dict[int, tuple[SocialProfile, Membership | None, float]]:
    profiles: dict[int, tuple[SocialProfile, Membership | None, float]] = {}
    for network, followers in COMPANY_PROFILES:
        profile = SocialProfile.objects.create(
            organization=organization,
            owner_membership=None,
            network=network,
            remote_id=f"{REMOTE_PREFIX}company-{network}-{organization.pk}",
            handle=f"{organization.slug}-{network}",
            display_name=organization.name,
            followers=followers,
            followers_at=timezone.now(),
            # Without the network's approval for post analytics, measured by clicks.
            clicks_only=get_adapter_class(network).metrics_need_approval,
        )
        profiles[profile.pk] = (profile, None, 1.0)
    for person, eagerness in people:
        # People who can log in keep their demo profile disconnected: their history shows
        # on My impact, but nobody can try to post through an account without tokens.
        can_log_in = person.user.has_usable_password()
        if can_log_in:
            eagerness = max(eagerness, 1.2)
        elif rng.random() < 0.2:
            continue  # has not connected a profile yet
        networks = rng.sample(
            list(EMPLOYEE_NETWORKS), k=1 if rng.random() < 0.7 else 2, counts=list(EMPLOYEE_NETWORKS.values())
        )
        for network in dict.fromkeys(networks):
            followers = int(math.exp(rng.gauss(6.0, 0.9)))
            profile = SocialProfile.objects.create(
                organization=organization,
                owner_membership=person,
                network=network,
                remote_id=f"{REMOTE_PREFIX}{network}-{person.pk}",
                handle=f"{person.user.email.split('@')[0]}.{network}",
                display_name=person.user.name,
                followers=followers,
                followers_at=timezone.now(),
                state=SocialProfile.State.DISCONNECTED if can_log_in else SocialProfile.State.ACTIVE,
                clicks_only=get_adapter_class(network).metrics_need_approval and rng.random() < 0.5,
            )
            profiles[profile.pk] = (profile, person, eagerness)
    return profiles


def _posts(organization: Organization, rng: random.Random, now: datetime) -> list[Post]:
    posts = []
    for index, title in enumerate(POST_TITLES):
        published = now - timedelta(days=DAYS - 2 - index * (DAYS - 4) / len(POST_TITLES), hours=rng.randint(0, 8))
        expired = published + timedelta(days=45) < now
        posts.append(
            Post.objects.create(
                organization=organization,
                title=title,
                body="Demo history.",
                link_url=f"{LINK_PREFIX}{index + 1}",
                status=Post.Status.EXPIRED if expired else Post.Status.PUBLISHED,
                publish_at=published,
                published_at=published,
                expires_at=published + timedelta(days=45),
            )
        )
    return posts


def _shares(organization, posts, profiles, rng, now) -> list[Share]:
    shares = []
    for post in posts:
        progress = 1 - (now - post.published_at).days / DAYS  # 0 long ago, 1 today
        for profile, person, eagerness in profiles.values():
            chance = 0.9 if person is None else min(0.95, (0.04 + 0.5 * progress) * eagerness)
            if rng.random() >= chance:
                continue
            posted = post.published_at + timedelta(hours=rng.uniform(0.2, 40))
            if posted >= now - timedelta(minutes=10):
                continue
            comment = "" if person is None else rng.choice(COMMENTS)
            twist = Share.Twist.PERSONAL if person is None or rng.random() < 0.7 else Share.Twist.CAPTION
            shares.append(
                Share(
                    organization=organization,
                    post=post,
                    profile=profile,
                    member=person,
                    network=profile.network,
                    comment=comment,
                    final_text=f"{comment} {post.link_url}".strip(),
                    twist=twist,
                    status=Share.Status.POSTED,
                    posted_at=posted,
                    remote_id=f"{REMOTE_PREFIX}{post.pk}-{profile.pk}",
                    followers_at_share=profile.followers,
                )
            )
    Share.objects.bulk_create(shares)
    # Dated when they went out (created_at is "now" on insert): My shares lists them in
    # the order, and on the days, that the dashboard counts them.
    Share.objects.filter(organization=organization, profile__remote_id__startswith=REMOTE_PREFIX).update(
        created_at=F("posted_at"), updated_at=F("posted_at")
    )
    return list(
        Share.objects.filter(organization=organization, profile__remote_id__startswith=REMOTE_PREFIX).select_related(
            "profile", "post"
        )
    )


def _reading_times(posted: datetime, now: datetime) -> list[datetime]:
    """Every six hours for two days, then daily for a month (a lighter version of the real schedule)."""
    times, moment = [], posted + timedelta(minutes=30)
    while moment < now and moment < posted + timedelta(days=30):
        times.append(moment)
        moment += timedelta(hours=6) if moment - posted < timedelta(days=2) else timedelta(days=1)
    return times


def _snapshots(shares, profiles, rng, now) -> int:
    rows = []
    for share in shares:
        if share.profile.clicks_only:
            continue
        followers = share.followers_at_share or 0
        rate = rng.uniform(0.004, 0.04) * (1.6 if share.member_id is not None else 0.6)
        final = followers * rate
        has_impressions = get_adapter_class(share.network).reports_impressions
        for moment in _reading_times(share.posted_at, now):
            hours = (moment - share.posted_at).total_seconds() / 3600
            curve = 1 - math.exp(-hours / 10)
            total = final * curve
            rows.append(
                EngagementSnapshot(
                    share=share,
                    at=moment,
                    likes=int(total * 0.7),
                    reposts=int(total * 0.15),
                    replies=int(total * 0.1),
                    quotes=int(total * 0.05),
                    impressions=int(followers * 0.35 * curve) if has_impressions else None,
                )
            )
    EngagementSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _clicks(organization, shares, rng, now) -> int:
    links = TrackedLink.objects.bulk_create(
        [
            TrackedLink(
                code=f"d{secrets.token_urlsafe(9)[:11]}",
                organization=organization,
                share=share,
                target_url=share.post.link_url,
            )
            for share in shares
        ]
    )
    clicks = []
    for link, share in zip(links, shares, strict=True):
        # Employees' shares are clicked more often than the brand's (a much-quoted 2×).
        rate = rng.uniform(0.004, 0.015) if share.member_id is not None else rng.uniform(0.001, 0.006)
        expected = (share.followers_at_share or 0) * rate
        for _ in range(int(expected)):
            at = share.posted_at + timedelta(hours=rng.expovariate(1 / 14))
            if at >= now - timedelta(minutes=10):
                continue
            visitor = f"{rng.getrandbits(64):016x}"[:16]
            clicks.append(Click(link=link, at=at, is_bot=rng.random() < 0.1, visitor=visitor))
            if rng.random() < 0.15:  # the same visitor again
                clicks.append(Click(link=link, at=at + timedelta(minutes=5), is_bot=False, visitor=visitor))
    Click.objects.bulk_create(clicks, batch_size=2000)
    return len(clicks)


def _audience(organization, profiles, rng, now) -> None:
    zones = TimeZones()
    rows = []
    for profile, person, _eagerness in profiles.values():
        if profile.followers is None:
            continue
        start = profile.followers / (1 + rng.uniform(0.02, 0.15))
        for back in range(DAYS, -1, -1):
            day = zones.day(organization.pk, now - timedelta(days=back))
            grown = start + (profile.followers - start) * (DAYS - back) / DAYS
            rows.append(
                AudienceSnapshot(
                    profile=profile,
                    organization=organization,
                    member_id=person.pk if person else 0,
                    network=profile.network,
                    day=day,
                    followers=int(grown),
                )
            )
    AudienceSnapshot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    for day in sorted({row.day for row in rows}):
        audience_day_refresh(organization_id=organization.pk, day=day)
