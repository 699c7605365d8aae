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
from functools import cached_property

from ..text import UNKNOWN, printable, shorten
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
    """A column of a table, in the HTML report, the terminal, CSV and JSON alike."""

    key: str  #: the field name in CSV and JSON
    header: str
    numeric: bool = False
    help: str | None = None  #: shown as the header's tooltip
    url: bool = False  #: terminal: a URL, shown readable and shortened in the middle
    path: bool = False  #: terminal: a file path, shown by its name
    optional: bool = False  #: terminal: left out when no row has a value (JSON keeps it)
    machine_only: bool = False  #: only in CSV and JSON (tables say it in a note)
    json_only: bool = False  #: a nested value: only in JSON
    screen_only: bool = False  #: HTML: left out of print (a wide detail the page has no room for)
    site_path: bool = False  #: terminal: one of the property's own URLs, shown as its path ("/pricing/")
    narrow_drop: int = 0  #: terminal: a column a narrow terminal leaves out first (higher: sooner; 0: last resort)


def shown(columns) -> tuple[Column, ...]:
    """The columns a table for people shows (not the machine-only ones)."""
    return tuple(c for c in columns if not c.machine_only and not c.json_only)


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
    print_rows: int | None = 6  #: rows a printed page shows (None: all); the rest stay in the HTML
    print_note: str | None = None  #: print_rows=0: where else the printed report shows it

    @cached_property
    def column_classes(self) -> tuple[str, ...]:
        """Each column's own cell classes ("num", "np"), worked out once per table, not per cell."""
        return tuple(" ".join(k for k, on in (("num", c.numeric), ("np", c.screen_only)) if on) for c in self.columns)


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
    file: str = ""  #: the file it was read from (left out of print)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str | None = None
    tables: tuple[Table, ...] = ()
    charts: tuple = ()
    items: tuple[str, ...] = ()  #: a bulleted list under the intro
    lead: str | None = None  #: one line in plain words before everything else (the verdict)
    tone: str = ""  #: "good", "attention", "quiet": how the lead is marked
    lead_more: str | None = None  #: the rest of the lead, after the section's numbers ("Also: …")
    stats: tuple[Stat, ...] = ()  #: headline numbers of the section
    print_note: str | None = None  #: when set, printing leaves the section out and prints this line instead


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
        return UNKNOWN
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    return f"{value * 100:.0f}%" if value >= 0.995 else f"{value * 100:.1f}%"


def pos(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    return f"{value:.1f}"


def delta(new, old, *, lower_is_better: bool = False, kind: str = "num") -> tuple[str | None, str]:
    """Signed change and its colour class; None when either side is unknown."""
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


def unknown_cell(why: str | None = None) -> Cell:
    """A value nobody knows: one word, an empty CSV cell (the empty sort key), sorted last."""
    return Cell(UNKNOWN, "", cls="muted", title=why)


def num_cell(value) -> Cell:
    return unknown_cell() if value is None else Cell(num(value), value)


def delta_cell(new, old, *, lower_is_better: bool = False, kind: str = "num") -> Cell:
    text, cls = delta(new, old, lower_is_better=lower_is_better, kind=kind)
    raw = None if new is None or old is None else round(new - old, 6)
    return Cell(text or "–", "" if raw is None else raw, cls=cls if text else "muted")


def pos_cell(value) -> Cell:
    if value is None:
        return unknown_cell()
    return Cell(pos(value), None if value is None else round(value, 3))


def date_cell(value) -> Cell:
    if value is None:
        return unknown_cell()
    if isinstance(value, dt.datetime):
        value = value.date()
    return Cell(value.isoformat(), value.isoformat(), cls="date")  # a date never wraps at its hyphens


def link_cell(url, *, limit: int = 90) -> Cell:
    """A stranger's URL: shown readable and shortened; a link only when it is http(s)."""
    if not url:
        return unknown_cell()
    url = str(url)
    shown = display_url(url)
    short = shorten(shown, limit)
    return Cell(short, url, href=url if is_web_url(url) else None, external=True,
                title=shown if short != shown else None, cls="url")


def text_cell(value, *, limit: int = 120, cls: str = "") -> Cell:
    if value is None:
        return unknown_cell()
    text = printable(str(value))
    short = shorten(text, limit)
    return Cell(short, str(value), cls=cls, title=text if short != text else None)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: object  #: charts.LineChart / charts.BarChart / charts.StackChart
    narrow: object | None = None  #: the same chart drawn for phones (None: the wide one scales)
    note: str | None = None


@dataclass
class Report:
    """All files of one report: index first, then drill-downs and lists (path -> Page)."""

    index: Page
    pages: dict[str, Page] = field(default_factory=dict)


# --- cells of shared figures ----------------------------------------------------------------------------


def search_stats(cur: dict, old: dict, compare: str | None) -> list[Stat]:
    """Clicks, impressions, CTR, position (dicts of ``analysis.search.search_metrics``) with their change."""
    out = []
    for label, key, fmt, kind in (("Clicks", "clicks", num, "num"), ("Impressions", "impressions", num, "num"),
                                  ("CTR", "ctr", pct, "pct"), ("Average position", "position", pos, "pos")):
        text, cls = delta(cur[key], old[key], lower_is_better=key == "position", kind=kind)
        out.append(Stat(label, fmt(cur[key]), text, cls, f"{compare}: {fmt(old[key])}" if compare else None))
    return out


def _get(rated, key: str):
    return rated.get(key) if isinstance(rated, dict) else getattr(rated, key)


def value_cells(rated) -> tuple[Cell, Cell, Cell]:
    """Value, authority and relevance cells of a rated link (``analysis.value.Rated`` or its dict)."""
    authority, relevance = _get(rated, "authority"), _get(rated, "relevance")
    if authority is None:
        auth = unknown_cell("Not in the loaded rank file(s)")
    else:
        auth = Cell(str(authority), authority,
                    title=f"Rank {_get(rated, 'authority_rank'):,} in {_get(rated, 'authority_source')}")
    if relevance is None:
        rel = unknown_cell("No words to compare with this page's queries")
    else:
        rel = Cell(f"{relevance} · {_get(rated, 'relevance_band')}", relevance)
    value = _get(rated, "value")
    return Cell(str(value), value), auth, rel
