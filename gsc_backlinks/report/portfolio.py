"""The portfolio page (``reports/index.html``): one row per property, from each property's weekly data.

Every figure on a row is read from what the weekly report of that property
shows: new and lost linking domains and their value, and the verdict, from
``WeeklyData.week`` ("This week in links"); clicks from its search totals;
export freshness from its Freshness; the sparkline from its linking-domains
history.  Nothing is computed here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import Period
from ..text import UNKNOWN, printable, shorten
from .model import Cell, delta, num
from .templating import page_assets, template

if TYPE_CHECKING:
    from ..analysis.weekly import WeeklyData

#: Exports older than this (days) are marked stale: Search Console's Links report needs a fresh export each week.
STALE_DAYS = 14
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


@dataclass(frozen=True)
class PropertyRow:
    """One property's line on the portfolio page, as plain data (a few hundred bytes: a run keeps one per
    property, not its weekly data)."""

    site: str
    name: str
    index: Path | None = None  #: its weekly report's index.html (None: none written)
    period: Period | None = None
    compared: bool = False  #: two snapshots to compare (else new/lost are not known yet)
    new_domains: int = 0
    lost_domains: int = 0
    new_value: int = 0
    lost_value: int = 0
    verdict: str = ""
    tone: str = "none"
    clicks: int | None = None
    previous_clicks: int | None = None  #: the week before (None: no search data for it)
    exports_date: dt.date | None = None  #: its newest Links export
    today: dt.date | None = None  #: of the run (the exports' age counts from it)
    domains_history: tuple[tuple[dt.date, int], ...] = ()
    problems: tuple[str, ...] = ()  #: what went wrong in this run (the report may still have been written)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def property_row(data: WeeklyData, index: Path, *, today: dt.date, name: str | None = None) -> PropertyRow:
    """The portfolio row of a property's weekly data."""
    week = data.week
    clicks = previous = None
    if data.has_search:
        clicks = data.totals.clicks
        previous = data.previous_totals.clicks if data.previous_totals.days else None
    exports = data.freshness.exports
    return PropertyRow(
        site=data.site, name=name or data.site, index=index, period=data.period,
        compared=bool(week and week.compared),
        new_domains=week.domains.new_count if week else 0, lost_domains=week.domains.lost_count if week else 0,
        new_value=week.new_value if week else 0, lost_value=week.lost_value if week else 0,
        verdict=week.headline if week else "", tone=week.tone if week else "none",
        clicks=clicks, previous_clicks=previous, exports_date=exports[0].date if exports else None, today=today,
        domains_history=tuple(data.domains_history[1]))


# --- the page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spark:
    """A sparkline's geometry: an SVG polyline of the linking domains per snapshot."""

    width: int
    height: int
    points: str  #: "x,y x,y …"
    last: tuple[float, float] | None
    label: str


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    spark: Spark | None
    spark_sort: int | str
    failed: bool


@dataclass(frozen=True)
class PortfolioPage:
    title: str
    generated: str
    summary: str
    columns: tuple[tuple[str, bool, str | None], ...]  #: (header, numeric, help)
    rows: tuple[Row, ...]
    spark_column: int


COLUMNS = (
    ("Property", False, "Its weekly report"),
    ("Week", False, "The week its report covers (Pacific Time)"),
    ("New domains", True, "Linking domains new since the snapshot before (gross)"),
    ("Value new", True, "Summed value (0-100 each) of the new linking domains"),
    ("Lost domains", True, "Linking domains no longer in Google's sample (gross)"),
    ("Value lost", True, "Summed value of the lost linking domains"),
    ("Verdict", False, "This week in links, in one line"),
    ("Clicks", True, "Clicks in the report's week"),
    ("Δ clicks", True, "vs the week before"),
    ("Exports", False, "Date of the newest Links export held"),
    ("Linking domains", True, "Linking domains per snapshot; sorts by the newest count"),
)
SPARK_COLUMN = 10


def sparkline(history: tuple[tuple[dt.date, int], ...]) -> Spark | None:
    """The polyline of linking domains per snapshot, scaled to the cell (None with no history)."""
    if not history:
        return None
    values = [n for _, n in history]
    lo, hi = min(values), max(values)
    span = hi - lo or 1
    pad = 3
    w, h = SPARK_WIDTH - 2 * pad, SPARK_HEIGHT - 2 * pad
    n = len(values)
    pts = [(round(pad + (w * i / (n - 1) if n > 1 else w / 2), 1), round(pad + h - h * (v - lo) / span, 1))
           for i, v in enumerate(values)]
    first, last = history[0], history[-1]
    label = (f"Linking domains: {num(first[1])} on {first[0]} to {num(last[1])} on {last[0]}" if n > 1
             else f"Linking domains: {num(last[1])} on {last[0]}")
    return Spark(SPARK_WIDTH, SPARK_HEIGHT, " ".join(f"{x},{y}" for x, y in pts), pts[-1], label)


def _href(index: Path | None, page_folder: Path) -> str | None:
    """A link from the portfolio page to a report: relative when it can be (the folder can be moved or
    published as it is), else a file:// address."""
    if index is None:
        return None
    try:
        rel = os.path.relpath(index, page_folder)
    except ValueError:  # another drive (Windows)
        return index.resolve().as_uri()
    return Path(rel).as_posix()


def _row(r: PropertyRow, page_folder: Path) -> Row:
    href = _href(r.index, page_folder)
    name = printable(r.name)
    title = printable(r.site) if r.name != r.site else None
    cells: list[Cell] = [Cell(shorten(name, 60), r.name.lower(), href=href, title=title)]
    cells.append(Cell(r.period.label(), r.period.end.isoformat(), cls="nowrap") if r.period
                 else Cell("–", "", cls="muted"))
    if r.index is None:
        cells += [Cell("–", "", cls="muted")] * 4
    elif not r.compared:
        cells += [Cell("–", "", cls="muted", title="One snapshot so far: nothing to compare yet")] * 4
    else:
        cells += [Cell(num(r.new_domains), r.new_domains, cls="up" if r.new_domains else ""),
                  Cell(num(r.new_value), r.new_value),
                  Cell(num(r.lost_domains), r.lost_domains, cls="down" if r.lost_domains else ""),
                  Cell(num(r.lost_value), r.lost_value)]
    verdict = r.verdict
    if r.problems:
        verdict = ("Failed: " if r.index is None else "Problem: ") + "; ".join(r.problems) + (
            f" — {r.verdict}" if r.verdict and r.index is not None else "")
    tone = "down" if r.problems or r.tone == "attention" else "up" if r.tone == "good" else "muted"
    cells.append(Cell(shorten(printable(verdict), 220), r.tone, cls=tone, title=printable(verdict)
                      if len(verdict) > 220 else None))
    if r.clicks is None:
        cells += [Cell(UNKNOWN, "", cls="muted", title="No search data in the store"), Cell("–", "", cls="muted")]
    else:
        text, cls = delta(r.clicks, r.previous_clicks)
        cells += [Cell(num(r.clicks), r.clicks),
                  Cell(text or "–", "" if r.previous_clicks is None else r.clicks - r.previous_clicks,
                       cls=cls if text else "muted")]
    if r.exports_date is None:
        cells.append(Cell("none", "", cls="down", title="No Links export imported"))
    else:
        age = (r.today - r.exports_date).days if r.today else None
        stale = age is not None and age > STALE_DAYS
        cells.append(Cell(r.exports_date.isoformat() + (f" ({age} days old)" if age is not None and age > 1 else ""),
                          r.exports_date.isoformat(), cls="nowrap down" if stale else "nowrap",
                          title="Older than two weeks: export the Links report again" if stale else None))
    spark = sparkline(r.domains_history)
    latest = r.domains_history[-1][1] if r.domains_history else ""
    return Row(tuple(cells), spark, latest, r.failed)


def portfolio_page(rows: list[PropertyRow], *, folder: Path, now: dt.datetime) -> PortfolioPage:
    """The page's view model: a row per property in the order given, links relative to ``folder``."""
    failed = sum(1 for r in rows if r.failed)
    attention = sum(1 for r in rows if r.tone == "attention")
    summary = f"{len(rows)} properties" + (f", {attention} need attention" if attention else "") + (
        f", {failed} with problems in this run" if failed else "")
    generated = now.strftime("%Y-%m-%d %H:%M %Z").strip()
    return PortfolioPage("Portfolio · gsc-backlinks", generated, summary, COLUMNS,
                         tuple(_row(r, folder) for r in rows), SPARK_COLUMN)


def render_portfolio(page: PortfolioPage) -> str:
    from markupsafe import Markup

    css, js, csp = page_assets("portfolio.css")
    return template("portfolio.html").render(page=page, css=Markup(css), js=Markup(js), csp=Markup(csp))


def write_portfolio(rows: list[PropertyRow], folder: Path, *, now: dt.datetime) -> Path:
    """Write ``folder/index.html`` (replacing it whole, never half-written); return its path."""
    from ..errors import GscBacklinksError

    folder = Path(folder)
    path = folder / "index.html"
    tmp = folder / ".index.html.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(render_portfolio(portfolio_page(rows, folder=folder, now=now)), encoding="utf-8", newline="\n")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise GscBacklinksError(f"cannot write the portfolio page {path}: {exc.strerror or exc}") from None
    return path
