"""The organization dashboard's figures in hand-written SQL: the floor the view is held to.

Same tables as the platform (the rollups), same period and previous period, and every
figure the page shows: reach totals now and before, the daily series, networks (and
so EMV), top posts, top sharers, the team table's first page (teams by name, as the
page shows them), adoption, audience and the distribution trail (Gini coefficients
included). Three statements on one connection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from analytics.models import Measures
from analytics.selectors.teams import TEAMS_PER_PAGE

MEASURES = tuple(Measures.MEASURES)
SUMS = ", ".join(f"sum({m})::bigint" for m in MEASURES)
# The same, named sum_1 … sum_11 in MEASURES order (sum_1 shares, sum_4 reach, sum_5-8 engagement, sum_10 clicks).
NAMED_SUMS = ", ".join(f"sum({m})::bigint AS sum_{i}" for i, m in enumerate(MEASURES, start=1))
TRAIL_PERIODS = 6
SHORTEST_SLICE = 7


@dataclass(frozen=True)
class Period:
    organization_id: int
    start: date
    end: date

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=self.length)

    def buckets(self) -> list[tuple[date, date]]:
        size = max(SHORTEST_SLICE, math.ceil(self.length / TRAIL_PERIODS))
        return [
            (self.end - timedelta(days=size * back) - timedelta(days=size - 1), self.end - timedelta(days=size * back))
            for back in range(TRAIL_PERIODS - 1, -1, -1)
        ]


# Three statements, one per grain of rollup, each reading its rows once (CTEs) and
# answering every figure that grain gives, as JSON arrays of rows.

ORGANIZATION = f"""
WITH d AS (
    SELECT * FROM analytics_organizationday
    WHERE organization_id = %(org)s AND day BETWEEN LEAST(%(previous_start)s, %(trail_start)s) AND %(end)s
), buckets AS (
    SELECT * FROM unnest(%(bucket_starts)s::date[], %(bucket_ends)s::date[]) WITH ORDINALITY AS b(start, stop, n)
), last_audience AS (
    SELECT max(day) AS day FROM analytics_audienceday WHERE organization_id = %(org)s AND day <= %(end)s
)
SELECT
  (SELECT json_agg(json_build_array(is_company, current, {", ".join(f"s_{m}" for m in MEASURES)}))
   FROM (SELECT is_company, day >= %(start)s AS current, {", ".join(f"sum({m}) AS s_{m}" for m in MEASURES)}
         FROM d WHERE day >= %(previous_start)s GROUP BY 1, 2) AS x),
  (SELECT json_agg(json_build_array(day, c, e) ORDER BY day)
   FROM (SELECT day, sum(potential_reach) FILTER (WHERE is_company) AS c,
                sum(potential_reach) FILTER (WHERE NOT is_company) AS e
         FROM d WHERE day >= %(start)s GROUP BY day) AS x),
  (SELECT json_agg(json_build_array(network, is_company, {", ".join(f"s_{m}" for m in MEASURES)}) ORDER BY network)
   FROM (SELECT network, is_company, {", ".join(f"sum({m}) AS s_{m}" for m in MEASURES)}
         FROM d WHERE day >= %(start)s GROUP BY 1, 2) AS x),
  (SELECT json_agg(json_build_array(b.n, COALESCE(x.reach, 0)) ORDER BY b.n)
   FROM buckets b LEFT JOIN LATERAL (
       SELECT sum(potential_reach) AS reach FROM d WHERE d.is_company AND d.day BETWEEN b.start AND b.stop
   ) AS x ON true),
  (SELECT json_build_array(l.day,
                           COALESCE(sum(a.followers) FILTER (WHERE a.is_company), 0),
                           COALESCE(sum(a.followers) FILTER (WHERE NOT a.is_company), 0))
   FROM last_audience l LEFT JOIN analytics_audienceday a
     ON a.organization_id = %(org)s AND a.day = l.day AND l.day >= %(start)s
   GROUP BY l.day),
  (SELECT json_build_array(currency, emv_rates) FROM analytics_analyticssettings WHERE organization_id = %(org)s)
"""  # noqa: S608 - column names are ours

# Members' sums over the period are read in one pass over MemberDay (plain sums, an
# index-only scan of memberday_period), and each trail slice's reach per member in
# another over the rows that carry reach; top sharers (with names), teams, adoption and
# the distribution trail all come from them, as on the page. (One pass with a FILTER
# per figure and slice reads the rows once but costs more than the two.) The trail's
# evenness is 1 − Gini over every active employee (zeros included) plus anyone else
# who reached someone, normalised by n ÷ (n − 1) as the platform does: Σ i·x over the
# ascending values is Σ rank·x + zeros·Σx, since the zeros come first. Slices are
# `slice_days` long and end on the period's last day, so a day's slice is
# (day − trail_start) ÷ slice_days + 1.
MEMBERS = f"""
WITH RECURSIVE totals AS MATERIALIZED (
    SELECT member_id, {NAMED_SUMS}
    FROM analytics_memberday
    WHERE organization_id = %(org)s AND day BETWEEN %(start)s AND %(end)s
    GROUP BY member_id
), slice_reach AS MATERIALIZED (
    SELECT (day - %(trail_start)s::date) / %(slice_days)s + 1 AS n, member_id, sum(potential_reach) AS reach
    FROM analytics_memberday
    WHERE organization_id = %(org)s AND day BETWEEN %(trail_start)s AND %(end)s AND potential_reach > 0
    GROUP BY 1, 2
), people AS MATERIALIZED (
    SELECT id FROM employees_membership WHERE organization_id = %(org)s AND is_active AND is_employee
), below(root, team) AS (
    SELECT id, id FROM employees_team WHERE organization_id = %(org)s
    UNION
    SELECT b.root, t.id FROM below b JOIN employees_team t ON t.parent_id = b.team
), team_members AS (
    SELECT DISTINCT b.root, mt.membership_id FROM below b JOIN employees_membership_teams mt ON mt.team_id = b.team
), buckets AS (
    SELECT * FROM unnest(%(bucket_starts)s::date[], %(bucket_ends)s::date[]) WITH ORDINALITY AS b(start, stop, n)
), slices AS (
    SELECT n, member_id, reach FROM slice_reach
    UNION ALL
    SELECT {TRAIL_PERIODS + 1}, member_id, sum_4 FROM totals WHERE sum_4 > 0
), ranked AS (
    SELECT s.n, s.reach, row_number() OVER (PARTITION BY s.n ORDER BY s.reach) AS rank,
           EXISTS (SELECT 1 FROM people p WHERE p.id = s.member_id) AS counted
    FROM slices s
), trail AS (
    SELECT n, count(*) AS senders, count(*) FILTER (WHERE counted) AS counted, sum(reach) AS reach,
           sum(rank * reach) AS ranked
    FROM ranked GROUP BY n
)
SELECT
  (SELECT json_agg(json_build_array(t.member_id, COALESCE(NULLIF(u.name, ''), u.email)) ORDER BY
                   t.sum_5 + t.sum_6 + t.sum_7 + t.sum_8 + t.sum_10 DESC, t.sum_4 DESC, t.member_id)
   FROM (SELECT * FROM totals
         ORDER BY sum_5 + sum_6 + sum_7 + sum_8 + sum_10 DESC, sum_4 DESC, member_id LIMIT 10) AS t
   JOIN employees_membership m ON m.id = t.member_id JOIN employees_user u ON u.id = m.user_id),
  (SELECT json_agg(json_build_array(id, people, active, {", ".join(f"s{i}" for i in range(1, len(MEASURES) + 1))})
                   ORDER BY name, id)
   FROM (SELECT t.id, t.name, count(m.membership_id) AS people, count(*) FILTER (WHERE s.sum_1 > 0) AS active,
                {", ".join(f"COALESCE(sum(s.sum_{i}), 0) AS s{i}" for i in range(1, len(MEASURES) + 1))}
         FROM employees_team t
         LEFT JOIN team_members m ON m.root = t.id
         LEFT JOIN totals s ON s.member_id = m.membership_id
         WHERE t.organization_id = %(org)s
         GROUP BY t.id, t.name
         ORDER BY t.name, t.id LIMIT {TEAMS_PER_PAGE}) AS x),
  (SELECT json_build_array(
       (SELECT count(*) FROM people),
       (SELECT count(DISTINCT owner_membership_id) FROM employees_socialprofile
        WHERE organization_id = %(org)s AND state = 'active' AND owner_membership_id IN (SELECT id FROM people)),
       (SELECT count(*) FROM totals WHERE sum_1 > 0 AND member_id IN (SELECT id FROM people)))),
  (SELECT json_agg(json_build_array(b.n, b.start, b.stop, COALESCE(t.reach, 0),
                                    (SELECT count(*) FROM people) - COALESCE(t.counted, 0) + COALESCE(t.senders, 0),
                                    COALESCE(t.ranked, 0)
                                      + ((SELECT count(*) FROM people) - COALESCE(t.counted, 0)) * COALESCE(t.reach, 0))
                   ORDER BY b.n)
   FROM buckets b LEFT JOIN trail t ON t.n = b.n)
"""  # noqa: S608 - column names are ours

# Posts are ranked on two sums first; the two sides' figures are read for the ten only.
TOP_POSTS = f"""
WITH ranked AS (
    SELECT post_id, sum(likes + reposts + replies + quotes + clicks) AS score, sum(potential_reach) AS reach
    FROM analytics_postday
    WHERE organization_id = %(org)s AND day BETWEEN %(start)s AND %(end)s
    GROUP BY post_id
    ORDER BY score DESC, reach DESC, post_id
    LIMIT 10
), sides AS (
    SELECT d.post_id,
           {", ".join(f"sum(d.{m}) FILTER (WHERE d.is_company) AS c_{m}" for m in MEASURES)},
           {", ".join(f"sum(d.{m}) FILTER (WHERE NOT d.is_company) AS e_{m}" for m in MEASURES)}
    FROM analytics_postday d
    WHERE d.post_id IN (SELECT post_id FROM ranked) AND d.organization_id = %(org)s
      AND d.day BETWEEN %(start)s AND %(end)s
    GROUP BY d.post_id
)
SELECT json_agg(json_build_array(r.post_id, p.title, r.score, r.reach, s.*)
                ORDER BY r.score DESC, r.reach DESC, r.post_id)
FROM ranked r JOIN sides s ON s.post_id = r.post_id JOIN content_post p ON p.id = r.post_id
"""  # noqa: S608 - column names are ours

STATEMENTS = {"organization": ORGANIZATION, "members": MEMBERS, "top_posts": TOP_POSTS}


def parameters(period: Period) -> dict:
    buckets = period.buckets()
    # The last "slice" of the trail is the whole period, as on the page.
    starts = [start for start, _end in buckets] + [period.start]
    ends = [end for _start, end in buckets] + [period.end]
    return {
        "org": period.organization_id,
        "start": period.start,
        "end": period.end,
        "previous_start": period.previous_start,
        "bucket_starts": starts,
        "bucket_ends": ends,
        "trail_start": min(starts),
        "slice_days": (buckets[0][1] - buckets[0][0]).days + 1,
        "whole": len(starts),
    }


def run_all(cursor, period: Period) -> dict[str, list]:
    """Every statement once; returns each figure's rows (dates as ISO text)."""
    values = parameters(period)
    cursor.execute(ORGANIZATION, values)
    totals, series, networks, company_trail, audience, rules = cursor.fetchone()
    cursor.execute(MEMBERS, values)
    top_sharers, teams, adoption, trail = cursor.fetchone()
    cursor.execute(TOP_POSTS, values)
    (top_posts,) = cursor.fetchone()
    company = dict(company_trail or [])
    return {
        "totals": totals or [],
        "series": series or [],
        "networks": networks or [],
        "top_sharers": top_sharers or [],
        "teams": teams or [],
        "adoption": adoption,
        "audience": audience,
        "settings": rules,
        "trail": [[n, start, stop, company.get(n, 0), *rest] for n, start, stop, *rest in trail or []],
        "top_posts": top_posts or [],
    }


def gini_from(people: int, total: int, weighted: int) -> float | None:
    """The platform's normalised Gini coefficient from n, Σx and Σ i·x (x ascending)."""
    if people == 0 or total == 0:
        return None
    if people == 1:
        return 0.0
    coefficient = (2 * weighted) / (people * total) - (people + 1) / people
    return max(0.0, min(1.0, coefficient * people / (people - 1)))
