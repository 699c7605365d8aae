"""Everything the weekly report shows, gathered in one call from the concept modules.

:func:`collect_weekly` reads the store once per figure and returns plain
dataclasses; ``report.weekly`` turns them into pages without a connection.
Nothing here computes a figure itself: each comes from the module that
defines it (domains, samples, pages, anchors, changes, search, opportunities,
value, page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dates import Period
from . import anchors as A
from .changes import Changes
from .checks import BrokenTarget, CheckCoverage, check_coverage
from .domains import DomainBasis, LinkingDomains, domain_bases, domain_count, domains_history, linking_domains
from .opportunities import (
    DrillDownNext,
    LinksWithoutTraffic,
    TrafficWithoutLinks,
    drill_downs_next,
    links_without_traffic,
    traffic_without_links,
)
from .page import PageDetail, page_details, rate_links
from .pages import LinkedPages, linked_pages_week, target_count
from .samples import page_count
from .search import DayTotals, SearchTotals, daily_totals, report_period, search_totals
from .snapshots import UI_ROW_CAP, SampleSet, Snapshots
from .sources import Freshness, freshness
from .thirdparty import LinkGap, coverage, link_gap
from .trends import AnchorMix, Trends, anchor_mix_history, link_trends
from .value import Rated, Valuer
from .week import WeekInLinks, week_in_links

if TYPE_CHECKING:
    import duckdb

CHART_WEEKS = 8  #: weeks of daily search data the charts show
OPPORTUNITY_ROWS = 50  #: rows of each "where links would pay off" table
DRILL_NEXT_ROWS = 10  #: rows of the "export these drill-downs next" checklist


def chart_period_ending(end: dt.date) -> Period:
    """The days the daily charts show: the CHART_WEEKS weeks ending `end`."""
    return Period(end - dt.timedelta(days=7 * CHART_WEEKS - 1), end)


@dataclass(frozen=True)
class LinkCount:
    """One of the headline link numbers: now and in the snapshot before."""

    name: str
    value: int | None
    previous: int | None
    date: dt.date | None
    previous_date: dt.date | None
    basis: str  #: where the number comes from, in the user's words


def link_counts(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> list[LinkCount]:
    """Linking domains, linking pages, target pages: newest snapshot vs the one before."""
    out = []
    basis, previous = domain_bases(snaps)
    out.append(LinkCount("Linking domains", domain_count(con, basis), domain_count(con, previous),
                         basis.date if basis else None, previous.date if previous else None,
                         _domain_words(basis)))
    sample, before = snaps.sample(), snaps.previous_sample()
    out.append(LinkCount("Linking pages", page_count(con, sample), page_count(con, before),
                         sample.date if sample else None, before.date if before else None,
                         _sample_words(sample)))
    latest, prev = snaps.latest_and_previous("top_target_pages")
    capped = f" (Search Console lists at most {UI_ROW_CAP:,})" if latest and latest.capped else ""
    out.append(LinkCount("Target pages", target_count(con, latest), target_count(con, prev),
                         latest.date if latest else None, prev.date if prev else None,
                         "pages in the Top target pages export" + capped))
    return out


def _sample_words(sample: SampleSet) -> str:
    if not sample:
        return "no sample links export"
    labels = [s.label for s in sample.snapshots]
    return f"pages in Google's sample ({' and '.join(labels)} export{'s' if len(labels) > 1 else ''})"


def _domain_words(basis: DomainBasis | None) -> str:
    if basis is None:
        return "no Top linking sites or sample links export"
    if basis.kind == "export":
        capped = f" (Search Console lists at most {UI_ROW_CAP:,})" if basis.capped else ""
        return "rows of the Top linking sites export" + capped
    return "domains in Google's sample of links (no Top linking sites export)"


@dataclass(frozen=True)
class WeeklyData:
    """What the weekly report of one property shows, as plain data."""

    site: str
    period: Period
    chart_period: Period
    notes: tuple[str, ...]  #: what the data says about itself (not final, lag assumed)
    freshness: Freshness
    totals: SearchTotals
    previous_totals: SearchTotals
    daily: tuple[DayTotals, ...]
    counts: tuple[LinkCount, ...]
    linked_pages: LinkedPages | None
    domains: LinkingDomains | None
    domain_values: tuple[Rated, ...]  #: of each of `domains.rows`, in its order
    domains_history: tuple[DomainBasis | None, list]
    anchors: A.AnchorTable | None
    domain_changes: Changes
    page_changes: Changes
    few_links: TrafficWithoutLinks | None  #: None without search data
    unfound: LinksWithoutTraffic | None
    value_basis: tuple[str, ...]  #: where value's numbers come from (Valuer.explain)
    details: dict[str, PageDetail]  #: the drill-down pages, by URL, in the order the report lists them
    broken_targets: tuple[BrokenTarget, ...] = ()  #: own pages with links that are gone
    checks: CheckCoverage | None = None
    week: WeekInLinks | None = None  #: the first screen: what changed and whether it matters
    gap: LinkGap | None = None  #: domains linking to competitors and not to you (None: no competitor exports)
    trends: Trends | None = None  #: linking domains, pages and value over every snapshot held
    anchor_history: tuple[AnchorMix, ...] = ()  #: anchor make-up of every Top linking text export
    drill_next: tuple[DrillDownNext, ...] = ()  #: the drill-down exports that would tell the most, best first

    @property
    def has_search(self) -> bool:
        return self.freshness.search.held


def collect_weekly(con: duckdb.DuckDBPyConnection, site: str, *, today: dt.date, week: Period | None = None,
                   search_type: str = "web", brands: tuple[str, ...] = (), change_rows: int = 10_000,
                   ) -> tuple[WeeklyData, Valuer]:
    """The weekly report's data (and the Valuer that rated it, whose new ratings the caller may store)."""
    # A past week: links as they were then.  Every figure picks from the snapshots read here.
    snaps = Snapshots.read(con, site, week.end if week else None)
    fresh = freshness(con, snaps, search_type)
    period, notes = report_period(fresh.search, today, week)
    prev = period.previous()
    chart = chart_period_ending(period.end)
    has_search = fresh.search.held

    linked = linked_pages_week(con, snaps, period, search_type)
    domains = linking_domains(con, snaps)
    valuer = Valuer.for_property(con, snaps, period.end, domains)
    values = tuple(valuer.rate_domains([r.linking_domain for r in domains.rows])) if domains else ()
    rules = A.site_rules(con, site, period.end, brands)
    anchors = A.anchor_table(con, snaps, rules)
    few = traffic_without_links(con, snaps, period, OPPORTUNITY_ROWS, search_type) if has_search else None
    unfound = links_without_traffic(con, snaps, period, OPPORTUNITY_ROWS, search_type) if has_search else None

    drill = [r.target_url for r in linked.rows] if linked else []
    seen = set(drill)
    drill += [r.page for r in (few.rows if few else ()) if r.page not in seen]
    details = page_details(con, snaps, drill, period, chart, search_type=search_type)
    week_links = week_in_links(con, snaps, valuer, rows=change_rows)
    gap = link_gap(con, snaps, valuer, limit=change_rows, own=coverage(con, snaps))

    rate_links(valuer, list(details.values()), rules.index([r.anchor_text for r in anchors.rows]) if anchors else None)

    data = WeeklyData(
        site, period, chart, tuple(notes), fresh,
        search_totals(con, site, period, search_type), search_totals(con, site, prev, search_type),
        tuple(daily_totals(con, site, chart, search_type)), tuple(link_counts(con, snaps)),
        linked, domains, values, domains_history(con, snaps), anchors,
        week_links.domains, week_links.pages.changes,
        few, unfound, tuple(valuer.explain()), details,
        week_links.gone_targets, check_coverage(con, site), week_links, gap if gap.snapshots else None,
        link_trends(con, snaps, valuer), tuple(anchor_mix_history(con, snaps, rules)),
        tuple(drill_downs_next(con, snaps, period, DRILL_NEXT_ROWS, search_type)))
    return data, valuer
