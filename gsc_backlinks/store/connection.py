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

    timeout = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
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
            if "not a valid DuckDB database" in text or "Invalid Input" in text or "Serialization" in text:
                raise StoreError(f"{path} is not a gsc-backlinks store (not a DuckDB database file); "
                                 "choose another --store") from None
            if "Permission denied" in text:
                raise StoreError(f"store {path} cannot be opened: permission denied") from None
            raise StoreError(f"store {path} cannot be opened: {text.splitlines()[0]}") from None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK on any error (Ctrl-C included): all of it or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
