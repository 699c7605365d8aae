"""Opening the store: where it lives, waiting for another process's lock, transactions.

DuckDB lets one process write a file at a time (other processes cannot even
read while it is open for writing), so every command opens the store only for
the short moment it needs it and closes it at once.  A command that finds the
store held retries for a bounded time, then says so in one line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreBusyError, StoreError

if TYPE_CHECKING:
    import duckdb


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("gsc-backlinks", appauthor=False) / "store.duckdb"


#: DuckDB settings for every connection: it installs and loads no extension by itself (it would reach the
#: network to read, say, a SQLite file put where the store should be).
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False, "autoload_known_extensions": False}


def lock_timeout() -> float:
    try:
        return float(os.environ.get("GSC_BACKLINKS_LOCK_TIMEOUT", "") or 30)
    except ValueError:
        return 30.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def connect(path: Path, *, read_only: bool, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the store file, waiting up to ``timeout`` seconds for another process's lock."""
    import duckdb

    from .health import not_a_store, permission_denied, store_fault

    refusal = not_a_store(path) if Path(path).exists() else None
    if refusal:
        raise refusal
    timeout = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            # Nothing is downloaded at run time: DuckDB may not install or load an extension by itself.
            return duckdb.connect(str(path), read_only=read_only, config=CONFIG)
        except duckdb.Error as exc:
            if _is_lock_error(exc):
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"store {path} is busy: another gsc-backlinks command is using it "
                        f"(waited {timeout:g}s); try again when it has finished, or raise GSC_BACKLINKS_LOCK_TIMEOUT"
                    ) from None
                time.sleep(min(delay, max(deadline - time.monotonic(), 0.01)))
                delay = min(delay * 1.5, 0.5)
                continue
            text = str(exc)
            if "not a valid DuckDB database" in text or "Invalid Input" in text:
                raise StoreError(f"{path} is not a gsc-backlinks store (not a DuckDB database file); "
                                 "choose another --store") from None
            if "Permission denied" in text:
                raise permission_denied(Path(path), read_only=read_only) from None
            raise store_fault(exc, Path(path)) or StoreError(
                f"store {path} cannot be opened: {text.splitlines()[0]}") from None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK on any error (Ctrl-C included): all of it or none."""
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed statement or commit may have ended the transaction already: the first error counts
        raise
    con.execute("COMMIT")


def unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Unregister a view of an Arrow table; after a failed statement DuckDB refuses that until the
    rollback, which comes next and drops it anyway."""
    import duckdb

    try:
        con.unregister(name)
    except duckdb.Error:
        pass
