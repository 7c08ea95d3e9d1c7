"""CSV tables: every table of the dashboard, whole (no top-10 cut), row by row.

Each table is a header and an iterator of rows, read from the same selectors the pages
use, so an export always matches what the page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from analytics.reach import DEFINITIONS, Side
from analytics.selectors import dashboard as figures
from analytics.selectors.distribution import distribution_trail
from analytics.selectors.leaderboard import leaderboard_rows
from analytics.selectors.overview import emv_for
from analytics.selectors.reports import post_share_lines
from analytics.selectors.settings import analytics_settings_get

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.selectors.scope import Scope

SIDE_COLUMNS = (
    "shares",
    "potential_reach",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "engagements",
    "impressions",
    "clicks",
    "unique_clicks",
)


def _side_values(side: Side) -> list[int]:
    return [getattr(side, name) for name in SIDE_COLUMNS]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[list]


def _reach_over_time(scope: Scope, filters: Filters, **_) -> Table:
    sources = figures.sources_for(scope, filters)
    per_day: dict = {}
    for kind, rows in (("company", sources.company), ("employees", sources.employees)):
        for row in rows.values("day").order_by("day").annotate(**figures.measure_sums()).iterator():
            per_day.setdefault(row["day"], {})[kind] = Side.of(figures.measures_of(row))

    def rows() -> Iterator[list]:
        for day in sorted(per_day):
            for kind in ("company", "employees"):
                if kind in per_day[day]:
                    yield [day.isoformat(), kind, *_side_values(per_day[day][kind])]

    return Table(["date", "sender", *SIDE_COLUMNS], rows())


def _reach(scope: Scope, filters: Filters, **_) -> Table:
    reach = figures.reach_totals(figures.sources_for(scope, filters))

    def rows() -> Iterator[list]:
        for name in SIDE_COLUMNS:
            kind = DEFINITIONS[name].kind if name in DEFINITIONS else "measured"
            yield [
                name,
                getattr(reach.company, name),
                getattr(reach.employees, name),
                getattr(reach.combined, name),
                kind,
            ]
        yield [
            "engagement_rate",
            reach.company.engagement_rate,
            reach.employees.engagement_rate,
            reach.combined.engagement_rate,
            "estimated",
        ]
        yield ["amplification_ratio", "", "", reach.amplification, "estimated"]
        yield ["employee_share_of_reach", "", "", reach.employee_share, "estimated"]
        yield ["personal_twist_rate", "", reach.employees.twist_rate, "", "measured"]

    return Table(["figure", "company", "employees", "combined", "kind"], rows())


def _adoption(scope: Scope, filters: Filters, **_) -> Table:
    """The adoption and audience facts, one per row."""
    adoption = figures.adoption(scope, filters)
    audience = figures.audience(scope, filters)
    reach = figures.reach_totals(figures.sources_for(scope, filters))

    def rows() -> Iterator[list]:
        yield ["employees", adoption.employees, "measured"]
        yield ["employees_with_a_connected_profile", adoption.connected, "measured"]
        yield ["active_sharers", adoption.active, "measured"]
        yield ["personal_twist_rate", reach.employees.twist_rate, "measured"]
        yield ["audience_day", audience.day.isoformat() if audience.day else "", ""]
        yield ["company_followers", audience.company, "measured"]
        yield ["employee_followers", audience.employees, "measured"]

    return Table(["figure", "value", "kind"], rows())


def _posts(scope: Scope, filters: Filters, **_) -> Table:
    def rows() -> Iterator[list]:
        for row in figures.posts(scope, filters, limit=None):
            yield [row.post_id, row.title, *_side_values(row.reach.company), *_side_values(row.reach.employees)]

    header = ["post_id", "title"]
    header += [f"company_{name}" for name in SIDE_COLUMNS] + [f"employees_{name}" for name in SIDE_COLUMNS]
    return Table(header, rows())


def _sharers(scope: Scope, filters: Filters, **_) -> Table:
    def rows() -> Iterator[list]:
        for row in figures.sharers(scope, filters, limit=None):
            yield [row.member_id, row.name, *_side_values(row.side), row.side.personal_shares]

    return Table(["member_id", "name", *SIDE_COLUMNS, "personal_shares"], rows())


def _teams(scope: Scope, filters: Filters, **_) -> Table:
    min_size = figures.council_min_size(analytics_settings_get(organization_id=scope.organization_id))

    def rows() -> Iterator[list]:
        # In works-council mode small teams are left out, as on the page.
        for row in figures.by_team(scope, filters, min_size=min_size):
            yield [row.team_id, row.name, row.people, row.active, *_side_values(row.side)]

    return Table(["team_id", "team", "people", "active_sharers", *SIDE_COLUMNS], rows())


def _networks(scope: Scope, filters: Filters, **_) -> Table:
    def rows() -> Iterator[list]:
        for row in figures.by_network(figures.sources_for(scope, filters)):
            yield [row.network, *_side_values(row.reach.company), *_side_values(row.reach.employees)]

    header = ["network"] + [f"company_{name}" for name in SIDE_COLUMNS] + [f"employees_{name}" for name in SIDE_COLUMNS]
    return Table(header, rows())


def _emv(scope: Scope, filters: Filters, **_) -> Table:
    emv = emv_for(scope, filters)

    def rows() -> Iterator[list]:
        for line in emv.lines:
            yield [line.network, line.action, line.count, line.rate, line.value, emv.currency]
        if emv.lines:
            yield ["total", "", "", "", emv.total, emv.currency]

    return Table(["network", "action", "count", "rate", "value", "currency"], rows())


def _distribution(scope: Scope, filters: Filters, **_) -> Table:
    def rows() -> Iterator[list]:
        points = distribution_trail(scope=scope, filters=filters)
        for position, point in enumerate(points, start=1):
            d = point.distribution
            yield [
                "period" if position == len(points) else "slice",
                point.start.isoformat(),
                point.end.isoformat(),
                d.company_reach,
                d.employee_reach,
                d.employees,
                d.senders,
                d.employee_share,
                d.evenness,
                d.entropy,
                d.index,
                d.stage or "",
            ]

    header = [
        "span",
        "start",
        "end",
        "company_reach",
        "employees_reach",
        "employees",
        "employees_who_reached_anyone",
        "employee_share",
        "evenness_1_minus_gini",
        "evenness_normalized_entropy",
        "distribution_index",
        "stage",
    ]
    return Table(header, rows())


def _leaderboard(scope: Scope, filters: Filters, **_) -> Table:
    def rows() -> Iterator[list]:
        for row in leaderboard_rows(scope=scope.narrowed_to(filters.team_id), filters=filters):
            yield [
                *(row.rank, row.member_id, row.name, row.shares, row.own_words),
                *(row.engagements, row.clicks, row.points),
            ]

    # points: each share's points weighted by its verdict (the organization's weights, analytics settings)
    return Table(["rank", "member_id", "name", "shares", "own_words", "engagements", "clicks", "points"], rows())


def _post_shares(scope: Scope, filters: Filters, *, post=None, **_) -> Table:
    def rows() -> Iterator[list]:
        for line in post_share_lines(scope=scope, filters=filters, post=post):
            metrics = line.metrics
            yield [
                metrics.share_id,
                line.sharer if metrics.member_id else "company",
                metrics.network,
                metrics.share.profile.handle,
                metrics.posted_at.isoformat(),
                metrics.share.followers_at_share or 0,
                metrics.measured,
                metrics.peak_likes,
                metrics.peak_reposts,
                metrics.peak_replies,
                metrics.peak_quotes,
                metrics.peak_impressions,
                metrics.clicks,
                metrics.unique_clicks,
                metrics.share.metrics_deleted,
                metrics.pull_note,
            ]

    header = [
        "share_id",
        "sharer",
        "network",
        "profile",
        "posted_at",
        "followers_at_share",
        "engagement_measured",
        "likes",
        "reposts",
        "replies",
        "quotes",
        "impressions",
        "clicks",
        "unique_clicks",
        "deleted_on_network",
        "note",
    ]
    return Table(header, rows())


def _dividend(scope: Scope, filters: Filters, **_) -> Table:
    """The twist dividend: one row per verdict, then own against copied words per figure."""
    from analytics.selectors.dividend import twist_dividend

    result = twist_dividend(scope=scope, filters=filters)
    kinds = {"engagements": "measured", "clicks": "measured", "reach": "estimated"}

    def rows() -> Iterator[list]:
        for group in result.groups:
            yield [
                group.verdict,
                group.count,
                *(group.medians[name] for name in kinds),
                *(group.means[name] for name in kinds),
                "",
                "",
                "",
                "measured",
            ]
        for name, comparison in result.comparisons.items():
            blanks = ["", "", "", "", "", ""]
            ratio = [comparison.ratio, comparison.low, comparison.high]
            yield [f"own_vs_copied_{name}", comparison.own + comparison.copied, *blanks, *ratio, kinds[name]]

    header = ["group", "shares"]
    header += [f"median_{name}" for name in kinds] + [f"mean_{name}" for name in kinds]
    header += ["ratio_own_to_copied", "interval_low_95", "interval_high_95", "kind"]
    return Table(header, rows())


TABLES: dict[str, tuple[object, Callable[..., Table]]] = {
    "reach_over_time": (_("Reach over time"), _reach_over_time),
    "reach": (_("The reach model"), _reach),
    "adoption": (_("Adoption and audience"), _adoption),
    "posts": (_("Posts"), _posts),
    "sharers": (_("Sharers"), _sharers),
    "teams": (_("Teams"), _teams),
    "networks": (_("Networks"), _networks),
    "emv": (_("Earned media value"), _emv),
    "distribution": (_("Distribution index"), _distribution),
    "dividend": (_("Twist dividend"), _dividend),
    "leaderboard": (_("Leaderboard"), _leaderboard),
    "post_shares": (_("Shares of a post"), _post_shares),
}


def export_table(name: str, *, scope: Scope, filters: Filters, post=None) -> Table:
    return TABLES[name][1](scope, filters, post=post)
