"""Brand terms a user added per property.  Every function takes an open connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connection import transaction

if TYPE_CHECKING:
    import duckdb


def brand_terms(con: duckdb.DuckDBPyConnection, site: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT term FROM brand_terms WHERE property = ? ORDER BY term", [site]).fetchall()]


def save_brand_terms(con: duckdb.DuckDBPyConnection, site: str, add: list[str], remove: list[str],
                     now: dt.datetime) -> list[str]:
    """Add and remove terms in one transaction; the terms held afterwards."""
    with transaction(con):
        for term in remove:
            con.execute("DELETE FROM brand_terms WHERE property = ? AND term = ?", [site, term])
        for term in add:
            con.execute("INSERT OR IGNORE INTO brand_terms VALUES (?, ?, ?)", [site, term, now])
    return brand_terms(con, site)
