"""Chart geometry: bars in proportion, round axes, Baran's drawings and the trail."""

from __future__ import annotations

from datetime import date, timedelta

from analytics import charts
from analytics.selectors.dashboard import SeriesPoint


def _points(values):
    start = date(2025, 1, 1)
    return [SeriesPoint(start + timedelta(days=i), company, employees) for i, (company, employees) in enumerate(values)]


def test_bars_stack_employees_on_the_company_in_proportion_to_a_round_axis():
    chart = charts.stacked_bars(_points([(100, 300), (0, 0), (50, 50)]))
    assert [tick.label for tick in chart.y_ticks] == ["0", "100", "200", "300", "400"]
    first = chart.bars[0]
    assert first.employees_height == 3 * first.company_height
    assert first.employees_y + first.employees_height == first.company_y
    assert chart.bars[1].company_height == chart.bars[1].employees_height == 0
    assert not chart.empty


def test_a_period_without_activity_is_an_empty_chart():
    assert charts.stacked_bars(_points([(0, 0)] * 7)).empty


def test_large_numbers_get_short_axis_labels():
    assert charts.short_number(12_500) == "12.5k"
    assert charts.short_number(3_000_000) == "3.0M"
    assert charts.nice_axis(9_100) == (10_000, 2_500)


def test_the_baran_picture_places_the_trail_and_the_whole_period():
    picture = charts.baran_picture(
        [(0.1, 0.2, "slice 1"), (None, None, "nothing"), (0.6, 0.3, "slice 3")], now=(0.5, 0.25, "period")
    )
    assert [glyph.kind for glyph in picture.glyphs] == ["centralized", "decentralized", "distributed"]
    assert len(picture.glyphs[0].nodes) == 13 and len(picture.glyphs[2].nodes) == 16
    assert [mark.is_now for mark in picture.trail] == [False, False, True]
    assert picture.path.startswith("M") and picture.path.count("L") == 1
    left, right = picture.trail[0], picture.trail[1]
    assert left.x < right.x and left.y > right.y  # further right and higher up
