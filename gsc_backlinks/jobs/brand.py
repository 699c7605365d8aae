"""The `brand` job: show or change a property's brand terms (anchor texts with them count as branded)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..dates import utc_now
from ..errors import UsageError
from ..text import printable


def brand(store_path: Path, site: str, add: tuple[str, ...] = (), remove: tuple[str, ...] = (),
          now: dt.datetime | None = None) -> tuple[str, tuple[str, ...]]:
    """(the property as stored, every brand term used: the domain's and the stored ones) after the change."""
    from ..analysis.anchors import brand_terms, normalize_text
    from ..store import open_store
    from ..store.brand import brand_terms as stored_terms
    from ..store.brand import save_brand_terms
    from .common import resolve_property

    site = resolve_property(store_path, site)
    added = [normalize_text(t) for t in add]
    if not all(added):
        raise UsageError(f"--add {printable(next(t for t, n in zip(add, added) if not n))!r}: "
                         "a brand term needs at least one letter or digit")
    if added or remove:
        with open_store(store_path, write=True) as con:
            saved = save_brand_terms(con, site, added, [normalize_text(t) for t in remove], now or utc_now())
    else:
        with open_store(store_path) as con:
            saved = stored_terms(con, site)
    return site, brand_terms(site, saved)
