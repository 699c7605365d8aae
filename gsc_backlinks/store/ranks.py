"""Rank files loaded and the ranks of the linking domains looked up in them.

Every function takes an open connection; writers run their own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb

#: Every registrable domain that links to any property in the store (or to one of its competitors: the link
#: gap ranks those too), by any source.
_LINKING_DOMAINS = """SELECT linking_domain AS domain FROM linking_pages WHERE linking_domain IS NOT NULL
           UNION SELECT coalesce(linking_domain, site) FROM linking_sites
           UNION SELECT linking_domain FROM link_observations WHERE linking_domain IS NOT NULL
           UNION SELECT linking_domain FROM vendor_domains"""
_NOT_LOOKED_UP = f"""SELECT domain FROM ({_LINKING_DOMAINS}) d
           WHERE domain NOT IN (SELECT domain FROM domain_ranks WHERE source_id = ?)"""


def linking_domain_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every registrable domain that links to any property in the store."""
    return [r[0] for r in con.execute(f"SELECT domain FROM ({_LINKING_DOMAINS}) ORDER BY 1").fetchall()]


def linking_domain_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many registrable domains link to any property in the store."""
    return con.execute(f"SELECT count(*) FROM ({_LINKING_DOMAINS})").fetchall()[0][0]


def rank_sources(con: duckdb.DuckDBPyConnection, precedence: tuple[str, ...]) -> list[dict]:
    """Loaded rank files (dicts of their columns, plus ``ranked`` and ``looked_up`` counts),
    in the order their ranks take precedence (kinds in ``precedence`` order, newest first)."""
    order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(precedence))
    result = con.execute(
        f"""SELECT s.*, coalesce(r.ranked, 0) AS ranked, coalesce(r.looked_up, 0) AS looked_up
            FROM rank_sources s LEFT JOIN (
                SELECT source_id, count(rank) AS ranked, count(*) AS looked_up FROM domain_ranks GROUP BY source_id
            ) r USING (source_id)
            ORDER BY CASE s.kind {order} ELSE 99 END, s.loaded_at DESC"""
    )
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def domain_ranks(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """(domain, source id, rank) of every ranked domain in every loaded file."""
    return con.execute("SELECT domain, source_id, rank FROM domain_ranks WHERE rank IS NOT NULL").fetchall()


def save_ranks(con: duckdb.DuckDBPyConnection, rank_file, file_size: int, list_size: int, looked_up: list[str],
               found: dict[str, int], *, now: dt.datetime, source_id: int | None = None) -> int:
    """Keep a scan's results: a new source (replacing one of the same kind), or more rows of an old one."""
    import pyarrow as pa

    from .. import arrow

    # arrow, not pa.array(list): that imports pandas, which `authority load` never needs.
    table = arrow.table({"domain": arrow.array(looked_up, pa.string()),
                         "rank": arrow.array([found.get(d) for d in looked_up], pa.int64())})
    with transaction(con):
        if source_id is None:
            con.execute("DELETE FROM domain_ranks WHERE source_id IN "
                        "(SELECT source_id FROM rank_sources WHERE kind = ?)", [rank_file.kind])
            con.execute("DELETE FROM rank_sources WHERE kind = ?", [rank_file.kind])
            source_id = con.execute(
                """INSERT INTO rank_sources (kind, release, file_name, file_path, file_size, list_size, loaded_at,
                                            file_date)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING source_id""",
                [rank_file.kind, rank_file.release, rank_file.path.name, str(rank_file.path.resolve()),
                 file_size, list_size, now, rank_file.file_date],
            ).fetchall()[0][0]
        else:
            con.execute("UPDATE rank_sources SET refreshed_at = ? WHERE source_id = ?", [now, source_id])
        con.register("incoming_ranks", table)
        try:
            con.execute("INSERT OR REPLACE INTO domain_ranks SELECT ?, domain, rank FROM incoming_ranks", [source_id])
        finally:
            unregister(con, "incoming_ranks")
    return source_id


def domains_not_looked_up(con: duckdb.DuckDBPyConnection, source_id: int) -> list[str]:
    """Linking domains that appeared after a rank file was read."""
    return [r[0] for r in con.execute(f"{_NOT_LOOKED_UP} ORDER BY 1", [source_id]).fetchall()]


def not_looked_up_count(con: duckdb.DuckDBPyConnection, source_id: int) -> int:
    """How many linking domains appeared after a rank file was read."""
    return con.execute(f"SELECT count(*) FROM ({_NOT_LOOKED_UP})", [source_id]).fetchall()[0][0]


def ranks_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """What identifies the loaded ranks: each file and when it was last read."""
    return tuple(con.execute(
        "SELECT source_id, coalesce(refreshed_at, loaded_at) FROM rank_sources ORDER BY source_id").fetchall())
