"""The `store` jobs: check every block of the store, copy it consistently, give back unused space."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
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


def _must_be_a_store(path: Path) -> None:
    """A store file is there, and its first bytes say DuckDB (read before DuckDB sees it: DuckDB attaches a
    CSV or a SQLite file as a database of its own, and would take a short file for a new one)."""
    from ..store.health import not_a_store

    if not path.exists():
        raise StoreError(f"no store at {path}; give the store with --store PATH (or GSC_BACKLINKS_STORE)")
    refusal = not_a_store(path)
    if refusal is not None:
        raise refusal


def check(store_path: Path) -> CheckResult:
    """Read every block of every table (DuckDB checks each one's checksum); say what cannot be read."""
    from ..store.connection import connect
    from ..store.health import not_our_schema, size, table_names, verify

    store_path = Path(store_path)
    _must_be_a_store(store_path)
    con = connect(store_path, read_only=True)
    try:
        try:
            refusal = not_our_schema(con, store_path)
            if refusal is not None:
                raise refusal
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


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _cannot_open(exc: Exception, store_path: Path) -> StoreError:
    """Any DuckDB error while attaching the store, as one line: nothing has been read or written yet."""
    text = str(exc)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return StoreError(f"store {store_path} is in use by another gsc-backlinks command; run this again "
                          "when it has finished")
    if "not a valid DuckDB database" in text:
        return StoreError(f"{store_path} is not a gsc-backlinks store (not a DuckDB database file); "
                          "choose another --store")
    return store_fault(exc, store_path) or StoreError(
        f"store {store_path} cannot be opened ({_first_line(exc)}); check that --store names a gsc-backlinks store")


def _cannot_write(exc: Exception, store_path: Path, target: Path,
                  writing: Callable[[str, str], StoreError]) -> StoreError:
    """A DuckDB error while writing the copy: a fault of the copy's disk or folder is said as the copy's
    (``writing(kind, problem)``, kind "full", "permission" or "other"; the store is only read meanwhile);
    a block of the store that cannot be read, as the store's."""
    from ..store.health import DAMAGED, DISK_FULL, NO_PERMISSION

    text = str(exc)
    if any(s in text for s in DISK_FULL):
        return writing("full", f"the disk is full ({_first_line(exc)})")
    if any(s in text for s in NO_PERMISSION):
        return writing("permission", f"no permission to write in its folder {target.parent}")
    if any(s in text for s in DAMAGED) and str(target) not in text:
        return store_fault(exc, store_path) or writing("other", _first_line(exc))
    return writing("other", _first_line(exc))


def _copy(store_path: Path, target: Path, *, hold_for_writing: bool,
          writing: Callable[[str, str], StoreError]) -> tuple[int, int]:
    """Copy every table of the store into a new file ``target``; check that every row arrived;
    (tables, rows).  The store is attached for the whole copy, so no other command writes meanwhile.

    ``writing(kind, problem)`` is the error for a fault in writing ``target`` (its disk or folder): the
    store is only read then, so such a fault is the copy's, not the store's."""
    import duckdb

    from ..store.health import not_our_schema

    _must_be_a_store(store_path)  # before DuckDB opens it, which would attach a CSV or reach for an extension
    con = _scratch_connection()
    try:
        try:
            mode = "" if hold_for_writing else " (READ_ONLY)"
            con.execute(f"ATTACH ? AS src{mode}", [str(store_path)])
            refusal = not_our_schema(con, store_path, "src")
            if refusal is not None:
                raise refusal  # another program's DuckDB file: never copied over, never rewritten
            if hold_for_writing:
                con.execute("CHECKPOINT src")  # the write-ahead log into the file first
        except duckdb.Error as exc:
            raise _cannot_open(exc, store_path) from None
        try:
            con.execute("ATTACH ? AS dst", [str(target)])
            con.execute("COPY FROM DATABASE src TO dst")
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' "
                "AND table_schema = 'main'").fetchall()]
            rows = 0
            for table in tables:
                a = con.execute(f'SELECT count(*) FROM src."{table}"').fetchall()[0][0]
                b = con.execute(f'SELECT count(*) FROM dst."{table}"').fetchall()[0][0]
                if a != b:
                    raise StoreError(f"copying store {store_path}: table {table} has {a} rows but the copy {b}; "
                                     "the store is unchanged")
                rows += a
            con.execute("DETACH dst")
        except duckdb.Error as exc:
            raise _cannot_write(exc, store_path, target, writing) from None
        return len(tables), rows
    finally:
        con.close()


def _remove(*paths: Path) -> None:
    """Remove what a failed copy left (the file and DuckDB's write-ahead log beside it)."""
    for path in paths:
        for leftover in (path, Path(str(path) + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def backup(store_path: Path, target: Path) -> CopyResult:
    """A consistent copy of the store at ``target`` (a new file), made while no other command writes to it."""
    store_path, target = Path(store_path), Path(target).expanduser()
    _must_be_a_store(store_path)
    if target.exists():
        raise UsageError(f"{target} exists already; give a new file name for the backup")
    if target.resolve() == store_path.resolve():
        raise UsageError("the backup must go to another file than the store")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write the backup {target}: its folder {target.parent} does not exist; create "
                         "it first or give another PATH")

    def writing(kind: str, problem: str) -> StoreError:
        way_out = {"full": "; free some space or give a PATH on another disk",
                   "permission": "; fix the folder's permissions or give a PATH in another folder"}.get(kind, "")
        return StoreError(f"cannot write the backup {target}: {problem}{way_out}; the store is unchanged and no "
                          "partial backup was left")

    tmp = target.with_name(target.name + ".partial")
    try:
        _remove(tmp)
        tables, rows = _copy(store_path, tmp, hold_for_writing=False, writing=writing)
        tmp.replace(target)
    except OSError as exc:
        raise writing("other", exc.strerror or str(exc)) from None
    finally:
        _remove(tmp)
    return CopyResult(store_path, target, os.path.getsize(store_path), os.path.getsize(target), tables, rows)


def compact(store_path: Path) -> CopyResult:
    """Rewrite the store without its unused blocks (what an interrupted write leaves behind)."""
    store_path = Path(store_path)
    _must_be_a_store(store_path)
    before = os.path.getsize(store_path)
    tmp = store_path.with_name(store_path.name + ".compact")

    def writing(kind: str, problem: str) -> StoreError:
        way_out = {"full": "; free some space and run it again",
                   "permission": "; fix the folder's permissions"}.get(kind, "")
        return StoreError(f"cannot compact store {store_path} (its new copy is written beside it first, as "
                          f"{tmp.name}): {problem}{way_out}; the store is unchanged")

    try:
        _remove(tmp)
        tables, rows = _copy(store_path, tmp, hold_for_writing=True, writing=writing)
        tmp.replace(store_path)  # atomic: the store is the old file or the new one, never half of either
    except OSError as exc:
        raise writing("other", exc.strerror or str(exc)) from None
    finally:
        _remove(tmp)
    return CopyResult(store_path, store_path, before, os.path.getsize(store_path), tables, rows)
