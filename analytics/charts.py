"""Chart geometry for server-rendered SVG: the templates draw, this module measures.

No JavaScript and no chart library: the numbers become rectangles and lines here and
the templates print them as SVG elements, styled by classes in analytics.css (the
Content-Security-Policy allows no inline styles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils.formats import date_format, number_format

if TYPE_CHECKING:
    from analytics.selectors.dashboard import SeriesPoint

WIDTH = 720
HEIGHT = 240
LEFT = 56
RIGHT = 8
TOP = 10
BOTTOM = 28


def nice_step(value: float) -> float:
    """The next round number at or above value: 1, 2, 2.5, 5 or 10 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def nice_axis(maximum: float, ticks: int = 4) -> tuple[float, float]:
    """(top, step) of an axis from 0 with about `ticks` round steps."""
    step = max(nice_step(maximum / ticks), 1)
    return step * max(math.ceil(maximum / step), 1), step


def short_number(value: float) -> str:
    if value >= 1_000_000:
        return f"{number_format(round(value / 1_000_000, 1))}M"
    if value >= 1_000:
        return f"{number_format(round(value / 1_000, 1))}k"
    return number_format(round(value, 1) if value % 1 else int(value))


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    company_y: float
    company_height: float
    employees_y: float
    employees_height: float
    label: str
    company: int
    employees: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    left: int
    plot_bottom: float
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    empty: bool


def stacked_bars(points: list[SeriesPoint]) -> StackedBars:
    """Company at the bottom, employees stacked on top, one bar per day."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    top_value, step = nice_axis(max((p.total for p in points), default=0))
    slot = plot_width / max(len(points), 1)
    gap = min(slot * 0.2, 2)
    bars = []
    for index, point in enumerate(points):
        company_height = plot_height * point.company / top_value
        employees_height = plot_height * point.employees / top_value
        bars.append(
            Bar(
                x=round(LEFT + index * slot + gap / 2, 2),
                width=round(max(slot - gap, 0.5), 2),
                company_y=round(bottom - company_height, 2),
                company_height=round(company_height, 2),
                employees_y=round(bottom - company_height - employees_height, 2),
                employees_height=round(employees_height, 2),
                label=date_format(point.day, "SHORT_DATE_FORMAT"),
                company=point.company,
                employees=point.employees,
            )
        )
    y_ticks = [
        Tick(round(bottom - plot_height * (n * step) / top_value, 2), short_number(n * step))
        for n in range(round(top_value / step) + 1)
    ]
    every = max(1, math.ceil(len(points) / 6))
    x_ticks = [
        Tick(round(LEFT + (index + 0.5) * slot, 2), date_format(point.day, "M j"))
        for index, point in enumerate(points)
        if index % every == 0
    ]
    return StackedBars(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_bottom=bottom,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        empty=not any(p.total for p in points),
    )


# -- Baran's networks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Glyph:
    """One of Baran's three drawings, scaled into a box: edges, nodes and a label."""

    kind: str
    label: object
    x: float
    y: float
    size: float
    edges: list[tuple[float, float, float, float]]
    nodes: list[tuple[float, float, float, bool]]  # x, y, radius, is a hub

    label_x: float = 0
    label_y: float = 0


def _ring(cx: float, cy: float, radius: float, count: int, turn: float = 0.0) -> list[tuple[float, float]]:
    return [
        (
            cx + radius * math.cos(2 * math.pi * (i / count + turn)),
            cy + radius * math.sin(2 * math.pi * (i / count + turn)),
        )
        for i in range(count)
    ]


def baran_glyph(kind: str, label, x: float, y: float, size: float) -> Glyph:
    cx, cy, r = x + size / 2, y + size / 2, size / 2 * 0.85
    dot = max(size / 40, 1.5)
    edges: list[tuple[float, float, float, float]] = []
    nodes: list[tuple[float, float, float, bool]] = []
    if kind == "centralized":
        nodes.append((cx, cy, dot * 1.8, True))
        for px, py in _ring(cx, cy, r, 12):
            edges.append((cx, cy, px, py))
            nodes.append((px, py, dot, False))
    elif kind == "decentralized":
        nodes.append((cx, cy, dot * 1.8, True))
        for hx, hy in _ring(cx, cy, r * 0.5, 4, 0.125):
            edges.append((cx, cy, hx, hy))
            nodes.append((hx, hy, dot * 1.4, True))
            outward = math.atan2(hy - cy, hx - cx)
            for offset in (-0.7, 0.0, 0.7):
                lx = hx + r * 0.45 * math.cos(outward + offset)
                ly = hy + r * 0.45 * math.sin(outward + offset)
                edges.append((hx, hy, lx, ly))
                nodes.append((lx, ly, dot, False))
    else:
        side = 4
        step = 2 * r / (side - 1)
        grid = [[(cx - r + col * step, cy - r + row * step) for col in range(side)] for row in range(side)]
        for row in range(side):
            for col in range(side):
                px, py = grid[row][col]
                if col + 1 < side:
                    edges.append((px, py, *grid[row][col + 1]))
                if row + 1 < side:
                    edges.append((px, py, *grid[row + 1][col]))
                if row + 1 < side and col + 1 < side and (row + col) % 2 == 0:
                    edges.append((px, py, *grid[row + 1][col + 1]))
                nodes.append((px, py, dot, False))
    rounded_edges = [tuple(round(v, 2) for v in edge) for edge in edges]
    rounded_nodes = [(round(nx, 2), round(ny, 2), round(nr, 2), hub) for nx, ny, nr, hub in nodes]
    return Glyph(kind, label, x, y, size, rounded_edges, rounded_nodes)


@dataclass(frozen=True)
class TrailMark:
    x: float
    y: float
    label: str
    is_now: bool


@dataclass(frozen=True)
class BaranPicture:
    width: int
    height: int
    plot_x: float
    plot_y: float
    plot_size: float
    half: float
    glyphs: list[Glyph]
    trail: list[TrailMark]
    path: str

    @property
    def mid_x(self) -> float:
        return self.plot_x + self.half

    @property
    def mid_y(self) -> float:
        return self.plot_y + self.half

    @property
    def right(self) -> float:
        return self.plot_x + self.plot_size

    @property
    def bottom(self) -> float:
        return self.plot_y + self.plot_size

    @property
    def caption_y(self) -> float:
        return self.height - 8


PLOT = 200
PAD = 28


def baran_picture(
    points: list[tuple[float | None, float | None, str]], *, now: tuple[float | None, float | None, str]
) -> BaranPicture:
    """The plane of employees' share (→) by evenness (↑) with Baran's drawings in its
    three regions, the organization's trail through it (oldest first) and where the
    whole period puts it."""
    from analytics.distribution import STAGES

    x0, y0 = PAD, 8
    half = PLOT / 2
    glyph = 58
    # Each region: its top-left corner, where its label goes; the drawing sits below it.
    regions = {
        "centralized": (x0, y0 + half / 2),
        "decentralized": (x0 + half, y0 + half),
        "distributed": (x0 + half, y0),
    }
    glyphs = []
    for kind, (left, top) in regions.items():
        drawn = baran_glyph(kind, STAGES[kind], left + half / 2 - glyph / 2, top + 20, glyph)
        glyphs.append(replace(drawn, label_x=left + half / 2, label_y=top + 14))

    def place(point, is_now: bool) -> TrailMark | None:
        share, evenness, label = point
        if share is None:
            return None
        return TrailMark(round(x0 + PLOT * share, 2), round(y0 + PLOT * (1 - (evenness or 0)), 2), label, is_now)

    trail = [mark for mark in (place(point, False) for point in points) if mark is not None]
    path = " ".join(f"{'M' if i == 0 else 'L'}{mark.x},{mark.y}" for i, mark in enumerate(trail))
    current = place(now, True)
    if current is not None:
        trail.append(current)
    return BaranPicture(
        width=PLOT + PAD + 10,
        height=PLOT + y0 + 34,
        plot_x=x0,
        plot_y=y0,
        plot_size=PLOT,
        half=half,
        glyphs=glyphs,
        trail=trail,
        path=path,
    )
