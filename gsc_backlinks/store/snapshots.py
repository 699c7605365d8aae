"""Snapshots of Links exports: written whole per import, read by the analysis.

Every function takes an open connection (see :mod:`.connection`); writers run
their own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb

#: Columns each row table takes from a parsed export, in order.
ROW_COLUMNS = {
    "linking_pages": ("linking_url", "linking_domain", "last_crawled"),
    "target_pages": ("target_url", "incoming_links", "linking_sites", "internal_links"),
    "linking_sites": ("site", "linking_domain", "linking_pages", "target_pages"),
    "linking_text": ("rank", "anchor_text", "link_count"),
}


class SnapshotRows(Protocol):
    """What a parsed export gives the store (see ``exports.reader.ParsedExport``)."""

    source: str
    kind: str
    language: str
    table: Any  #: a pyarrow.Table with the row table's columns

    file_rows: int
    content_hash: str
    snapshot_date: dt.date
    date_source: str
    target_url: str | None
    notes: list[str]
    one_row_per_url: bool

    @property
    def row_table(self) -> str:
        """The store table its rows go to: one of :data:`ROW_COLUMNS`."""


@dataclass(frozen=True)
class ImportResult:
    source: str
    kind: str
    snapshot_id: int
    snapshot_date: dt.date
    date_source: str
    rows: int
    file_rows: int
    target_url: str | None
    duplicate_of: tuple[int, dt.date, str] | None = None  #: (snapshot id, date, file) when already held
    notes: tuple[str, ...] = ()
    merged_rows: int = 0  #: linking-page rows merged into another with the same canonical URL
    same_as: tuple[int, dt.date] | None = None  #: (snapshot id, date) of an earlier snapshot with the same content


#: A held snapshot as the duplicate check reads it (see _held_result).
_HELD_COLUMNS = "snapshot_id, snapshot_date, source_name, kind, date_source, file_rows, target_url"


def _held_result(source: str, held: tuple, notes: tuple[str, ...] = ()) -> ImportResult:
    """The result of importing ``source`` again: the snapshot that holds its content already."""
    snapshot_id, date, name, kind, date_source, file_rows, target_url = held
    return ImportResult(source, kind, snapshot_id, date, date_source, 0, file_rows, target_url,
                        duplicate_of=(snapshot_id, date, name), notes=notes)


def held_imports(con: duckdb.DuckDBPyConnection, site: str,
                 files: dict[str, tuple[str, dt.date, str | None]]) -> dict[str, ImportResult]:
    """The files (display name -> content hash, snapshot date, target) whose snapshot ``site`` holds already
    (the same content, date and target: a repeat), as their import results."""
    if not files:
        return {}
    rows = con.execute(
        f"SELECT content_hash, {_HELD_COLUMNS} FROM snapshots "
        "WHERE property = ? AND list_contains(?, content_hash) ORDER BY snapshot_id",
        [site, sorted({h for h, _, _ in files.values()})],
    ).fetchall()
    first: dict[tuple, tuple] = {}
    for content_hash, *held in rows:
        first.setdefault((content_hash, held[1], held[6]), tuple(held))
    return {name: _held_result(name, first[key]) for name, key in files.items() if key in first}


def bulk_write_settings(con: duckdb.DuckDBPyConnection) -> None:
    """Bounded memory for million-row imports; row order within a snapshot is not kept."""
    con.execute("SET memory_limit = '512MB'")
    con.execute("SET preserve_insertion_order = false")


def save_imports(con: duckdb.DuckDBPyConnection, site: str, parsed: Sequence[SnapshotRows], *,
                 now: dt.datetime) -> list[ImportResult]:
    """Write parsed exports as snapshots in one transaction: all of them or none."""
    bulk_write_settings(con)
    with transaction(con):
        return write_snapshots(con, site, parsed, now=now)


def write_snapshots(con: duckdb.DuckDBPyConnection, site: str, parsed: Sequence[SnapshotRows], *,
                    now: dt.datetime) -> list[ImportResult]:
    """Write parsed exports as snapshots, inside the caller's transaction."""
    import pyarrow  # noqa: F401  (DuckDB reads the registered Arrow tables)

    results: list[ImportResult] = []
    for item in parsed:
        # Only the same kind, date, target and content is a repeat (e.g. the same file twice in one import).
        held = con.execute(
            f"""SELECT {_HELD_COLUMNS} FROM snapshots
                WHERE property = ? AND content_hash = ? AND kind = ? AND snapshot_date = ?
                  AND target_url IS NOT DISTINCT FROM ?
                ORDER BY snapshot_id LIMIT 1""",
            [site, item.content_hash, item.kind, item.snapshot_date, item.target_url],
        ).fetchall()
        if held:
            results.append(_held_result(item.source, held[0], tuple(item.notes)))
            continue
        # The same content of another date: an unchanged export (kept, as evidence nothing changed).
        earlier = con.execute(
            """SELECT snapshot_id, snapshot_date FROM snapshots
               WHERE property = ? AND content_hash = ? AND kind = ? AND target_url IS NOT DISTINCT FROM ?
                 AND snapshot_date < ?
               ORDER BY snapshot_date, snapshot_id LIMIT 1""",
            [site, item.content_hash, item.kind, item.target_url, item.snapshot_date],
        ).fetchall()
        same_as = (earlier[0][0], earlier[0][1]) if earlier else None
        table = item.row_table
        columns = ROW_COLUMNS[table]
        snapshot_id = con.execute(
            """INSERT INTO snapshots (property, kind, snapshot_date, date_source, source_name,
                   content_hash, row_count, file_rows, target_url, language, imported_at, same_as)
               VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING snapshot_id""",
            [site, item.kind, item.snapshot_date, item.date_source, item.source, item.content_hash,
             item.file_rows, item.target_url, item.language, now, same_as[0] if same_as else None],
        ).fetchall()[0][0]
        con.register("incoming", item.table)
        try:
            if table == "linking_pages" and not item.one_row_per_url:
                # Search Console merges duplicates; canonical forms can collide too.
                select = (
                    "SELECT ?, linking_url, any_value(linking_domain), "
                    "max(last_crawled) FROM incoming GROUP BY linking_url"
                )
            else:
                select = f"SELECT ?, {', '.join(columns)} FROM incoming"
            con.execute(f"INSERT INTO {table} (snapshot_id, {', '.join(columns)}) {select}", [snapshot_id])
        finally:
            unregister(con, "incoming")
        rows = con.execute(f"SELECT count(*) FROM {table} WHERE snapshot_id = ?", [snapshot_id]).fetchall()[0][0]
        merged = item.table.num_rows - rows if table == "linking_pages" else 0
        con.execute("UPDATE snapshots SET row_count = ? WHERE snapshot_id = ?", [rows, snapshot_id])
        results.append(ImportResult(item.source, item.kind, snapshot_id, item.snapshot_date, item.date_source,
                                    rows, item.file_rows, item.target_url, notes=tuple(item.notes),
                                    merged_rows=max(merged, 0), same_as=same_as))
    return results


# --- reading ---------------------------------------------------------------------


def properties(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Properties the store holds data for: link snapshots (Search Console's or a tool's) or search performance."""
    return [r[0] for r in con.execute(
        """SELECT property FROM snapshots UNION SELECT property FROM search_days
           UNION SELECT property FROM vendor_snapshots UNION SELECT property FROM competitors
           ORDER BY property""").fetchall()]


SNAPSHOT_COLUMNS = ("snapshot_id", "kind", "snapshot_date", "date_source", "source_name", "row_count", "file_rows",
                    "target_url", "language", "imported_at", "same_as")


def snapshot_rows(con: duckdb.DuckDBPyConnection, site: str) -> list[tuple]:
    """Every snapshot of a property, newest first, as tuples of :data:`SNAPSHOT_COLUMNS`."""
    return con.execute(
        f"""SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM snapshots WHERE property = ?
            ORDER BY snapshot_date DESC, snapshot_id DESC""",
        [site],
    ).fetchall()
