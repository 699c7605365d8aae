"""Third-party backlink exports (Ahrefs, Semrush, Majestic, Moz, Bing) and a property's competitors.

A backlinks export's rows are link observations (``link_observations`` with
``source`` = the tool and ``snapshot_id`` = its vendor snapshot) beside the
link checker's; a referring-domains export's rows go to ``vendor_domains``.
Every function takes an open connection; writers run their own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb


class VendorRows(Protocol):
    """What a parsed third-party export gives the store (see ``exports.thirdparty.VendorParsed``)."""

    source: str
    table: Any  #: pyarrow.Table: link-observation (or referring-domain) columns, then the tool's metrics
    content_hash: str
    quick_key: str
    snapshot_date: dt.date
    date_source: str
    competitor: str | None
    encoding: str
    notes: list[str]

    @property
    def vendor(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class VendorImport:
    """One third-party export imported (or found held already)."""

    source: str
    kind: str  #: the export, e.g. "ahrefs_backlinks"
    vendor: str
    competitor: str  #: '' = the property's own links
    snapshot_id: int
    snapshot_date: dt.date
    date_source: str
    rows: int
    duplicate_of: tuple[int, dt.date, str] | None = None  #: (snapshot id, date, file) when already held
    notes: tuple[str, ...] = ()
    same_as: tuple[int, dt.date] | None = None  #: an earlier snapshot of the same content (a re-export)


def maybe_held_vendor_files(con: duckdb.DuckDBPyConnection, site: str, quick_keys: list[str]) -> set[str]:
    """Of these quick keys (size and hash of the first MiB), those a held snapshot has: only those files need
    their whole content hashed before they are parsed."""
    if not quick_keys:
        return set()
    return {r[0] for r in con.execute(
        "SELECT DISTINCT quick_key FROM vendor_snapshots WHERE property = ? AND list_contains(?, quick_key)",
        [site, quick_keys]).fetchall()}


def held_vendor_imports(con: duckdb.DuckDBPyConnection, site: str,
                        files: dict[str, tuple[str, dt.date, str]]) -> dict[str, VendorImport]:
    """The files (display name -> content hash, snapshot date, competitor) held already, as import results."""
    if not files:
        return {}
    rows = con.execute(
        """SELECT content_hash, snapshot_date, competitor, snapshot_id, source_name, export, vendor, date_source,
                  row_count
           FROM vendor_snapshots WHERE property = ? AND list_contains(?, content_hash) ORDER BY snapshot_id""",
        [site, sorted({h for h, _, _ in files.values()})]).fetchall()
    first: dict[tuple, tuple] = {}
    for content_hash, date, competitor, *held in rows:
        first.setdefault((content_hash, date, competitor), (date, competitor, *held))
    out = {}
    for name, key in files.items():
        if key in first:
            date, competitor, sid, source_name, export, vendor, date_source, rows_ = first[key]
            out[name] = VendorImport(name, export, vendor, competitor, sid, date, date_source, 0,
                                     duplicate_of=(sid, date, source_name))
    return out


def save_vendor_imports(con: duckdb.DuckDBPyConnection, site: str, parsed: Sequence[VendorRows], *,
                        now: dt.datetime) -> list[VendorImport]:
    """Write parsed third-party exports as snapshots, inside the caller's transaction (see save_all)."""
    results = []
    for item in parsed:
        competitor = item.competitor or ""
        held = con.execute(
            """SELECT snapshot_id, snapshot_date, source_name, date_source FROM vendor_snapshots
               WHERE property = ? AND competitor = ? AND content_hash = ? AND snapshot_date = ?
               ORDER BY snapshot_id LIMIT 1""",
            [site, competitor, item.content_hash, item.snapshot_date]).fetchall()
        if held:
            sid, date, name, date_source = held[0]
            results.append(VendorImport(item.source, item.kind, item.vendor, competitor, sid, date, date_source, 0,
                                        duplicate_of=(sid, date, name), notes=tuple(item.notes)))
            continue
        earlier = con.execute(
            """SELECT snapshot_id, snapshot_date FROM vendor_snapshots
               WHERE property = ? AND competitor = ? AND content_hash = ? AND export = ? AND snapshot_date < ?
               ORDER BY snapshot_date, snapshot_id LIMIT 1""",
            [site, competitor, item.content_hash, item.kind, item.snapshot_date]).fetchall()
        snapshot_id = con.execute(
            """INSERT INTO vendor_snapshots (property, competitor, vendor, export, snapshot_date, date_source,
                   source_name, content_hash, quick_key, row_count, encoding, notes, imported_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING snapshot_id""",
            [site, competitor, item.vendor, item.kind, item.snapshot_date, item.date_source, item.source,
             item.content_hash, item.quick_key, item.table.num_rows, item.encoding, list(item.notes),
             now]).fetchall()[0][0]
        con.register("incoming_vendor", item.table)
        try:
            if "linking_url" in item.table.column_names:
                con.execute(
                    """INSERT INTO link_observations BY NAME
                       SELECT ? AS source, ? AS property, ? AS snapshot_id, ? AS observed_at, *
                       FROM incoming_vendor""",
                    [item.vendor, site, snapshot_id, now])
            else:
                con.execute("INSERT INTO vendor_domains BY NAME SELECT ? AS snapshot_id, * FROM incoming_vendor",
                            [snapshot_id])
        finally:
            unregister(con, "incoming_vendor")
        results.append(VendorImport(item.source, item.kind, item.vendor, competitor, snapshot_id,
                                    item.snapshot_date, item.date_source, item.table.num_rows,
                                    notes=tuple(item.notes), same_as=earlier[0] if earlier else None))
    return results


# --- competitors -----------------------------------------------------------------------------------


def competitors(con: duckdb.DuckDBPyConnection, site: str) -> list[str]:
    """A property's competitors: those added and those any export was imported for, sorted."""
    rows = con.execute(
        """SELECT domain FROM competitors WHERE property = ?
           UNION SELECT competitor FROM vendor_snapshots WHERE property = ? AND competitor <> ''
           ORDER BY 1""", [site, site]).fetchall()
    return [r[0] for r in rows]


def add_competitors(con: duckdb.DuckDBPyConnection, site: str, domains: Sequence[str], now: dt.datetime) -> None:
    with transaction(con):
        for domain in domains:
            con.execute("INSERT OR IGNORE INTO competitors VALUES (?, ?, ?)", [site, domain, now])


@dataclass(frozen=True)
class RemovedCompetitor:
    """A competitor forgotten, and what of its imports went with it."""

    domain: str
    exports: int  #: third-party snapshots deleted
    link_rows: int  #: their link observations deleted
    domain_rows: int  #: their referring-domain rows deleted


def remove_competitors(con: duckdb.DuckDBPyConnection, site: str, domains: Sequence[str]) -> list[RemovedCompetitor]:
    """Forget competitors and their exports' rows; returns what was removed, per competitor."""
    removed = []
    with transaction(con):
        for domain in domains:
            ids = [r[0] for r in con.execute(
                "SELECT snapshot_id FROM vendor_snapshots WHERE property = ? AND competitor = ?",
                [site, domain]).fetchall()]
            links = domain_rows = 0
            if ids:
                links = con.execute("SELECT count(*) FROM link_observations WHERE source <> 'check' "
                                    "AND list_contains(?, snapshot_id)", [ids]).fetchall()[0][0]
                domain_rows = con.execute("SELECT count(*) FROM vendor_domains WHERE list_contains(?, snapshot_id)",
                                          [ids]).fetchall()[0][0]
                con.execute("DELETE FROM link_observations WHERE source <> 'check' AND list_contains(?, snapshot_id)",
                            [ids])
                con.execute("DELETE FROM vendor_domains WHERE list_contains(?, snapshot_id)", [ids])
                con.execute("DELETE FROM vendor_snapshots WHERE list_contains(?, snapshot_id)", [ids])
            con.execute("DELETE FROM competitors WHERE property = ? AND domain = ?", [site, domain])
            removed.append(RemovedCompetitor(domain, len(ids), int(links), int(domain_rows)))
    return removed


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorSnapshot:
    snapshot_id: int
    competitor: str
    vendor: str
    export: str
    date: dt.date
    date_source: str
    source: str
    rows: int
    imported_at: dt.datetime
    unchanged_since: dt.date | None = None


def vendor_snapshots(con: duckdb.DuckDBPyConnection, site: str, as_of: dt.date | None = None) -> list[VendorSnapshot]:
    """Every third-party snapshot of a property (its own and its competitors'), newest first."""
    rows = con.execute(
        """SELECT s.snapshot_id, s.competitor, s.vendor, s.export, s.snapshot_date, s.date_source, s.source_name,
                  s.row_count,
                  s.imported_at,
                  (SELECT min(e.snapshot_date) FROM vendor_snapshots e
                   WHERE e.property = s.property AND e.competitor = s.competitor AND e.export = s.export
                     AND e.content_hash = s.content_hash AND e.snapshot_date < s.snapshot_date)
           FROM vendor_snapshots s WHERE s.property = ? AND (? IS NULL OR s.snapshot_date <= ?)
           ORDER BY s.snapshot_date DESC, s.snapshot_id DESC""", [site, as_of, as_of]).fetchall()
    return [VendorSnapshot(*r) for r in rows]


def current_vendor_snapshots(con: duckdb.DuckDBPyConnection, site: str, as_of: dt.date | None = None, *,
                             competitor: str | None = "") -> list[VendorSnapshot]:
    """The newest third-party snapshot of each tool and export, of the property's own links (competitor '')
    or a competitor's (None: every competitor), newest first."""
    newest: dict[tuple[str, str, str], VendorSnapshot] = {}
    for snap in vendor_snapshots(con, site, as_of):
        if competitor is None and not snap.competitor or competitor is not None and snap.competitor != competitor:
            continue
        newest.setdefault((snap.competitor, snap.vendor, snap.export), snap)
    return list(newest.values())
