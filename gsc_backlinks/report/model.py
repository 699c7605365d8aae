"""The view model: plain frozen dataclasses with display strings and sort keys.

Templates see only these, never a DataFrame.  Every string here may come from
a stranger's web page; the templates escape all of it (autoescape), and only
``Cell.href`` values made by :func:`link_cell` (http/https only) or by the
report itself (relative file names) become links.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from ..urls import display_url, is_web_url


@dataclass(frozen=True)
class Cell:
    text: str
    sort: str | int | float | None = None  #: raw value for sorting and CSV; None: use text
    href: str | None = None
    external: bool = False  #: a link to someone else's page: rel="nofollow noopener noreferrer"
    cls: str = ""  #: "up", "down", "flat", "new", "muted"
    title: str | None = None  #: full value where the text is shortened
    badge: str | None = None  #: a short mark after the text, e.g. "new"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False
    help: str | None = None  #: shown as the header's tooltip


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: int  #: rows that exist (the table may show fewer)
    note: str | None = None
    empty: str = "Nothing to show."
    page_size: int = 25
    more_href: str | None = None  #: where the full list is, when rows < total
    more_text: str | None = None
    sort_column: int | None = None  #: column the rows are sorted by (for aria-sort)
    sort_desc: bool = True


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    delta: str | None = None
    delta_cls: str = "flat"
    compare: str | None = None  #: "vs 7–13 Nov: 1,234"
    note: str | None = None


@dataclass(frozen=True)
class Source:
    label: str
    detail: str
    cls: str = ""  #: "missing", "fresh"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str | None = None
    tables: tuple[Table, ...] = ()
    charts: tuple = ()
    items: tuple[str, ...] = ()  #: a bulleted list under the intro


@dataclass(frozen=True)
class Page:
    """One HTML file of the report."""

    title: str
    heading: str
    subtitle: str  #: the property
    generated: str
    period: str
    sources: tuple[Source, ...] = ()
    notices: tuple[str, ...] = ()
    stats: tuple[Stat, ...] = ()
    sections: tuple[Section, ...] = ()
    facts: tuple[tuple[str, Cell], ...] = ()  #: label/value pairs (drill-down pages)
    home_href: str | None = None  #: link back to the weekly page
    nav: tuple[tuple[str, str], ...] = ()  #: (href, text) of in-page sections
    freshness: str | None = None  #: one line in the header: how fresh each source is


# --- formatting ---------------------------------------------------------------------------------


def num(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.0f}%" if value >= 0.995 else f"{value * 100:.1f}%"


def pos(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.1f}"


def clean(value):
    """None for NaN/NaT/pandas NA, else the value."""
    if value is None:
        return None
    try:
        if value != value:  # NaN and NaT are not equal to themselves
            return None
    except (TypeError, ValueError):  # pandas NA: its comparison has no truth value
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    return value


def delta(new, old, *, lower_is_better: bool = False, kind: str = "num") -> tuple[str | None, str]:
    """Signed change and its colour class; None when either side is unknown."""
    new, old = clean(new), clean(old)
    if new is None or old is None:
        return None, "flat"
    diff = new - old
    if kind == "pct":
        text = f"{diff * 100:+.1f} pt"
        small = abs(diff) < 0.0005
    elif kind == "pos":
        text = f"{diff:+.1f}"
        small = abs(diff) < 0.05
    else:
        text = f"{diff:+,.0f}" if float(diff).is_integer() else f"{diff:+,.1f}"
        small = diff == 0
        if old:
            text += f" ({diff / old * 100:+.0f}%)" if abs(diff / old) < 100 else ""
    if small:
        return ("±0" if kind == "num" else text.replace("+", "±").replace("-", "±")), "flat"
    better = diff < 0 if lower_is_better else diff > 0
    return text.replace("-", "−"), "up" if better else "down"


def num_cell(value) -> Cell:
    value = clean(value)
    return Cell(num(value), value)


def delta_cell(new, old, *, lower_is_better: bool = False, kind: str = "num") -> Cell:
    new_c, old_c = clean(new), clean(old)
    text, cls = delta(new_c, old_c, lower_is_better=lower_is_better, kind=kind)
    raw = None if new_c is None or old_c is None else round(new_c - old_c, 6)
    return Cell(text or "–", raw, cls=cls if text else "muted")


def pos_cell(value) -> Cell:
    value = clean(value)
    return Cell(pos(value), None if value is None else round(value, 3))


def date_cell(value) -> Cell:
    value = clean(value)
    if value is None:
        return Cell("–", None, cls="muted")
    if isinstance(value, dt.datetime):  # pandas Timestamps too
        value = value.date()
    return Cell(value.isoformat(), value.isoformat())


def shorten(text: str, limit: int = 90) -> str:
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep * 2 // 3] + "…" + text[-(keep - keep * 2 // 3):]


def link_cell(url, *, limit: int = 90) -> Cell:
    """A stranger's URL: shown readable and shortened; a link only when it is http(s)."""
    url = clean(url)
    if not url:
        return Cell("–", "", cls="muted")
    url = str(url)
    shown = display_url(url)
    short = shorten(shown, limit)
    return Cell(short, url, href=url if is_web_url(url) else None, external=True,
                title=shown if short != shown else None)


def text_cell(value, *, limit: int = 120, cls: str = "") -> Cell:
    from ..urls import printable

    value = clean(value)
    if value is None:
        return Cell("–", "", cls="muted")
    text = printable(str(value))
    short = shorten(text, limit)
    return Cell(short, str(value), cls=cls, title=text if short != text else None)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: object  #: charts.LineChart / charts.BarChart


@dataclass
class Report:
    """All files of one report: index first, then drill-downs and lists (path -> Page)."""

    index: Page
    pages: dict[str, Page] = field(default_factory=dict)
