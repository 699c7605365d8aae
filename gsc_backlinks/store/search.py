"""Search performance per day (property totals, page totals, page x query rows), as the sync stores it.

Every function takes an open connection; writers run their own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..searchdata import DayResult
from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb


def final_search_days(con: duckdb.DuckDBPyConnection, site: str, search_type: str) -> set[dt.date]:
    """Days held as final for a property and search type: never fetched again."""
    rows = con.execute(
        "SELECT day FROM search_days WHERE property = ? AND search_type = ? AND data_state = 'final'",
        [site, search_type],
    ).fetchall()
    return {r[0] for r in rows}


def search_day_versions(con: duckdb.DuckDBPyConnection, site: str,
                        search_type: str) -> dict[dt.date, tuple[str, int | None]]:
    """Every day held for a property and search type: {day: (source, bulk-export version)}."""
    rows = con.execute(
        "SELECT day, source, epoch_version FROM search_days WHERE property = ? AND search_type = ?",
        [site, search_type],
    ).fetchall()
    return {day: (source, version) for day, source, version in rows}


def save_search_days(con: duckdb.DuckDBPyConnection, site: str, search_type: str, results: list[DayResult], *,
                     fetched_at: dt.datetime, source: str = "api", epoch_versions: dict | None = None) -> None:
    """Write whole days (totals, page totals, page x query rows) in one transaction.

    ``source`` is where they came from ('api' or 'bigquery'); ``epoch_versions`` the bulk
    export's version of each day (day -> int).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    days = [r.day for r in results]

    def table(attribute: str, names: tuple[str, ...]) -> pa.Table:
        parts = [(r.day, getattr(r, attribute)) for r in results if getattr(r, attribute).get("page")]
        columns = {"day": pa.array([d for d, c in parts for _ in c["page"]], pa.date32())}
        for name in names:
            kind = pa.string() if name in ("page", "query") else pa.float64()
            values = pa.array([v for _, c in parts for v in c[name]], kind)
            if name in ("clicks", "impressions"):  # JSON doubles on the wire; whole numbers in fact
                values = pc.cast(pc.round(pc.fill_null(values, 0.0)), pa.int64())
            columns[name] = values
        return pa.Table.from_arrays(list(columns.values()), names=list(columns))

    page_table = table("pages", ("page", "clicks", "impressions", "ctr", "position"))
    query_table = table("queries", ("page", "query", "clicks", "impressions", "ctr", "position"))
    with transaction(con):
        for name in ("search_pages", "search_queries"):  # a day fetched again replaces itself whole
            con.execute(
                f"DELETE FROM {name} WHERE property = ? AND search_type = ? AND day IN (SELECT unnest(?::DATE[]))",
                [site, search_type, days],
            )
        con.register("incoming_pages", page_table)
        con.register("incoming_queries", query_table)
        try:
            con.execute(
                "INSERT INTO search_pages SELECT ?, ?, day, page, clicks, impressions, ctr, position FROM incoming_pages",
                [site, search_type],
            )
            con.execute(
                "INSERT INTO search_queries SELECT ?, ?, day, page, query, clicks, impressions, ctr, position "
                "FROM incoming_queries",
                [site, search_type],
            )
        finally:
            unregister(con, "incoming_pages")
            unregister(con, "incoming_queries")
        for r in results:
            t = r.totals or {}
            con.execute(
                "INSERT OR REPLACE INTO search_days VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [site, search_type, r.day, r.state, int(round(t.get("clicks", 0) or 0)),
                 int(round(t.get("impressions", 0) or 0)), t.get("ctr"), t.get("position"),
                 r.page_count, r.query_count, r.pages_truncated, r.queries_truncated, fetched_at,
                 source, (epoch_versions or {}).get(r.day)],
            )


def typical_day_rows(con: duckdb.DuckDBPyConnection, site: str, search_type: str) -> dict[tuple[str, ...], int]:
    """The most page and page x query rows of the property's recent days (to plan paging)."""
    row = con.execute(
        """SELECT max(page_rows), max(query_rows) FROM (
               SELECT page_rows, query_rows FROM search_days WHERE property = ? AND search_type = ?
               ORDER BY day DESC LIMIT 14)""",
        [site, search_type],
    ).fetchall()[0]
    return {("page",): row[0] or 0, ("page", "query"): row[1] or 0}


def days_fingerprint(con: duckdb.DuckDBPyConnection, site: str, search_type: str,
                     window: tuple[dt.date, dt.date]) -> tuple:
    """What identifies the search data of a window: days held, their query rows and when they were fetched."""
    return tuple(con.execute(
        """SELECT count(*), coalesce(sum(query_rows), 0), max(fetched_at) FROM search_days
           WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ?""",
        [site, search_type, *window],
    ).fetchall()[0])
