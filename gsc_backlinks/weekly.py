"""The weekly job: new exports in, search data synced, the HTML report written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .dates import Period, to_pacific
from .errors import GscBacklinksError, UsageError

EXPORT_SUFFIXES = (".csv", ".xlsx", ".zip")
#: Days of search data the report shows (8 weeks) plus the week before, plus Search Console's lag.
SYNC_DAYS = 7 * 9 + 4


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
    from .exports.kinds import FILENAME_RE, KINDS, kinds_from_title
    from .exports.reader import names_property
    from .importing import import_paths
    from .urls import parse_property, printable

    prop = parse_property(site)
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


@dataclass
class WeeklyResult:
    index: Path
    period: Period
    pages: int  #: HTML files written, index included
    notices: tuple[str, ...] = ()  #: what the report says about its own data (not final, days missing…)


def write_weekly(store_path: Path, site: str, out_dir: Path, *, now: dt.datetime, week: Period | None = None,
                 notices: tuple[str, ...] = (), search_type: str = "web", brands: tuple[str, ...] = ()) -> WeeklyResult:
    """Build the weekly report from the store and write it under ``out_dir/<property>/<end date>/``."""
    from .report.build import Options, build_weekly, property_slug
    from .report.render import write_report
    from .store import open_store

    local = to_pacific(now)
    opts = Options(site=site, now=local, week=week, search_type=search_type, notices=notices, brands=brands)
    with open_store(store_path) as con:
        report, period = build_weekly(con, opts)
    folder = Path(out_dir).expanduser() / property_slug(site) / period.end.isoformat()
    index = write_report(report, folder)
    own = tuple(n for n in report.index.notices if n not in notices)
    return WeeklyResult(index, period, 1 + len(report.pages), own)
