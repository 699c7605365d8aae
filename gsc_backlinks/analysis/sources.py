"""What the store holds for a property and how fresh it is: snapshots, search days, inspections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..store.vendors import VendorSnapshot, current_vendor_snapshots
from .search import SearchCoverage, search_coverage
from .snapshots import Snapshot, Snapshots

if TYPE_CHECKING:
    import duckdb

#: Where in Search Console each export is, for "import it first" messages.
WHERE = {
    "top_target_pages": "Links → External links → Top linked pages → More → Export",
    "internal_target_pages": "Links → Internal links → Top linked pages → More → Export",
    "top_linking_sites": "Links → External links → Top linking sites → More → Export",
    "top_linking_text": "Links → External links → Top linking text → More → Export",
    "sample_links": "Links → Export external links → More sample links",
    "latest_links": "Links → Export external links → Latest links",
}
#: The property-wide exports a weekly report wants.
WANTED_KINDS = ("top_target_pages", "top_linking_sites", "top_linking_text", "sample_links", "latest_links")


@dataclass(frozen=True)
class Freshness:
    exports: tuple[Snapshot, ...]  #: newest snapshot of each kind (drill-downs: newest of any target), newest first
    search: SearchCoverage
    inspections: int
    last_inspection: dt.datetime | None  #: UTC
    vendor: tuple[VendorSnapshot, ...] = ()  #: the current third-party exports, the property's and competitors'

    def held(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.exports)


def freshness(con: duckdb.DuckDBPyConnection, snaps: Snapshots, search_type: str = "web") -> Freshness:
    exports = sorted(snaps.newest_of_each(), key=lambda s: (-s.date.toordinal(), s.kind))
    count, last = con.execute(
        "SELECT count(*), max(inspected_at) FROM inspections WHERE property = ?", [snaps.site]
    ).fetchall()[0]
    vendor = [*current_vendor_snapshots(con, snaps.site, snaps.as_of),
              *current_vendor_snapshots(con, snaps.site, snaps.as_of, competitor=None)]
    return Freshness(tuple(exports), search_coverage(con, snaps.site, search_type), count, last, tuple(vendor))


@dataclass(frozen=True)
class HeldSnapshot:
    snapshot_id: int
    kind: str
    snapshot_date: dt.date
    date_source: str
    source_name: str
    row_count: int
    file_rows: int
    target_url: str | None
    language: str
    imported_at: dt.datetime
    same_as: int | None  #: an earlier snapshot of this kind and target with the same content


def held_snapshots(con: duckdb.DuckDBPyConnection, site: str) -> list[HeldSnapshot]:
    """Every snapshot of a property, newest first (`links sources`)."""
    from ..store.snapshots import snapshot_rows

    return [HeldSnapshot(*row) for row in snapshot_rows(con, site)]
