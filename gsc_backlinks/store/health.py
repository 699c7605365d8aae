"""When the disk or the store file fails: one line that says what is wrong and what to do; checks and copies.

DuckDB reports a full disk, a folder it may not write to and a damaged file as
``duckdb.Error``s of a few kinds; :func:`store_fault` turns those into a
:class:`~gsc_backlinks.errors.StoreError` (exit 74) naming the store, the
fault in words and the way out.  Any other DuckDB error is a bug and keeps its
traceback.  :func:`verify` reads every block of the tables it is given (DuckDB
checks each block's checksum as it reads it): ``store check`` and every write's
first touch of a table use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError

if TYPE_CHECKING:
    import duckdb

DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded", "out of disk space")
NO_PERMISSION = ("Permission denied", "Read-only file system", "Operation not permitted")
DAMAGED = ("Could not read enough bytes", "Corrupt database file", "checksum", "Failed to load metadata",
           "block id", "Serialization Error", "INTERNAL Error", "database has been invalidated")
WAYS_OUT = ("restore a backup (gsc-backlinks store backup PATH makes one) or start a new store with --store; "
            "gsc-backlinks store check says which table is damaged")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def store_fault(exc: BaseException, path: Path) -> StoreError | None:
    """The one-line StoreError for a disk or file fault DuckDB reported; None for anything else (a bug)."""
    text = str(exc)
    if any(s in text for s in DISK_FULL):
        return StoreError(f"store {path}: the disk is full ({_first_line(exc)}); free some space and run the "
                          "command again: the store is as it was before it (gsc-backlinks store check confirms "
                          "it; gsc-backlinks store backup PATH copies it to another disk)")
    if any(s in text for s in NO_PERMISSION):
        return folder_not_writable(path)
    if any(s in text for s in DAMAGED):
        return StoreError(f"store {path} is damaged ({_first_line(exc)}); {WAYS_OUT}")
    return None


def folder_not_writable(path: Path) -> StoreError:
    """The store's folder may not be written in (DuckDB writes its write-ahead log beside the store)."""
    return StoreError(f"store {path}: no permission to write in its folder {path.parent} (DuckDB writes "
                      f"{path.name}.wal beside it); fix the folder's permissions, or copy the store to a folder "
                      "you may write in (gsc-backlinks store backup PATH; gsc-backlinks store check reads it "
                      "without writing) and use --store PATH")


def permission_denied(path: Path, *, read_only: bool) -> StoreError:
    """The store cannot be opened for lack of permission: says whether the file or its folder is the cause."""
    if not path.exists():
        return StoreError(f"cannot create store {path}: no permission to write in its folder {path.parent}; fix "
                          "the folder's permissions or give another --store")
    if not os.access(path, os.R_OK if read_only else os.R_OK | os.W_OK):
        need = "read" if read_only else "read and write"
        return StoreError(f"store {path} cannot be opened: no permission to {need} the file; fix its permissions, "
                          "then gsc-backlinks store check says whether it is whole and gsc-backlinks store backup "
                          "PATH keeps a copy")
    if not read_only and not os.access(path.parent, os.W_OK | os.X_OK):
        return folder_not_writable(path)
    return StoreError(f"store {path} cannot be opened: permission denied; check the permissions of the file and "
                      f"of its folder {path.parent} (gsc-backlinks store check reads it without writing; "
                      "gsc-backlinks store backup PATH copies it to a folder you may write in)")


def not_a_store(path: Path) -> StoreError | None:
    """A file at the store path that is plainly something else (read from its first bytes, before DuckDB
    opens it: DuckDB would reach for an extension to read, say, a SQLite file, and would take a file shorter
    than its header for a new database)."""
    path = Path(path)
    if path.is_dir():
        return StoreError(f"{path} is a folder, not a gsc-backlinks store; give a file with --store PATH")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None  # missing or unreadable: said by whoever opens it
    if head.startswith(b"SQLite format 3\x00"):
        return StoreError(f"{path} is a SQLite database, not a gsc-backlinks store; choose another --store")
    if not head:
        return StoreError(f"{path} is an empty file, not a gsc-backlinks store; choose another --store "
                          "(or delete the file: the first import makes the store)")
    if len(head) < 12 or head[8:12] != b"DUCK":
        return StoreError(f"{path} is not a gsc-backlinks store (not a DuckDB database file); choose another --store")
    return None


def not_our_schema(con: duckdb.DuckDBPyConnection, path: Path, catalog: str | None = None) -> StoreError | None:
    """A DuckDB database without the gsc-backlinks schema (its ``schema_migrations`` table): another
    program's file, which no store command may read as a store or rewrite."""
    catalog = catalog or con.execute("SELECT current_database()").fetchall()[0][0]
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
        "AND table_name = 'schema_migrations'", [catalog]).fetchall()[0][0]
    if found:
        return None
    return StoreError(f"{path} is a DuckDB database but not a gsc-backlinks store (it has no schema_migrations "
                      "table); choose another --store")


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name").fetchall()]


def verify(con: duckdb.DuckDBPyConnection, tables: list[str] | None = None) -> list[tuple[str, str]]:
    """(table, what is wrong) for each table whose blocks cannot all be read; [] when every one reads."""
    import duckdb

    damaged = []
    for table in tables if tables is not None else table_names(con):
        try:
            # A hash of every column of every row: DuckDB reads (and checks) every block of the table.
            con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{table}"').fetchall()
        except duckdb.Error as exc:
            damaged.append((table, _first_line(exc)))
    return damaged


@dataclass(frozen=True)
class Size:
    file_bytes: int
    block_size: int
    total_blocks: int
    free_blocks: int

    @property
    def free_bytes(self) -> int:
        return self.free_blocks * self.block_size


def size(con: duckdb.DuckDBPyConnection, path: Path) -> Size:
    """The file's size and how much of it is unused blocks (left by an interrupted write, reused later)."""
    row = con.execute("SELECT block_size, total_blocks, free_blocks FROM pragma_database_size()").fetchall()[0]
    return Size(os.path.getsize(path), int(row[0]), int(row[1]), int(row[2]))


def copy_to(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """A consistent copy of the open store in a new file ``target`` (every table, sequence and row;
    unused blocks are not copied)."""
    name = con.execute("SELECT current_database()").fetchall()[0][0]
    con.execute("ATTACH ? AS gsc_copy", [str(target)])
    try:
        con.execute(f'COPY FROM DATABASE "{name}" TO gsc_copy')
    finally:
        con.execute("DETACH gsc_copy")
