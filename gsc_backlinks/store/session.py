"""A store session: opened for the moment a command needs it, created and migrated on first write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from .connection import connect
from .migrations import SCHEMA_VERSION, migrate, newer_store_error, schema_version

if TYPE_CHECKING:
    import duckdb


@contextmanager
def open_store(path: Path, *, write: bool = False, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection: write=True creates and migrates the store; a read finds it migrated."""
    path = Path(path)
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for store {path}: {exc.strerror or exc}") from None
        con = connect(path, read_only=False, timeout=timeout)
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
    else:
        if not path.exists():
            raise StoreError(
                f"no store at {path} yet; import some exports first (gsc-backlinks import PATH --site SITE)"
            )
        con = connect(path, read_only=True, timeout=timeout)
        version = schema_version(con)
        if version != SCHEMA_VERSION:
            con.close()
            if version > SCHEMA_VERSION:
                raise newer_store_error(version)
            with open_store(path, write=True, timeout=timeout):
                pass
            con = connect(path, read_only=True, timeout=timeout)
    try:
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
    con = connect(path, read_only=True)
    try:
        yield con if schema_version(con) == SCHEMA_VERSION else None
    finally:
        con.close()
