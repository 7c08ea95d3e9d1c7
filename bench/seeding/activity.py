"""Shares, their tracked links and the clicks on them, generated inside PostgreSQL.

Who shares follows a power law over the people who connected a profile: a few heavy
sharers, most occasional (the top 3% make about a third of the shares). Each person's
shares go to distinct (post, profile) pairs, shortly after the post was published.
"""

from __future__ import annotations

import math
import random

from bench.seeding import params as p
from bench.seeding.db import copy_rows, execute, scalar
from bench.seeding.people import People
from bench.seeding.tables import T

# Zipf exponent of the sharers' activity (0.7: the top 3% make ~33% of the shares).
ZIPF = 0.7
# Chance that the company's own profile on a network shares a given post.
COMPANY_SHARE_CHANCE = {"linkedin": 0.95, "x": 0.7, "bluesky": 0.5, "mastodon": 0.3, "facebook": 0.4}
COMMENTS = (
    "Proud of what the team built here.",
    "This one made my week. Worth five minutes of your time.",
    "We have been working on this for months, so happy it is out!",
    "If you work in logistics, read this.",
    "Great story from one of our customers.",
    "My colleagues did something remarkable here.",
    "Hiring! Ping me if you want to know what it is like to work with us.",
    "Interesting numbers in this one.",
)


def _shareable_posts(org_id: int) -> int:
    execute("DROP TABLE IF EXISTS spost")
    execute(
        f"""
        CREATE TEMP TABLE spost AS
        SELECT (row_number() OVER (ORDER BY id) - 1)::bigint AS idx, id AS post_id, published_at, expires_at, link_url
        FROM {T.post} WHERE organization_id = %s AND published_at IS NOT NULL
        """,
        [org_id],
    )
    execute("CREATE UNIQUE INDEX ON spost (idx)")
    return scalar("SELECT count(*) FROM spost")


def _company_shares(people: People) -> int:
    execute("DROP TABLE IF EXISTS gen")
    execute(
        """
        CREATE TEMP TABLE gen (
            member_id bigint, profile_id bigint, network text, followers int, post_id bigint,
            created_at timestamptz, roll double precision, twist_roll double precision)
        """
    )
    for salt, profile in enumerate(people.company_profiles, start=100):
        execute(
            """
            INSERT INTO gen
            SELECT NULL, %(profile)s, %(network)s, %(followers)s, p.post_id,
                   LEAST(p.published_at + make_interval(secs => 600 + 3600 * pg_temp.u(p.post_id, %(salt)s)),
                         now() - interval '10 minutes'),
                   0, 0
            FROM spost p WHERE pg_temp.u(p.post_id, %(salt)s + 50) < %(chance)s
            """,
            {
                "profile": profile.id,
                "network": profile.network,
                "followers": profile.followers,
                "salt": salt,
                "chance": COMPANY_SHARE_CHANCE[profile.network],
            },
        )
    return scalar("SELECT count(*) FROM gen")


def share_counts(people: People, budget: int, posts: int, rng: random.Random) -> list[tuple]:
    """(member, shares, profiles, offset, stride, profile ids, networks, followers) per sharer."""
    sharers = [member for member in people.members if member.profiles]
    rng.shuffle(sharers)
    # People with more connected profiles tend to be the keen ones.
    sharers.sort(key=lambda member: -len(member.profiles))
    weights = [1 / (rank + 1) ** ZIPF for rank in range(len(sharers))]
    caps = [int(0.9 * posts * len(member.profiles)) for member in sharers]
    counts = [0] * len(sharers)
    remaining, open_ = budget, set(range(len(sharers)))
    while remaining > 0 and open_:
        total = sum(weights[i] for i in open_)
        given = 0
        for i in sorted(open_):
            add = min(caps[i] - counts[i], max(1, round(remaining * weights[i] / total)))
            add = min(add, remaining - given)
            counts[i] += add
            given += add
            if counts[i] >= caps[i]:
                open_.discard(i)
            if given >= remaining:
                break
        remaining -= given
    rows = []
    for member, count in zip(sharers, counts, strict=True):
        if not count:
            continue
        stride = rng.randrange(1, posts) if posts > 1 else 1
        while math.gcd(stride, posts) != 1:
            stride = rng.randrange(1, posts)
        rows.append(
            (
                member.id,
                count,
                len(member.profiles),
                rng.randrange(posts),
                stride,
                [profile.id for profile in member.profiles],
                [profile.network for profile in member.profiles],
                [profile.followers for profile in member.profiles],
            )
        )
    return rows


def seed_shares(params: p.SeedParams, people: People, rng: random.Random) -> dict[str, int]:
    posts = _shareable_posts(people.organization_id)
    company = _company_shares(people)
    sharers = share_counts(people, max(params.shares - company, 0), posts, rng)
    execute(
        """
        CREATE TEMP TABLE sharer (member_id bigint, n int, k int, off bigint, stride bigint,
                                  profile_ids bigint[], networks text[], followers int[])
        """
    )
    copy_rows("sharer", ["member_id", "n", "k", "off", "stride", "profile_ids", "networks", "followers"], sharers)
    execute(
        """
        INSERT INTO gen
        SELECT s.member_id, s.profile_ids[i %% s.k + 1], s.networks[i %% s.k + 1], s.followers[i %% s.k + 1],
               p.post_id,
               LEAST(p.published_at + make_interval(secs => -ln(1 - pg_temp.u(s.member_id * 1000003 + i, 11))
                                                              * 8 * 3600),
                     COALESCE(p.expires_at, 'infinity') - interval '1 minute', now() - interval '10 minutes'),
               pg_temp.u(s.member_id * 1000003 + i, 12), pg_temp.u(s.member_id * 1000003 + i, 13)
        FROM sharer s CROSS JOIN LATERAL generate_series(0, s.n - 1) AS i
        JOIN spost p ON p.idx = (s.off + (i / s.k)::bigint * s.stride) %% %(posts)s
        """,
        {"posts": posts},
    )
    execute(
        f"""
        INSERT INTO {T.share} (
            id, organization_id, post_id, profile_id, member_id, network, sequence, comment, body_text, final_text,
            twist, twist_similarity, status, scheduled_for, idempotency_key, attempts, next_attempt_at,
            posting_started_at, posted_at, last_error, remote_id, remote_url, verified, followers_at_share,
            metrics_deleted, created_at, updated_at)
        SELECT id, %(org)s, post_id, profile_id, member_id, network, 1, comment, body,
               body || ' https://chorus.scale.example/l/' || pg_temp.code62(id),
               twist, CASE twist WHEN 'caption' THEN 1.0 WHEN 'near_duplicate' THEN 0.93 END,
               status, CASE WHEN status = 'scheduled' THEN now() + make_interval(hours => 1 + (roll * 1000)::int %% 48)
                       END,
               gen_random_uuid(), CASE WHEN status = 'scheduled' THEN 0 ELSE 1 END, NULL,
               CASE WHEN status <> 'scheduled' THEN created_at + interval '2 seconds' END,
               CASE WHEN status = 'posted' THEN created_at + interval '3 seconds' END,
               CASE status WHEN 'failed' THEN 'Gave up after 8 attempts: the network answered 503'
                           WHEN 'needs_reconnect' THEN 'Reconnect this profile, then retry.' ELSE '' END,
               CASE WHEN status <> 'posted' OR network = 'facebook' THEN ''
                    WHEN network = 'bluesky' THEN 'at://did:plc:seed' || profile_id || '/app.bsky.feed.post/' || id
                    WHEN network = 'x' THEN (1800000000000000000 + id)::text
                    WHEN network = 'linkedin' THEN 'urn:li:share:' || (7000000000000000000 + id)
                    ELSE (110000000000000000 + id)::text END,
               CASE WHEN status <> 'posted' THEN ''
                    ELSE 'https://' || network || '.example/p/' || id END,
               network <> 'facebook', followers, false, created_at,
               COALESCE(CASE WHEN status = 'posted' THEN created_at + interval '3 seconds' END, created_at)
        FROM (
            SELECT g.*, row_number() OVER (ORDER BY g.created_at, g.profile_id, g.post_id) AS id,
                   CASE WHEN g.member_id IS NULL THEN 'posted'
                        WHEN g.roll < 0.975 THEN 'posted'
                        WHEN g.roll < 0.99 THEN 'failed'
                        WHEN g.roll < 0.995 THEN 'needs_reconnect'
                        WHEN g.created_at > now() - interval '2 days' THEN 'scheduled'
                        ELSE 'failed' END AS status,
                   CASE WHEN g.member_id IS NULL OR g.twist_roll < 0.6 THEN 'personal'
                        WHEN g.twist_roll < 0.85 THEN 'empty'
                        WHEN g.twist_roll < 0.95 THEN 'caption'
                        ELSE 'near_duplicate' END AS twist,
                   CASE WHEN g.member_id IS NULL THEN 'News from us.'
                        WHEN g.twist_roll < 0.6 THEN (%(comments)s::text[])[1 + floor(g.twist_roll / 0.6 * %(n)s)::int]
                        WHEN g.twist_roll < 0.85 THEN ''
                        WHEN g.twist_roll < 0.95 THEN 'Proud of this!'
                        ELSE 'Great news, worth a read!' END AS comment
            FROM gen g
        ) AS ordered
        CROSS JOIN LATERAL (
            SELECT CASE WHEN ordered.member_id IS NULL THEN ordered.comment
                        ELSE ltrim(ordered.comment || ' #employee') END AS body
        ) AS t
        """,
        {"org": people.organization_id, "comments": list(COMMENTS), "n": len(COMMENTS)},
    )
    execute(
        f"""
        INSERT INTO {T.trackedlink} (id, code, organization_id, share_id, target_url, created_at)
        SELECT s.id, pg_temp.code62(s.id), s.organization_id, s.id,
               p.link_url || '?utm_source=' || s.network || '&utm_medium=employee_advocacy&utm_campaign=post-'
                 || s.post_id || '&utm_content=share-' || s.id,
               s.created_at
        FROM {T.share} s JOIN {T.post} p ON p.id = s.post_id
        """
    )
    execute("DROP TABLE gen")
    return {"company_shares": company, "sharers": len(sharers), "shareable_posts": posts}


def seed_clicks(params: p.SeedParams) -> int:
    """Long-tailed visits per posted share (Pareto, α 1.5), more for larger audiences."""
    execute("DROP TABLE IF EXISTS clickers")
    execute(
        f"""
        CREATE TEMP TABLE clickers AS
        SELECT id AS share_id, posted_at,
               sqrt(COALESCE(followers_at_share, 0) + 1) AS weight,
               power(1 - pg_temp.u(id, 20), -1 / 1.5) - 1 AS tail
        FROM {T.share} WHERE status = 'posted'
        """
    )
    mean_weight = scalar("SELECT avg(weight) FROM clickers") or 1
    scale = params.clicks / max(scalar("SELECT count(*) FROM clickers") or 1, 1) / 2 / float(mean_weight)
    # floor() loses part of each share's expectation: correct the scale once.
    for _ in range(2):
        achieved = scalar("SELECT sum(LEAST(floor(%s * weight * tail), 50000)) FROM clickers", [scale]) or 1
        scale *= params.clicks / float(achieved)
    execute(
        f"""
        INSERT INTO {T.click} (link_id, at, is_bot, visitor)
        SELECT c.share_id,
               LEAST(c.posted_at + make_interval(secs => -ln(1 - pg_temp.u(c.share_id * 100003 + j, 21)) * 20 * 3600),
                     now() - interval '3 minutes'),
               pg_temp.u(c.share_id * 100003 + j, 22) < 0.08,
               substr(md5(c.share_id || ':' || floor(pg_temp.u(c.share_id * 100003 + j, 23) * GREATEST(1, n * 0.8))),
                      1, 16)
        FROM clickers c
        CROSS JOIN LATERAL (SELECT LEAST(floor(%s * c.weight * c.tail), 50000)::int AS n) AS k
        CROSS JOIN LATERAL generate_series(1, k.n) AS j
        ORDER BY 2
        """,
        [scale],
    )
    execute("DROP TABLE clickers")
    return scalar(f"SELECT count(*) FROM {T.click}")
