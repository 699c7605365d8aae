"""Chart geometry for inline SVG: numbers in, coordinates and labels out.

The templates draw the SVG from these dataclasses, so a chart is readable with
JavaScript off, styled by the report's CSS (dark mode and print included), the
same bytes for the same data, and a few kilobytes, which matters when a report
has a thousand drill-down pages.  (A plotting library would write inline
``style`` attributes a strict Content-Security-Policy blocks, and take tens of
milliseconds per chart.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import num


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return num(value)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  #: hover text


@dataclass(frozen=True)
class Series:
    cls: str  #: CSS class: colour
    line: str  #: SVG path data of final values
    fresh_line: str  #: path data of the not-yet-final tail ("" if none)
    area: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]
    series: tuple[Series, ...]
    label: str  #: aria-label: what the chart shows
    empty: bool = False


def line_chart(xs: list, values: list[float | None], *, cls: str, label: str,
               x_text, point_text, fresh_from: int | None = None, width: int = 720, height: int = 180,
               x_every: int = 7) -> LineChart:
    """One series over evenly spaced x positions (days or snapshots); None values are gaps."""
    left, right, top, bottom = 52, 12, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in values if v is not None]
    ticks = nice_ticks(max(present) if present else 0)
    y_max = ticks[-1] or 1
    n = len(xs)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    points: list[Point] = []
    line: list[str] = []
    fresh: list[str] = []
    solid: list[Point] = []
    prev: tuple[float, float] | None = None  # the previous point drawn, None after a gap
    for i, (x, v) in enumerate(zip(xs, values)):
        if v is None:
            prev = None
            continue
        px, py = round(x_at(i), 1), round(y_at(v), 1)
        is_fresh = fresh_from is not None and i >= fresh_from
        if prev is None:
            (fresh if is_fresh else line).append(f"M{px},{py}")
        elif is_fresh and not fresh:  # the dashed tail starts at the last final day
            fresh.append(f"M{prev[0]},{prev[1]}L{px},{py}")
        else:
            (fresh if is_fresh else line).append(f"L{px},{py}")
        prev = (px, py)
        point = Point(px, py, point_text(x, v))
        points.append(point)
        if not is_fresh:
            solid.append(point)
    area: list[str] = []
    if len(solid) > 1:
        base = round(top + plot_h, 1)
        area = [f"M{solid[0].x},{base}"] + [f"L{p.x},{p.y}" for p in solid] + [f"L{solid[-1].x},{base}Z"]
    x_ticks = tuple((round(x_at(i), 1), x_text(xs[i])) for i in range(0, n, x_every)) if n else ()
    y_ticks = tuple((round(y_at(t), 1), _short(t)) for t in ticks)
    series = Series(cls, "".join(line), "".join(fresh), "".join(area), tuple(points))
    return LineChart(width, height, left, right, top, bottom, y_ticks, x_ticks, (series,), label,
                     empty=not present)


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: float
    width: float
    cls: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    label: str


def bar_chart(items: list[tuple[str, float, str, str]], *, label: str, width: int = 720) -> BarChart:
    """Horizontal bars: (label, share 0..1, value text, css class)."""
    label_width, bar_height, gap = 120, 22, 8
    plot = width - label_width - 90
    top_share = max((s for _, s, _, _ in items), default=0) or 1
    bars = tuple(
        Bar(text, value, i * (bar_height + gap), round(plot * share / top_share, 1), cls)
        for i, (text, share, value, cls) in enumerate(items)
    )
    height = max(len(items), 1) * (bar_height + gap)
    return BarChart(width, height, label_width, bar_height, bars, label)
