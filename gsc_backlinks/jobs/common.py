"""What every job that reads a property needs: the property as the store holds it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import GscBacklinksError, NoDataError

if TYPE_CHECKING:
    import duckdb


def held_property(con: duckdb.DuckDBPyConnection, site: str) -> str:
    """The property as stored; one the store does not hold is a NoDataError naming the close matches."""
    from ..api import close_properties
    from ..store.sites import seen_sites
    from ..store.snapshots import properties
    from ..urls import parse_property

    known = properties(con)
    try:
        name = parse_property(site).site
    except GscBacklinksError:
        name = site
    if name in known:
        return name
    # Properties Google listed for this account (`sites`, `sync`) are candidates too.
    candidates = known + [s for s in seen_sites(con) if s not in known]
    close = close_properties(name, candidates)  # the same matcher as for Google's list (api.check_site)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    held = f". The store holds: {', '.join(known)}" if known and not close else ""
    if not known:
        raise NoDataError(f"the store holds no data yet; import exports first: gsc-backlinks import PATH --site {site}")
    raise NoDataError(f"the store holds nothing for property {site}{hint}{held}")


def resolve_property(store_path: Path, site: str) -> str:
    """:func:`held_property`, opening the store for the moment."""
    from ..store import open_store

    with open_store(store_path) as con:
        return held_property(con, site)
