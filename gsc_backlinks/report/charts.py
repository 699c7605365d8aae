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
class Tick:
    x: float
    text: str
    anchor: str  #: SVG text-anchor: the first label starts at its point, the last ends there (never cut)


@dataclass(frozen=True)
class ValueLabel:
    x: float
    y: float
    text: str
    anchor: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    label: str  #: aria-label: what the chart shows
    empty: bool = False
    values: tuple[ValueLabel, ...] = ()  #: values written beside their points (few points: all of them)
    markers: bool = False  #: points drawn (few points), not only on hover

#: Widths in SVG units: the wide chart for screens and print, the narrow one for phones, where a 360-unit chart
#: is drawn at about 1:1, so its 12-unit text stays 12 px.
WIDE, NARROW = 720, 360
CHAR_WIDTH = 6.6  #: average width of a label character in SVG units (12-unit system font)


def _anchor(i: int, n: int) -> str:
    return "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"


def line_chart(xs: list, values: list[float | None], *, cls: str, label: str,
               x_text, point_text, fresh_from: int | None = None, width: int = WIDE, height: int = 180,
               x_every: int | None = None, value_text=None) -> LineChart:
    """One series over evenly spaced x positions (days or snapshots); None values are gaps.

    `x_every`: label every n-th x (default: as many as fit); `value_text`: the text written beside a point
    (default: the number) — with few points every point is marked and labelled, so two points read as well
    as fifty."""
    left, right, top, bottom = 46, 14, 18, 24
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
    texts = [x_text(x) for x in xs]
    if x_every is None:
        widest = max((len(t) for t in texts), default=1) * CHAR_WIDTH + 16
        x_every = max(1, math.ceil(n / max(1, int(plot_w // widest))))
    shown = list(range(0, n, x_every))
    if n > 1 and shown[-1] != n - 1:  # the newest x is named (it is the one people look for), its neighbour not
        shown = [i for i in shown if n - 1 - i >= x_every] + [n - 1]
    x_ticks = tuple(Tick(round(x_at(i), 1), texts[i], _anchor(k, len(shown))) for k, i in enumerate(shown))
    y_ticks = tuple((round(y_at(t), 1), _short(t)) for t in ticks)
    series = Series(cls, "".join(line), "".join(fresh), "".join(area), tuple(points))
    few = max(2, int(plot_w // 46))  # points that can each carry a value label
    if len(points) <= few:
        labelled = list(range(len(points)))
    else:  # the newest value, and the highest where it is well apart from it
        last = len(points) - 1
        top_i = min(range(len(points)), key=lambda i: points[i].y)
        labelled = [top_i, last] if points[last].x - points[top_i].x > plot_w / 8 else [last]
    present_values = [v for v in values if v is not None]
    labels = tuple(ValueLabel(points[i].x, points[i].y - 7, (value_text or _short)(present_values[i]),
                              _anchor(i, len(points)) if len(points) > 1 else "middle")
                   for i in labelled) if points else ()
    return LineChart(width, height, left, right, top, bottom, y_ticks, x_ticks, (series,), label,
                     empty=not present, values=labels, markers=len(points) <= 31)


def line_charts(xs: list, values: list[float | None], **kw) -> tuple[LineChart, LineChart]:
    """The wide and the narrow (phone) drawing of one line chart."""
    kw.pop("width", None)
    return line_chart(xs, values, width=WIDE, **kw), line_chart(xs, values, width=NARROW, **kw)


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


def bar_chart(items: list[tuple[str, float, str, str]], *, label: str, width: int = WIDE) -> BarChart:
    """Horizontal bars: (label, share 0..1, value text, css class)."""
    label_width, bar_height, gap = (120, 22, 8) if width >= WIDE else (104, 20, 6)
    plot = width - label_width - (90 if width >= WIDE else 70)
    top_share = max((s for _, s, _, _ in items), default=0) or 1
    bars = tuple(
        Bar(text, value, i * (bar_height + gap), round(plot * share / top_share, 1), cls)
        for i, (text, share, value, cls) in enumerate(items)
    )
    height = max(len(items), 1) * (bar_height + gap)
    return BarChart(width, height, label_width, bar_height, bars, label)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    cls: str
    title: str


@dataclass(frozen=True)
class StackRow:
    label: str
    y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackChart:
    """Rows of 100% stacked bars (one per date), with a legend below."""

    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[StackRow, ...]
    legend: tuple[tuple[float, float, str, str], ...]  #: (x, y, class, text)
    label: str


def stack_chart(rows: list[tuple[str, list[tuple[str, float, str]]]], classes: list[tuple[str, str]], *,
                label: str, width: int = WIDE) -> StackChart:
    """`rows`: (row label, [(css class, share 0..1, hover text)]); `classes`: (css class, legend text)."""
    label_width, bar_height, gap = (96, 20, 8) if width >= WIDE else (84, 18, 6)
    plot = width - label_width - 8
    out = []
    for i, (text, parts) in enumerate(rows):
        x, segs = float(label_width), []
        for cls, share, title in parts:
            w = round(plot * share, 1)
            if w > 0:
                segs.append(Segment(round(x, 1), w, cls, title))
            x += plot * share
        out.append(StackRow(text, i * (bar_height + gap), tuple(segs)))
    top = len(rows) * (bar_height + gap) + 6
    legend, x, y = [], float(label_width), top + 12
    for cls, text in classes:
        room = 16 + len(text) * CHAR_WIDTH + 14
        if x + room > width and x > label_width:
            x, y = float(label_width), y + 18
        legend.append((round(x, 1), round(y, 1), cls, text))
        x += room
    return StackChart(width, int(y + 8), label_width, bar_height, tuple(out), tuple(legend), label)


# --- drawing: geometry in, SVG markup out (Python, not template loops: a report draws thousands) -------------


def _n(value: float) -> str:
    """A coordinate as Jinja wrote it before (Python's str of the number)."""
    return str(value)


def draw(g, variant: str = ""):
    """The SVG of a chart (LineChart, BarChart or StackChart), as safe markup: every text escaped."""
    from markupsafe import Markup, escape

    out: list[str] = []
    add = out.append
    if isinstance(g, BarChart):
        add(f'\n<svg viewBox="0 0 {g.width} {g.height}" role="img" aria-label="{escape(g.label)}" class="bars {variant}">')
        for b in g.bars:
            label, value, y = escape(b.label), escape(b.value), b.y + g.bar_height * 0.7
            add(f'\n<g class="{escape(b.cls)}"><text x="{g.label_width - 8}" y="{_n(y)}" class="blabel">{label}</text>'
                f'<rect x="{g.label_width}" y="{_n(b.y)}" width="{_n(b.width)}" height="{g.bar_height}" rx="3">'
                f'<title>{label}: {value}</title></rect><text x="{_n(g.label_width + b.width + 6)}" y="{_n(y)}" '
                f'class="bvalue">{value}</text></g>')
        add("\n</svg>")
        return Markup("".join(out))
    if isinstance(g, StackChart):
        add(f'\n<svg viewBox="0 0 {g.width} {g.height}" role="img" aria-label="{escape(g.label)}" class="stack {variant}">')
        for r in g.rows:
            add(f'\n<g><text x="{g.label_width - 8}" y="{_n(r.y + g.bar_height * 0.72)}" class="blabel">'
                f'{escape(r.label)}</text>')
            for s in r.segments:
                add(f'<rect x="{_n(s.x)}" y="{_n(r.y)}" width="{_n(s.width)}" height="{g.bar_height}" '
                    f'class="{escape(s.cls)}"><title>{escape(s.title)}</title></rect>')
            add("</g>")
        for x, y, cls, text in g.legend:
            add(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="11" height="11" class="{escape(cls)}"/>'
                f'<text x="{_n(x + 15)}" y="{_n(y)}" class="legend">{escape(text)}</text>')
        add("\n</svg>")
        return Markup("".join(out))
    if g.empty:
        return Markup('\n<p class="empty">No data for this chart.</p>')
    marked = " marked" if g.markers else ""
    add(f'\n<svg viewBox="0 0 {g.width} {g.height}" role="img" aria-label="{escape(g.label)}" '
        f'class="line {variant}{marked}">\n<g class="grid">')
    for y, text in g.y_ticks:
        add(f'<line x1="{g.left}" x2="{g.width - g.right}" y1="{_n(y)}" y2="{_n(y)}"/><text x="{g.left - 6}" '
            f'y="{_n(y + 4)}" class="ytick">{escape(text)}</text>')
    for t in g.x_ticks:
        add(f'<text x="{_n(t.x)}" y="{g.height - 6}" class="xtick {t.anchor}">{escape(t.text)}</text>')
    add("\n</g>")
    for s in g.series:
        add(f'\n<g class="series {escape(s.cls)}">')
        if s.area:
            add(f'<path class="area" d="{s.area}"/>')
        if s.line:
            add(f'<path class="stroke" d="{s.line}"/>')
        if s.fresh_line:
            add(f'<path class="stroke fresh" d="{s.fresh_line}"/>')
        if g.markers or variant != "narrow":
            for p in s.points:
                add(f'<circle cx="{_n(p.x)}" cy="{_n(p.y)}" r="3.5"><title>{escape(p.label)}</title></circle>')
        add("\n</g>")
    for v in g.values:
        add(f'<text x="{_n(v.x)}" y="{_n(v.y)}" class="vlabel {v.anchor}">{escape(v.text)}</text>')
    add("\n</svg>")
    return Markup("".join(out))
