"""Engagement snapshots, per-share metrics, the daily rollups and audiences, in SQL.

Snapshots follow each share's pull schedule compressed to an average of
`snapshots ÷ measured shares` readings over its first 30 days (or its age, if younger);
counts grow towards a long-tailed final value (Pareto, α 1.3, scaled by followers).
Every number is a deterministic function of the share id, so the rollup deltas are
computed from the same formulas as the snapshots, without reading them back.

The rollups book exactly what `analytics.services.rebuild.rollups_rebuild` would; the
seeder can check that with `--verify-rollups` (small sizes).
"""

from __future__ import annotations

from datetime import datetime

from analytics.services.rollups import rollups_version_bump
from bench.seeding import params as p
from bench.seeding.db import execute, rows, scalar
from bench.seeding.tables import MEASURES, T

TAU_SECONDS = 12 * 3600
PULL_DAYS = 30
YOUNG_HOURS = 48

SUMS = ", ".join(f"sum({m})" for m in MEASURES)
MEASURE_LIST = ", ".join(MEASURES)

# One row per snapshot j of each measured share, with the rise since snapshot j - 1.
SNAPSHOT_ROWS = """
SELECT m.share_id, m.org, m.network, m.post_id, m.member_id,
       m.posted_at + make_interval(secs => m.horizon * (j::float8 / m.k) ^ 2) AS at,
       floor(m.fl * g.cur)::int AS likes, floor(m.fr * g.cur)::int AS reposts,
       floor(m.fp * g.cur)::int AS replies, floor(m.fq * g.cur)::int AS quotes,
       CASE WHEN m.fi IS NULL THEN NULL ELSE floor(m.fi * g.cur)::bigint END AS impressions,
       floor(m.fl * g.cur)::int - floor(m.fl * g.prev)::int AS d_likes,
       floor(m.fr * g.cur)::int - floor(m.fr * g.prev)::int AS d_reposts,
       floor(m.fp * g.cur)::int - floor(m.fp * g.prev)::int AS d_replies,
       floor(m.fq * g.cur)::int - floor(m.fq * g.prev)::int AS d_quotes,
       CASE WHEN m.fi IS NULL THEN 0
            ELSE floor(m.fi * g.cur)::bigint - floor(m.fi * g.prev)::bigint END AS d_impressions
FROM ms m
CROSS JOIN LATERAL generate_series(1, m.k) AS j
CROSS JOIN LATERAL (
    SELECT 1 - exp(-(m.horizon * (j::float8 / m.k) ^ 2) / %(tau)s) AS cur,
           1 - exp(-(m.horizon * ((j - 1)::float8 / m.k) ^ 2) / %(tau)s) AS prev
) AS g
"""


def _measured_shares(params: p.SeedParams, now: datetime) -> int:
    execute("DROP TABLE IF EXISTS ms")
    execute(
        f"""
        CREATE TEMP TABLE ms AS
        SELECT s.id AS share_id, s.organization_id AS org, s.network, s.post_id, COALESCE(s.member_id, 0) AS member_id,
               s.posted_at, COALESCE(s.followers_at_share, 0) AS followers,
               extract(epoch FROM LEAST(%(now)s - s.posted_at, interval '30 days'))::float8 AS horizon,
               1 AS k, t.tail
        FROM {T.share} s
        JOIN {T.socialprofile} pr ON pr.id = s.profile_id
        CROSS JOIN LATERAL (SELECT LEAST(power(1 - pg_temp.u(s.id, 31), -1 / 1.3) - 1, 200) AS tail) AS t
        WHERE s.status = 'posted' AND s.remote_id <> '' AND NOT pr.clicks_only
          AND s.network IN ('x', 'bluesky', 'mastodon', 'linkedin')
        """,
        {"now": now},
    )
    measured = scalar("SELECT count(*) FROM ms") or 0
    average = params.snapshots / max(measured, 1)
    # k = 1 + floor((2a - 1) u) has mean a (a ≥ 1); fewer snapshots than shares: k = 1.
    execute(
        """
        ALTER TABLE ms ADD COLUMN fl float8, ADD COLUMN fr float8, ADD COLUMN fp float8, ADD COLUMN fq float8,
                       ADD COLUMN fi float8
        """
    )
    execute(
        """
        UPDATE ms SET
            k = 1 + floor(GREATEST(2 * %(average)s - 1, 0) * pg_temp.u(share_id, 30))::int,
            fl = followers * 0.01 * tail,
            fr = followers * 0.01 * tail * (0.05 + 0.2 * pg_temp.u(share_id, 32)),
            fp = followers * 0.01 * tail * (0.02 + 0.1 * pg_temp.u(share_id, 33)),
            fq = followers * 0.01 * tail * 0.03 * pg_temp.u(share_id, 34),
            fi = CASE WHEN network IN ('x', 'linkedin') THEN followers * (0.1 + 0.3 * pg_temp.u(share_id, 35))
                                                                * (1 + tail) END
        """,
        {"average": average},
    )
    return measured


def seed_snapshots(params: p.SeedParams, now: datetime) -> dict[str, int]:
    measured = _measured_shares(params, now)
    insert = (
        f"INSERT INTO {T.engagementsnapshot} (share_id, at, likes, reposts, replies, quotes, impressions) "
        "SELECT share_id, at, likes, reposts, replies, quotes, impressions FROM ({rows}) AS rows"
    )
    execute(insert.format(rows=SNAPSHOT_ROWS), {"tau": TAU_SECONDS})
    return {"measured_shares": measured, "snapshots": scalar(f"SELECT count(*) FROM {T.engagementsnapshot}")}


def seed_share_metrics(now: datetime) -> int:
    execute("DROP TABLE IF EXISTS click_delta")
    execute(
        f"""
        CREATE TEMP TABLE click_delta AS
        SELECT c.link_id AS share_id, c.at,
               (c.visitor = '' OR row_number() OVER (PARTITION BY c.link_id, c.visitor ORDER BY c.id) = 1) AS uniq
        FROM {T.click} c WHERE NOT c.is_bot
        """
    )
    execute(
        f"""
        INSERT INTO {T.sharemetrics} (
            share_id, organization_id, network, post_id, member_id, posted_at, measured,
            likes, reposts, replies, quotes, impressions, peak_likes, peak_reposts, peak_replies, peak_quotes,
            peak_impressions, clicks, unique_clicks, next_pull_at, claim, last_pulled_at, pulls, misses,
            pull_note, pull_error)
        SELECT s.id, s.organization_id, s.network, s.post_id, COALESCE(s.member_id, 0), s.posted_at,
               m.share_id IS NOT NULL,
               COALESCE(v.likes, 0), COALESCE(v.reposts, 0), COALESCE(v.replies, 0), COALESCE(v.quotes, 0),
               v.impressions,
               COALESCE(v.likes, 0), COALESCE(v.reposts, 0), COALESCE(v.replies, 0), COALESCE(v.quotes, 0),
               COALESCE(v.impressions, 0), COALESCE(c.clicks, 0), COALESCE(c.uniq, 0),
               CASE WHEN m.share_id IS NULL OR %(now)s - s.posted_at >= make_interval(days => %(pull_days)s) THEN NULL
                    WHEN %(now)s - s.posted_at < make_interval(hours => %(young)s) THEN v.last + interval '1 hour'
                    ELSE v.last + interval '24 hours' END,
               NULL, v.last, COALESCE(m.k, 0), 0,
               CASE WHEN m.share_id IS NULL THEN 'clicks_only' ELSE '' END, ''
        FROM {T.share} s
        LEFT JOIN ms m ON m.share_id = s.id
        LEFT JOIN LATERAL (
            SELECT floor(m.fl * g)::int AS likes, floor(m.fr * g)::int AS reposts, floor(m.fp * g)::int AS replies,
                   floor(m.fq * g)::int AS quotes,
                   CASE WHEN m.fi IS NULL THEN NULL ELSE floor(m.fi * g)::bigint END AS impressions,
                   m.posted_at + make_interval(secs => m.horizon * 1.0::float8) AS last
            FROM (SELECT 1 - exp(-(m.horizon * 1.0::float8) / %(tau)s) AS g) AS growth
        ) AS v ON m.share_id IS NOT NULL
        LEFT JOIN (
            SELECT share_id, count(*) AS clicks, count(*) FILTER (WHERE uniq) AS uniq FROM click_delta GROUP BY 1
        ) AS c ON c.share_id = s.id
        WHERE s.status = 'posted' AND s.posted_at IS NOT NULL
        """,
        {"now": now, "tau": TAU_SECONDS, "pull_days": PULL_DAYS, "young": YOUNG_HOURS},
    )
    return scalar(f"SELECT count(*) FROM {T.sharemetrics}")


def seed_rollups(timezone: str = p.ORG_TIMEZONE) -> dict[str, int]:
    """PostMemberDay from every delta; the coarser tables are sums of it.

    Rows go in day by day, as the platform's incremental updates add them, so that the
    tables' physical order follows the day as it does in a live database.
    """
    execute(
        f"""
        INSERT INTO {T.postmemberday} (organization_id, day, network, post_id, member_id, {MEASURE_LIST})
        SELECT org, day, network, post_id, member_id, {SUMS}
        FROM (
            SELECT m.organization_id AS org, (m.posted_at AT TIME ZONE %(tz)s)::date AS day, m.network, m.post_id,
                   m.member_id, 1 AS shares, m.measured::int AS measured_shares,
                   (m.member_id <> 0 AND s.twist = 'personal')::int AS personal_shares,
                   COALESCE(s.followers_at_share, 0)::bigint AS potential_reach,
                   0 AS likes, 0 AS reposts, 0 AS replies, 0 AS quotes, 0::bigint AS impressions,
                   0 AS clicks, 0 AS unique_clicks
            FROM {T.sharemetrics} m JOIN {T.share} s ON s.id = m.share_id
            UNION ALL
            SELECT org, (at AT TIME ZONE %(tz)s)::date, network, post_id, member_id, 0, 0, 0, 0,
                   d_likes, d_reposts, d_replies, d_quotes, d_impressions, 0, 0
            FROM ({SNAPSHOT_ROWS}) AS snapshots
            UNION ALL
            SELECT s.organization_id, (c.at AT TIME ZONE %(tz)s)::date, s.network, s.post_id,
                   COALESCE(s.member_id, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, c.uniq::int
            FROM click_delta c JOIN {T.share} s ON s.id = c.share_id
        ) AS deltas
        GROUP BY org, day, network, post_id, member_id
        HAVING {" + ".join(f"sum({m})" for m in MEASURES)} > 0
        ORDER BY day, org, network, post_id, member_id
        """,
        {"tz": timezone, "tau": TAU_SECONDS},
    )
    execute(
        f"""
        INSERT INTO {T.organizationday} (organization_id, day, network, is_company, {MEASURE_LIST})
        SELECT organization_id, day, network, member_id = 0, {SUMS}
        FROM {T.postmemberday} GROUP BY organization_id, day, network, member_id = 0
        ORDER BY day
        """
    )
    execute(
        f"""
        INSERT INTO {T.memberday} (organization_id, day, network, member_id, {MEASURE_LIST})
        SELECT organization_id, day, network, member_id, {SUMS}
        FROM {T.postmemberday} WHERE member_id <> 0 GROUP BY organization_id, day, network, member_id
        ORDER BY day
        """
    )
    execute(
        f"""
        INSERT INTO {T.postday} (organization_id, day, network, post_id, is_company, {MEASURE_LIST})
        SELECT organization_id, day, network, post_id, member_id = 0, {SUMS}
        FROM {T.postmemberday} GROUP BY organization_id, day, network, post_id, member_id = 0
        ORDER BY day
        """
    )
    clicks = scalar(f"SELECT COALESCE(max(id), 0) FROM {T.click}")
    execute(
        f"INSERT INTO {T.rollupcursor} (name, position, updated_at) VALUES ('ingest', 0, now()), ('clicks', %s, now())",
        [clicks],
    )
    execute("DROP TABLE click_delta")
    execute("DROP TABLE ms")
    # As the platform's own writes do: cached reads of the rollups key on this.
    organizations = [row[0] for row in rows(f"SELECT id FROM {T.organization}")]
    rollups_version_bump(organization_ids=organizations, settled_ids=organizations)
    return {
        table: scalar(f"SELECT count(*) FROM analytics_{table}")
        for table in ("postmemberday", "postday", "memberday", "organizationday")
    }


def seed_audience(params: p.SeedParams, now: datetime, timezone: str = p.ORG_TIMEZONE) -> int:
    """Daily follower counts of every active profile, growing towards today's count."""
    execute(
        f"""
        INSERT INTO {T.audiencesnapshot} (profile_id, organization_id, member_id, network, day, followers)
        SELECT pr.id, pr.organization_id, COALESCE(pr.owner_membership_id, 0), pr.network,
               (%(now)s AT TIME ZONE %(tz)s)::date - back,
               GREATEST(0, round(pr.followers * (1 - back * 0.002 * pg_temp.u(pr.id, 40))))::int
        FROM {T.socialprofile} pr CROSS JOIN generate_series(0, %(days)s - 1) AS back
        WHERE pr.state = 'active' AND pr.followers IS NOT NULL
        ORDER BY back DESC, pr.id
        """,
        {"now": now, "tz": timezone, "days": params.audience_days},
    )
    execute(
        f"""
        INSERT INTO {T.audienceday} (organization_id, day, network, is_company, followers, profiles)
        SELECT organization_id, day, network, member_id = 0, sum(followers), count(*)
        FROM {T.audiencesnapshot} GROUP BY organization_id, day, network, member_id = 0
        """
    )
    return scalar(f"SELECT count(*) FROM {T.audiencesnapshot}")
