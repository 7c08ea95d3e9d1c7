"""Everything the dashboard shows for one scope and set of filters, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics import charts
from analytics.distribution import Distribution
from analytics.emv import Emv, emv_compute, rates_with_defaults
from analytics.selectors import dashboard as figures
from analytics.selectors.cached import rollups_version_pinned
from analytics.selectors.daily import daily_read
from analytics.selectors.distribution import TrailPoint, distribution_trail, trail_buckets
from analytics.selectors.settings import analytics_settings_get

if TYPE_CHECKING:
    from analytics.forms import Filters
    from analytics.reach import Reach
    from analytics.selectors.scope import Scope


@dataclass
class Overview:
    reach: Reach
    previous: Reach
    series: list[figures.SeriesPoint]
    chart: charts.StackedBars
    networks: list[figures.NetworkRow]
    top_posts: list[figures.PostRow]
    top_sharers: list[figures.SharerRow]
    teams: figures.TeamTable
    adoption: figures.Adoption
    audience: figures.Audience
    emv: Emv
    trail: list[TrailPoint]
    baran: charts.BaranPicture

    @property
    def distribution(self) -> Distribution:
        """The whole period's (the trail's slices come before it)."""
        return self.trail[-1].distribution


def baran_for(trail: list[TrailPoint]) -> charts.BaranPicture:
    """The slices as the trail, and the whole period as the marked point."""
    from django.utils.formats import date_format

    def mark(point: TrailPoint) -> tuple:
        label = f"{date_format(point.start, 'SHORT_DATE_FORMAT')} – {date_format(point.end, 'SHORT_DATE_FORMAT')}"
        return (point.distribution.employee_share, point.distribution.evenness, label)

    return charts.baran_picture([mark(point) for point in trail[:-1]], now=mark(trail[-1]))


def emv_for(scope: Scope, filters: Filters, sources: figures.Sources | None = None) -> Emv:
    rules = analytics_settings_get(organization_id=scope.organization_id)
    sources = sources or figures.sources_for(scope, filters)
    return emv_compute(
        counts=figures.emv_counts(sources), rates=rates_with_defaults(rules.emv_rates), currency=rules.currency
    )


def dashboard_overview(*, scope: Scope, filters: Filters, teams_page: object = 1, rules=None) -> Overview:
    """Every figure of the dashboard, under one read of the rollup version. `rules` (the
    organization's analytics settings) saves their read when the caller has them."""
    with rollups_version_pinned():
        return _overview(scope=scope, filters=filters, teams_page=teams_page, rules=rules)


def _overview(*, scope: Scope, filters: Filters, teams_page: object, rules) -> Overview:
    previous_start, previous_end = filters.previous()
    trail_start = trail_buckets(filters)[0][0]
    daily = daily_read(scope, filters, start=min(previous_start, trail_start), end=filters.end)
    series = daily.series(filters)
    trail = distribution_trail(scope=scope, filters=filters, daily=daily)
    rules = rules or analytics_settings_get(organization_id=scope.organization_id)
    emv = emv_compute(
        counts=daily.emv_counts(filters.start, filters.end),
        rates=rates_with_defaults(rules.emv_rates),
        currency=rules.currency,
    )
    return Overview(
        reach=daily.reach(filters.start, filters.end),
        previous=daily.reach(previous_start, previous_end),
        series=series,
        chart=charts.stacked_bars(series),
        networks=daily.networks(filters.start, filters.end),
        top_posts=figures.posts(scope, filters),
        top_sharers=figures.sharers(scope, filters),
        teams=figures.teams_page(scope, filters, min_size=figures.council_min_size(rules), number=teams_page),
        adoption=figures.adoption(scope, filters),
        audience=figures.audience(scope, filters),
        emv=emv,
        trail=trail,
        baran=baran_for(trail),
    )
