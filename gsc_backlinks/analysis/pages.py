"""Target pages: the property's pages that earn links (Top target pages exports), with their search week."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dates import Period
from .search import Week, page_week_params, page_week_sql
from .snapshots import Snapshot, Snapshots

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class TargetPage:
    target_url: str
    incoming_links: int | None = None
    linking_sites: int | None = None
    internal_links: int | None = None


@dataclass(frozen=True)
class TargetPages:
    rows: tuple[TargetPage, ...]  #: most links first
    total: int
    snapshot: Snapshot


def _kind(internal: bool) -> str:
    return "internal_target_pages" if internal else "top_target_pages"


def target_pages(con: duckdb.DuckDBPyConnection, snaps: Snapshots, *, internal: bool = False,
                 limit: int | None = None) -> TargetPages | None:
    """The newest Top target pages export (external links, or internal ones), most links first."""
    snap = snaps.newest(_kind(internal))
    if snap is None:
        return None
    first = "internal_links" if internal else "incoming_links"
    total = con.execute("SELECT count(*) FROM target_pages WHERE snapshot_id = ?", [snap.snapshot_id]).fetchall()[0][0]
    rows = con.execute(
        f"""SELECT target_url, incoming_links, linking_sites, internal_links FROM target_pages WHERE snapshot_id = ?
            ORDER BY {first} DESC NULLS LAST, target_url""" + (f" LIMIT {int(limit)}" if limit else ""),
        [snap.snapshot_id]).fetchall()
    return TargetPages(tuple(TargetPage(*r) for r in rows), total, snap)


def target_count(con: duckdb.DuckDBPyConnection, snap: Snapshot | None) -> int | None:
    """How many pages a Top target pages snapshot lists."""
    if snap is None:
        return None
    return con.execute("SELECT count(*) FROM target_pages WHERE snapshot_id = ?", [snap.snapshot_id]).fetchall()[0][0]


def most_linked_pages(con: duckdb.DuckDBPyConnection, snaps: Snapshots, limit: int) -> list[str]:
    """The `limit` pages with the most incoming links in the newest external Top target pages export."""
    found = target_pages(con, snaps, limit=limit)
    return [r.target_url for r in found.rows] if found else []


@dataclass(frozen=True)
class LinkedPage:
    target_url: str
    incoming_links: int | None
    linking_sites: int | None
    previous_links: int | None  #: in the Top target pages export before (None: not in it)
    week: Week


@dataclass(frozen=True)
class LinkedPages:
    rows: tuple[LinkedPage, ...]  #: most links first
    snapshot: Snapshot
    previous: Snapshot | None


def linked_pages_week(con: duckdb.DuckDBPyConnection, snaps: Snapshots, period: Period,
                      search_type: str = "web") -> LinkedPages | None:
    """The newest Top target pages export with each page's links before, and its search week and the week before."""
    latest, prev = snaps.latest_and_previous("top_target_pages")
    if not latest:
        return None
    # The search week of the exported pages only, not of every page of the property.
    week = page_week_sql("SEMI JOIN target_pages x ON x.snapshot_id = $snap AND x.target_url = p.page")
    rows = con.execute(
        f"""WITH page_week AS ({week})
            SELECT t.target_url, t.incoming_links, t.linking_sites, p.incoming_links,
                   -- Search Console leaves out pages without impressions: none here means 0.
                   coalesce(w.clicks, 0), coalesce(w.impressions, 0), w.position,
                   coalesce(w.prev_clicks, 0), coalesce(w.prev_impressions, 0), w.prev_position
            FROM target_pages t
            LEFT JOIN target_pages p ON p.snapshot_id = $prev_snap AND p.target_url = t.target_url
            LEFT JOIN page_week w ON w.page = t.target_url
            WHERE t.snapshot_id = $snap
            ORDER BY t.incoming_links DESC NULLS LAST, t.target_url""",
        {**page_week_params(snaps.site, period, search_type), "snap": latest.snapshot_id,
         "prev_snap": prev.snapshot_id if prev else -1},
    ).fetchall()
    return LinkedPages(tuple(LinkedPage(r[0], r[1], r[2], r[3], Week(*r[4:])) for r in rows), latest, prev)
