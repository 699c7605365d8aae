"""The import job: paths in, snapshots in the store, a report of what happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import store, urls
from .errors import UnknownExportError
from .exports import Limits, collect, import_arrow_beside, parse_export, parse_target
from .store import ImportResult


@dataclass(frozen=True)
class ImportReport:
    site: str
    results: list[ImportResult]
    skipped: list[str]  #: files in folders that are not CSV/XLSX/ZIP
    unknown: list[str]  #: files left out with --skip-unknown, with the reason


def import_paths(
    paths: list[str],
    site: str,
    store_path: Path,
    *,
    target: str | None = None,
    date: dt.date | None = None,
    skip_unknown: bool = False,
    limits: Limits | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Read every export under ``paths`` and store each as a dated snapshot.

    Every file is read and checked before the store is opened for writing, and
    all of them are written in one transaction: on any error the store is as it
    was.  A file whose content the store holds already is not parsed again.
    """
    prop = urls.parse_property(site)
    target_url = parse_target(target, prop) if target else None
    import_arrow_beside()  # while the files are read from disk
    collected = collect(paths, limits)
    # Hashed now, while Arrow is still being imported; files held already are not parsed again.
    held = store.held_imports(store_path, prop.site, {raw.display: raw.content_hash for raw in collected.files})
    parsed = []
    unknown = []
    in_order: list[ImportResult | None] = []  # None: the next result of save_imports
    for raw in collected.files:
        if raw.display in held:
            in_order.append(held[raw.display])
            continue
        try:
            parsed.append(parse_export(raw, prop, target=target_url, date_option=date))
            in_order.append(None)
        except UnknownExportError as exc:
            if not skip_unknown:
                raise
            unknown.append(str(exc))
        raw.data = b""  # parsed rows are all we keep: a big file's bytes need not stay in memory
    saved = iter(store.save_imports(store_path, prop.site, parsed, now=now) if parsed else [])
    results = [r if r is not None else next(saved) for r in in_order]
    return ImportReport(prop.site, results, collected.skipped, unknown)
