"""The `store` jobs: check every block of the store, copy it consistently, give back unused space."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError, UsageError
from ..store.health import WAYS_OUT, Size, store_fault


@dataclass(frozen=True)
class CheckResult:
    path: Path
    tables: int
    rows: int
    size: Size
    damaged: list[tuple[str, str]]  #: (table, what is wrong)


def _scratch_connection():
    """An in-memory DuckDB connection that attaches store files (no extension loaded or installed)."""
    import duckdb

    from ..store.connection import CONFIG

    return duckdb.connect(":memory:", config=CONFIG)


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise StoreError(f"no store at {path}; give the store with --store PATH (or GSC_BACKLINKS_STORE)")


def check(store_path: Path) -> CheckResult:
    """Read every block of every table (DuckDB checks each one's checksum); say what cannot be read."""
    from ..store.connection import connect
    from ..store.health import size, table_names, verify

    store_path = Path(store_path)
    _must_exist(store_path)
    con = connect(store_path, read_only=True)
    try:
        try:
            tables = table_names(con)
            damaged = verify(con, tables)
            rows = 0
            for table in tables:
                if table not in {t for t, _ in damaged}:
                    rows += con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            found = size(con, store_path)
        except Exception as exc:  # the catalog itself unreadable: the whole file is damaged
            import duckdb

            if not isinstance(exc, duckdb.Error):
                raise
            raise store_fault(exc, store_path) or StoreError(
                f"store {store_path} is damaged ({str(exc).splitlines()[0][:200]}); {WAYS_OUT}") from None
    finally:
        con.close()
    return CheckResult(store_path, len(tables), rows, found, damaged)


@dataclass(frozen=True)
class CopyResult:
    source: Path
    target: Path
    bytes_before: int
    bytes_after: int
    tables: int
    rows: int


def _copy(store_path: Path, target: Path, *, hold_for_writing: bool) -> tuple[int, int]:
    """Copy every table of the store into a new file ``target``; check that every row arrived;
    (tables, rows).  The store is attached for the whole copy, so no other command writes meanwhile."""
    import duckdb

    con = _scratch_connection()
    try:
        mode = "" if hold_for_writing else " (READ_ONLY)"
        con.execute(f"ATTACH ? AS src{mode}", [str(store_path)])
        if hold_for_writing:
            con.execute("CHECKPOINT src")  # the write-ahead log into the file first
        con.execute("ATTACH ? AS dst", [str(target)])
        con.execute("COPY FROM DATABASE src TO dst")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = 'main'"
        ).fetchall()]
        rows = 0
        for table in tables:
            a = con.execute(f'SELECT count(*) FROM src."{table}"').fetchall()[0][0]
            b = con.execute(f'SELECT count(*) FROM dst."{table}"').fetchall()[0][0]
            if a != b:
                raise StoreError(f"copying store {store_path}: table {table} has {a} rows but the copy {b}; "
                                 "the store is unchanged")
            rows += a
        con.execute("DETACH dst")
        return len(tables), rows
    except duckdb.Error as exc:
        fault = store_fault(exc, store_path)
        if fault is not None:
            raise fault from None
        if "Could not set lock" in str(exc) or "Conflicting lock" in str(exc):
            raise StoreError(f"store {store_path} is in use by another gsc-backlinks command; run this again "
                             "when it has finished") from None
        raise
    finally:
        con.close()


def backup(store_path: Path, target: Path) -> CopyResult:
    """A consistent copy of the store at ``target`` (a new file), made while no other command writes to it."""
    store_path, target = Path(store_path), Path(target).expanduser()
    _must_exist(store_path)
    if target.exists():
        raise UsageError(f"{target} exists already; give a new file name for the backup")
    if target.resolve() == store_path.resolve():
        raise UsageError("the backup must go to another file than the store")
    tmp = target.with_name(target.name + ".partial")
    try:
        tmp.unlink(missing_ok=True)
        tables, rows = _copy(store_path, tmp, hold_for_writing=False)
        tmp.replace(target)
    except OSError as exc:
        raise StoreError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return CopyResult(store_path, target, os.path.getsize(store_path), os.path.getsize(target), tables, rows)


def compact(store_path: Path) -> CopyResult:
    """Rewrite the store without its unused blocks (what an interrupted write leaves behind)."""
    store_path = Path(store_path)
    _must_exist(store_path)
    before = os.path.getsize(store_path)
    tmp = store_path.with_name(store_path.name + ".compact")
    try:
        tmp.unlink(missing_ok=True)
        tables, rows = _copy(store_path, tmp, hold_for_writing=True)
        tmp.replace(store_path)  # atomic: the store is the old file or the new one, never half of either
    except OSError as exc:
        raise StoreError(f"cannot compact store {store_path}: {exc.strerror or exc}; the store is unchanged") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return CopyResult(store_path, store_path, before, os.path.getsize(store_path), tables, rows)
