"""URL Inspection results, kept by day.  Every function takes an open connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connection import transaction

if TYPE_CHECKING:
    import duckdb


def inspections_on(con: duckdb.DuckDBPyConnection, site: str, day: dt.date) -> int:
    """Inspections of a property on one Pacific Time day: the daily quota counts these."""
    return con.execute(
        "SELECT count(*) FROM inspections WHERE property = ? AND inspected_day = ?", [site, day]
    ).fetchall()[0][0]


def recent_inspections(con: duckdb.DuckDBPyConnection, site: str, since: dt.datetime) -> set[str]:
    """Pages of the property inspected at or after ``since``."""
    rows = con.execute(
        "SELECT DISTINCT url FROM inspections WHERE property = ? AND inspected_at >= ?", [site, since]
    ).fetchall()
    return {r[0] for r in rows}


def save_inspections(con: duckdb.DuckDBPyConnection, site: str, results: list, day: dt.date) -> None:
    """Keep inspection results (``inspection.Inspection``) of one Pacific Time day, in one transaction."""
    with transaction(con):
        for r in results:
            con.execute(
                "INSERT INTO inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [site, r.url, r.inspected_at, day, r.verdict, r.coverage_state, r.robots_txt_state,
                 r.indexing_state, r.page_fetch_state, r.last_crawl_time, r.google_canonical,
                 r.user_canonical, r.crawled_as, list(r.sitemaps), list(r.referring_urls),
                 r.result_link, r.raw],
            )
