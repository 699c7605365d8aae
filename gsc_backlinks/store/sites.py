"""The properties the Google account can see, remembered for offline "did you mean" hints."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connection import transaction

if TYPE_CHECKING:
    import duckdb


def save_sites(con: duckdb.DuckDBPyConnection, entries: list, seen_at: dt.datetime) -> None:
    """Replace the remembered list with ``entries`` (``api.SiteEntry``)."""
    with transaction(con):
        con.execute("DELETE FROM api_sites")
        for e in entries:
            con.execute("INSERT INTO api_sites VALUES (?, ?, ?)", [e.site_url, e.permission_level, seen_at])


def seen_sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Properties Google last listed for the account (``sites``, ``sync``)."""
    return [r[0] for r in con.execute("SELECT site_url FROM api_sites ORDER BY site_url").fetchall()]
