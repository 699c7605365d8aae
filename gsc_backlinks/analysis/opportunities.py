"""Where links would pay off: pages found in search with few links, and linked pages nobody finds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dates import Period
from .search import metrics_sql
from .snapshots import Snapshot, Snapshots

if TYPE_CHECKING:
    import duckdb

FEW_LINKS = 2  #: "few links": this many incoming links or fewer


@dataclass(frozen=True)
class FewLinks:
    page: str
    clicks: int
    impressions: int
    position: float | None
    incoming_links: int  #: 0 when the page is not in the Top target pages export


@dataclass(frozen=True)
class TrafficWithoutLinks:
    rows: tuple[FewLinks, ...]  #: most impressions first
    snapshot: Snapshot | None  #: the Top target pages export compared with (None: every page counts as unlinked)


def traffic_without_links(con: duckdb.DuckDBPyConnection, snaps: Snapshots, period: Period, limit: int,
                          search_type: str = "web") -> TrafficWithoutLinks:
    """Pages with the most impressions in the period that have few or no known links."""
    latest = snaps.newest("top_target_pages")
    rows = con.execute(
        f"""SELECT w.page, w.clicks, w.impressions, w.position, coalesce(t.incoming_links, 0) AS incoming_links
            FROM (SELECT page, {metrics_sql()} FROM search_pages
                  WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? GROUP BY page) w
            LEFT JOIN target_pages t ON t.snapshot_id = ? AND t.target_url = w.page
            WHERE coalesce(t.incoming_links, 0) <= ? AND w.impressions > 0
            ORDER BY w.impressions DESC, w.clicks DESC, w.page LIMIT {int(limit)}""",
        [snaps.site, search_type, period.start, period.end, latest.snapshot_id if latest else -1, FEW_LINKS],
    ).fetchall()
    return TrafficWithoutLinks(tuple(FewLinks(*r) for r in rows), latest)


@dataclass(frozen=True)
class Unfound:
    target_url: str
    incoming_links: int | None
    linking_sites: int | None


@dataclass(frozen=True)
class LinksWithoutTraffic:
    rows: tuple[Unfound, ...]  #: most links first
    snapshot: Snapshot


def links_without_traffic(con: duckdb.DuckDBPyConnection, snaps: Snapshots, period: Period, limit: int,
                          search_type: str = "web") -> LinksWithoutTraffic | None:
    """Linked pages (Top target pages) with no impressions at all in the period."""
    latest = snaps.newest("top_target_pages")
    if not latest:
        return None
    rows = con.execute(
        f"""SELECT t.target_url, t.incoming_links, t.linking_sites
            FROM target_pages t
            WHERE t.snapshot_id = ? AND NOT EXISTS (
                SELECT 1 FROM search_pages p WHERE p.property = ? AND p.search_type = ?
                  AND p.day BETWEEN ? AND ? AND p.page = t.target_url AND p.impressions > 0)
            ORDER BY t.incoming_links DESC NULLS LAST, t.target_url LIMIT {int(limit)}""",
        [latest.snapshot_id, snaps.site, search_type, period.start, period.end],
    ).fetchall()
    return LinksWithoutTraffic(tuple(Unfound(*r) for r in rows), latest)


@dataclass(frozen=True)
class DrillDownNext:
    """A linked page whose drill-down export would tell the most: many links nobody has named yet, and traffic."""

    page: str
    incoming_links: int
    linking_sites: int | None
    known_linking_pages: int  #: linking pages the link checks or a tool name for it
    clicks: int
    impressions: int

    @property
    def unnamed(self) -> int:
        """Links whose linking page no source names yet."""
        return max(self.incoming_links - self.known_linking_pages, 0)


def drill_downs_next(con: duckdb.DuckDBPyConnection, snaps: Snapshots, period: Period, limit: int = 10,
                     search_type: str = "web") -> list[DrillDownNext]:
    """Linked pages without a drill-down export yet, those whose export would name the most links first
    (links no link check or tool names yet, weighted by the page's clicks in the period)."""
    latest = snaps.newest("top_target_pages")
    if latest is None:
        return []
    drilled = sorted({s.target_url for s in snaps.all if s.target_url})
    rows = con.execute(
        f"""WITH known AS (
                SELECT o.target_url, count(DISTINCT o.linking_url) AS pages FROM link_observations o
                LEFT JOIN vendor_snapshots v ON v.snapshot_id = o.snapshot_id AND o.source <> 'check'
                WHERE o.property = ? AND (o.source = 'check' OR v.competitor = '') GROUP BY 1),
            week AS (
                SELECT page, {metrics_sql()} FROM search_pages
                WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? GROUP BY page)
            SELECT t.target_url, t.incoming_links, t.linking_sites, coalesce(k.pages, 0),
                   coalesce(w.clicks, 0), coalesce(w.impressions, 0)
            FROM target_pages t LEFT JOIN known k ON k.target_url = t.target_url
                 LEFT JOIN week w ON w.page = t.target_url
            WHERE t.snapshot_id = ? AND NOT list_contains(?, t.target_url) AND t.incoming_links > coalesce(k.pages, 0)
            ORDER BY (t.incoming_links - coalesce(k.pages, 0)) * (1 + ln(1 + coalesce(w.clicks, 0))) DESC,
                     t.target_url
            LIMIT {int(limit)}""",
        [snaps.site, snaps.site, search_type, period.start, period.end, latest.snapshot_id, drilled]).fetchall()
    return [DrillDownNext(*r) for r in rows]
