"""The `page` job: who links to one page, its index status and its search traffic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import Period
from ..errors import GscBacklinksError
from ..text import printable

if TYPE_CHECKING:
    from ..analysis.page import Match, PageDetail
    from ..analysis.sources import Freshness

DAYS = 28  #: days of search data a page's numbers cover (and the 28 before)


@dataclass
class PageResult:
    site: str
    match: Match
    detail: PageDetail  #: its links rated
    period: Period
    chart: Period
    freshness: Freshness
    missing: list[str]  #: what is not known, one line each
    value_basis: list[str]  #: where the values come from (Valuer.explain)
    now: dt.datetime  #: Pacific Time
    inspect_problem: str | None = None  #: why --inspect did not inspect now


def page(store_path: Path, site: str, url: str, *, inspect: bool = False, now: dt.datetime | None = None) -> PageResult:
    """Find the page as the user typed it, optionally inspect it now, and gather what is known about it."""
    from ..analysis import page as P
    from ..analysis.anchors import anchor_table, site_rules
    from ..analysis.search import final_days
    from ..analysis.snapshots import Snapshots
    from ..analysis.sources import freshness
    from ..analysis.value import Valuer
    from ..analysis.weekly import chart_period_ending
    from ..dates import pacific_now
    from ..store import open_store
    from ..urls import parse_property
    from .common import held_property
    from .weekly import store_ratings

    prop = parse_property(site)
    now = now or pacific_now()
    problem = None
    if inspect:  # the store is closed while Google is asked (the inspection is written into it)
        with open_store(store_path) as con:
            held_property(con, prop.site)
            match = P.find_page(con, prop, url, allow_unknown=True)
        problem = _inspect_now(store_path, prop.site, match.url)
    with open_store(store_path) as con:
        if not inspect:
            held_property(con, prop.site)
            match = P.find_page(con, prop, url)
        snaps = Snapshots.read(con, prop.site)
        fresh = freshness(con, snaps)
        period = final_days(fresh.search.last_final, DAYS, now.date())
        chart = chart_period_ending(period.end)
        detail = P.page_details(con, snaps, [match.url], period, chart, max_links=None)[match.url]
        # The same Valuer and anchor rules as the weekly report's: the numbers agree with its drill-down page.
        valuer = Valuer.for_property(con, snaps, period.end)
        rules = site_rules(con, prop.site, period.end)
        anchors = anchor_table(con, snaps, rules)
        P.rate_links(valuer, [detail], rules.index([r.anchor_text for r in anchors.rows]) if anchors else None)
        basis = valuer.explain()
    store_ratings(store_path, valuer)
    missing = P.missing_sources(detail, prop.site, fresh.search.held, fresh.held("top_target_pages"))
    return PageResult(prop.site, match, detail, period, chart, fresh, missing, basis, now, problem)


def _inspect_now(store_path: Path, site: str, url: str) -> str | None:
    """Inspect live; without authorization or quota say why (the stored result, if any, is shown instead)."""
    from .google import google_api
    from .inspect import inspect_urls

    try:
        with google_api(site) as (api, _):
            report = inspect_urls(api, store_path, site, [url])
    except GscBacklinksError as exc:
        return f"Not inspected now: {printable(str(exc))}; showing the stored result, if any."
    if report.not_done:
        return ("Not inspected now: today's URL Inspection quota for this property is spent; showing the stored "
                "result, if any.")
    return None


def write_page_html(result: PageResult, out_dir: Path) -> Path:
    """The drill-down page the weekly report links to, written to ``out_dir/<property>/pages/…html``."""
    from ..report.drilldown import drill_down_page, page_file, value_section
    from ..report.render import write_page
    from ..report.weekly import generated_at, property_slug

    page_ = drill_down_page(result.detail, result.site, result.period, result.chart, generated_at(result.now),
                            result.freshness, home_href=None, how_valued=value_section(result.value_basis))
    return write_page(page_, Path(out_dir).expanduser() / property_slug(result.site) / page_file(result.detail.url))
