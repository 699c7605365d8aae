"""A store session: opened for the moment a command needs it, created and migrated on first write.

Every fault of the disk or the file met inside a session (a full disk, a folder
it may not write to, a damaged block) ends as one StoreError line
(:func:`.health.store_fault`); the transaction it was in is rolled back, so the
store is as it was.

Within one process, sessions take turns (one at a time, across threads): DuckDB
refuses a read-only connection to a file this process has open for writing,
and a run over many properties syncs and checks them in threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from .connection import connect
from .health import store_fault, verify
from .migrations import SCHEMA_VERSION, migrate, newer_store_error, schema_version

if TYPE_CHECKING:
    import duckdb

#: Stores whose every block this process has read through once before writing to them.
_VERIFIED: set[str] = set()
#: One session at a time in this process (re-entrant: a session may open another in the same thread).
_TURN = threading.RLock()


@contextmanager
def _faults_as_errors(path: Path) -> Iterator[None]:
    """A DuckDB disk or file fault inside as one StoreError line; any other error keeps its traceback."""
    import duckdb

    try:
        yield
    except duckdb.Error as exc:
        fault = store_fault(exc, path)
        if fault is None:
            raise
        raise fault from None


def _check_before_writing(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Read every block of the store once per process before writing to it (DuckDB checks each block's
    checksum; a quarter of a second for a store of millions of rows): a damaged store is said before
    anything is written to it, not found later by a read."""
    key = str(path.resolve())
    if key in _VERIFIED:
        return
    damaged = verify(con)
    if damaged:
        table, problem = damaged[0]
        raise StoreError(f"store {path} is damaged: table {table} cannot be read ({problem}); nothing was "
                         "written; restore a backup (gsc-backlinks store backup PATH makes one) or start a new "
                         "store with --store; gsc-backlinks store check lists every damaged table")
    _VERIFIED.add(key)


@contextmanager
def open_store(path: Path, *, write: bool = False, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection: write=True creates and migrates the store (and checks it once per process);
    a read finds it migrated."""
    with _TURN:  # noqa: SIM117  (the turn is taken before the file is opened, and given back after it is closed)
        with _open_store(path, write=write, timeout=timeout) as con:
            yield con


@contextmanager
def _open_store(path: Path, *, write: bool, timeout: float | None) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for store {path}: {exc.strerror or exc}") from None
        con = connect(path, read_only=False, timeout=timeout)
        try:
            with _faults_as_errors(path):
                migrate(con)
                _check_before_writing(con, path)
        except BaseException:
            con.close()
            raise
    else:
        if not path.exists():
            raise StoreError(
                f"no store at {path} yet; import some exports first (gsc-backlinks import PATH --site SITE)"
            )
        con = connect(path, read_only=True, timeout=timeout)
        try:
            with _faults_as_errors(path):
                version = schema_version(con)
        except BaseException:
            con.close()
            raise
        if version != SCHEMA_VERSION:
            con.close()
            if version > SCHEMA_VERSION:
                raise newer_store_error(version)
            with open_store(path, write=True, timeout=timeout):
                pass
            con = connect(path, read_only=True, timeout=timeout)
    try:
        with _faults_as_errors(path):
            yield con
    finally:
        con.close()


@contextmanager
def open_current(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to an existing store at this version's schema, else None (looking never
    creates or migrates a store)."""
    path = Path(path)
    if not path.exists():
        yield None
        return
    with _TURN:
        con = connect(path, read_only=True)
        try:
            with _faults_as_errors(path):
                current = schema_version(con) == SCHEMA_VERSION
                yield con if current else None
        finally:
            con.close()
