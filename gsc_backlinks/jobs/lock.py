"""The run lock: one file lock beside the store, so two scheduled runs never overlap.

``fcntl.flock`` on ``<store>.run.lock``: the kernel lets it go when the
process ends, however it ends, so a lock is never left behind by a crash.
The file holds the holder's pid, start time and command, so a second run can
say which run holds it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import GscBacklinksError, RunLockedError

POLL = 0.2  #: seconds between two tries while waiting


def lock_path(store_path: Path) -> Path:
    return Path(f"{store_path}.run.lock")


def _holder(fd: int) -> str:
    """Who holds the lock, as its file says it ("pid 123, started 2026-11-24 06:00 UTC: report weekly --all")."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "a run that has not said who it is yet"
    started = str(info.get("started", "?"))
    return f"pid {info['pid']}, started {started}" + (f" ({info['command']})" if info.get("command") else "")


@contextmanager
def run_lock(store_path: Path, *, wait: float = 0, command: str = "") -> Iterator[None]:
    """Hold the run lock of this store for the block; wait up to ``wait`` seconds for another run to end,
    then raise RunLockedError saying which run holds it."""
    import fcntl

    path = lock_path(store_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise GscBacklinksError(f"cannot create the run lock {path}: {exc.strerror or exc} (it goes beside the "
                                "store: choose a --store in a folder you may write to)") from None
    try:
        deadline = time.monotonic() + max(wait, 0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait:g} s)" if wait else ""
                    raise RunLockedError(
                        f"another run is under way on store {store_path}: {_holder(fd)}{waited}; it ends by itself "
                        "(a lock is let go when its process ends); wait for it, or give --wait SECONDS") from None
                time.sleep(min(POLL, max(deadline - time.monotonic(), 0.01)))
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started, "command": command}).encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # the next run reads no stale holder; the lock itself goes with the close
    finally:
        os.close(fd)
