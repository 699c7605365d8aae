"""The import job: paths in, snapshots in the store, a report of what happened."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import urls
from ..dates import utc_now
from ..errors import GscBacklinksError, UnknownExportError, UsageError
from ..exports import Limits, collect, import_arrow_beside, parse_export
from ..exports.reader import merged_note, snapshot_date_for
from ..store.snapshots import ImportResult
from ..store.vendors import VendorImport


@dataclass(frozen=True)
class ImportReport:
    site: str
    results: list[ImportResult | VendorImport]  #: in the order of the files
    skipped: list[str]  #: files in folders that are not CSV/XLSX/ZIP
    unknown: list[str]  #: files left out with --skip-unknown, with the reason


def import_paths(
    paths: list[str | os.PathLike],
    site: str,
    store_path: Path,
    *,
    target: str | None = None,
    date: dt.date | None = None,
    skip_unknown: bool = False,
    limits: Limits | None = None,
    now: dt.datetime | None = None,
    competitor: str | None = None,
) -> ImportReport:
    """Read every export under ``paths`` and store each as a dated snapshot.

    Search Console's Links exports and third-party backlink exports (Ahrefs, Semrush, Majestic, Moz,
    Bing) are told apart by their header rows; ``competitor`` says third-party exports are of that
    competitor's links.  Every file is read and checked before the store is opened for writing, and all
    of them are written in one transaction: on any error the store is as it was.  A file whose content
    the store holds already is not parsed again.
    """
    from ..exports import thirdparty
    from ..store import open_current, open_store, transaction
    from ..store.snapshots import bulk_write_settings, held_imports, write_snapshots
    from ..store.vendors import held_vendor_imports, maybe_held_vendor_files, save_vendor_imports

    prop = urls.parse_property(site)
    target_url = urls.page_in_property(target, prop, option="--target") if target else None
    rival = thirdparty.competitor_domain(competitor) if competitor is not None else None
    import_arrow_beside()  # while the files are read from disk
    collected = collect(paths, limits)
    vendors = {raw.display: thirdparty.vendor_of(raw) for raw in collected.files}
    for raw in collected.files:
        found = vendors[raw.display]
        if found and target_url:
            raise UsageError(f"{raw.display}: --target is for Search Console's drill-down exports; this is "
                             f"{found.label}, whose rows name their target pages")
        if not found and rival:
            raise UsageError(f"{raw.display}: --competitor is for third-party exports (Ahrefs, Semrush, Majestic, "
                             "Moz, Bing); a Search Console export is always of your own property")
    # Hashed now, while Arrow is still being imported; files held already (the same content, date and target)
    # are not parsed again.  Looking never creates or migrates a store: the import finds those as it writes.
    with open_current(store_path) as con:
        keys = {raw.display: (raw.content_hash, snapshot_date_for(raw, date)[0], target_url)
                for raw in collected.files if not vendors[raw.display]}
        held: dict[str, ImportResult | VendorImport] = {}
        if con:
            held.update(held_imports(con, prop.site, keys))
            # A third-party export (often a million rows) is hashed whole only when its size and first MiB match
            # a held one; a new file is hashed beside its parse instead.
            others = [raw for raw in collected.files if vendors[raw.display]]
            maybe = maybe_held_vendor_files(con, prop.site, [raw.quick_key for raw in others])
            vendor_keys = {raw.display: (raw.content_hash, thirdparty.snapshot_date_for(raw, date)[0], rival or "")
                           for raw in others if raw.quick_key in maybe}
            held.update(held_vendor_imports(con, prop.site, vendor_keys))
    parsed = []
    parsed_vendor = []
    unknown = []
    in_order: list[ImportResult | VendorImport | str] = []  # "search console"/"vendor": the next result written
    for raw in collected.files:
        if raw.display in held:
            in_order.append(held[raw.display])
            continue
        try:
            if vendors[raw.display]:
                parsed_vendor.append(thirdparty.parse_vendor_export(
                    raw, site=prop, competitor=rival, date_option=date))
                in_order.append("vendor")
            else:
                parsed.append(parse_export(raw, prop, target=target_url, date_option=date))
                in_order.append("search console")
        except UnknownExportError as exc:
            if not skip_unknown:
                raise
            unknown.append(str(exc))
        raw.data = b""  # parsed rows are all we keep: a big file's bytes need not stay in memory
    saved_results: list[ImportResult] = []
    saved_vendor: list[VendorImport] = []
    if parsed or parsed_vendor:
        stamp = now or utc_now()
        with open_store(store_path, write=True) as con:
            bulk_write_settings(con)
            with transaction(con):
                saved_results = write_snapshots(con, prop.site, parsed, now=stamp)
                saved_vendor = save_vendor_imports(con, prop.site, parsed_vendor, now=stamp)
    saved = iter(_with_merge_note(r) for r in saved_results)
    saved_v = iter(_with_unchanged_note(r) for r in saved_vendor)
    results = [r if not isinstance(r, str) else next(saved) if r == "search console" else next(saved_v)
               for r in in_order]
    return ImportReport(prop.site, results, collected.skipped, unknown)


def _with_unchanged_note(result: VendorImport) -> VendorImport:
    if not result.same_as:
        return result
    sid, day = result.same_as
    return dataclasses.replace(result, notes=(*result.notes, f"unchanged since {day} (the same content as "
                                              f"snapshot #{sid})"))


def _with_merge_note(result: ImportResult) -> ImportResult:
    notes = result.notes
    if result.merged_rows:
        notes += (merged_note(result.merged_rows),)
    if result.same_as:
        sid, day = result.same_as
        notes += (f"unchanged since {day} (the same content as snapshot #{sid}): kept as the snapshot of "
                  f"{result.snapshot_date}, so reports see that nothing changed",)
    return dataclasses.replace(result, notes=notes) if notes != result.notes else result


# --- new exports in a folder (the weekly job's first step) -------------------------------------------

EXPORT_SUFFIXES = (".csv", ".xlsx", ".zip")


@dataclass
class ExportScan:
    imported: list = field(default_factory=list)  #: ImportResults of new snapshots
    held: int = 0  #: files already in the store
    other_property: int = 0  #: Links exports of other properties, left alone
    needs_target: list[str] = field(default_factory=list)  #: drill-down exports: import them with --target
    problems: list[str] = field(default_factory=list)  #: files that could not be read (one line each)


def import_new_exports(folder: str | Path, site: str, store_path: Path) -> ExportScan:
    """Import the Links exports of this property found in a folder (e.g. Downloads).

    Only files named the way Search Console names them for this property are
    looked at; each is imported on its own, so one broken file does not stop
    the others (or the report), and files already held are skipped.
    """
    from ..exports.kinds import FILENAME_RE, KINDS, kinds_from_title
    from ..exports.reader import names_property
    from ..text import printable

    prop = urls.parse_property(site)
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise UsageError(f"--exports {folder}: not a folder; give the folder your browser downloads to")
    scan = ExportScan()
    try:
        names = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES)
    except OSError as exc:
        raise GscBacklinksError(f"--exports {folder}: cannot list it ({exc.strerror or exc})") from None
    for path in names:
        match = FILENAME_RE.match(path.name)
        if not match:
            continue
        if not names_property(match.group("property"), prop):  # the rule `import` checks names by
            scan.other_property += 1
            continue
        kinds = kinds_from_title(path.name)
        if kinds and all(KINDS[k].drill_down for k in kinds):
            scan.needs_target.append(path.name)
            continue
        try:
            report = import_paths([str(path)], site, store_path, skip_unknown=True)
        except GscBacklinksError as exc:
            scan.problems.append(printable(str(exc)))
            continue
        for r in report.results:
            if r.duplicate_of:
                scan.held += 1
            else:
                scan.imported.append(r)
    return scan
