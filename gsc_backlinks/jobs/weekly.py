"""The weekly job: new exports in, search data synced (or not, and why), the HTML report written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import Period, to_pacific
from ..errors import GscBacklinksError
from .importing import ExportScan

if TYPE_CHECKING:
    from ..analysis.value import Valuer
    from ..analysis.week import WeekInLinks
    from ..config import BigQuerySource
    from ..report.portfolio import PropertyRow
    from .bqsync import BigQuerySyncReport
    from .sync import SyncReport

#: Days of search data the report shows (8 weeks) plus the week before, plus Search Console's lag.
SYNC_DAYS = 7 * 9 + 4


def _quiet(text: str) -> None:
    """The default for a job's progress lines: say nothing."""


@dataclass(frozen=True)
class WeeklyResult:
    index: Path
    period: Period
    pages: int  #: HTML files written, index included
    notices: tuple[str, ...] = ()  #: what the report says about its own data (not final, days missing…)
    week: WeekInLinks | None = None  #: "This week in links", as the report's first screen tells it (the mail reads it)
    row: PropertyRow | None = None  #: the property's line on the portfolio page


def store_ratings(store_path: Path, valuer: Valuer) -> None:
    """Keep the relevance a Valuer computed, so the next view reads it; a store that cannot be written
    to now (busy, read-only) only means it is computed again next time."""
    from ..store import open_store

    if not valuer.pending:
        return
    try:
        with open_store(store_path, write=True, timeout=2) as con:
            valuer.save(con)
    except GscBacklinksError:
        pass


def write_weekly(store_path: Path, site: str, out_dir: Path, *, now: dt.datetime, week: Period | None = None,
                 notices: tuple[str, ...] = (), search_type: str = "web", brands: tuple[str, ...] = ()) -> WeeklyResult:
    """Build the weekly report from the store and write it under ``out_dir/<property>/<end date>/``."""
    from ..analysis.weekly import collect_weekly
    from ..report.lists import LIST_ROWS
    from ..report.portfolio import property_row
    from ..report.render import write_report
    from ..report.weekly import property_slug, weekly_report
    from ..store import open_store

    local = to_pacific(now)
    with open_store(store_path) as con:
        data, valuer = collect_weekly(con, site, today=local.date(), week=week, search_type=search_type,
                                      brands=brands, change_rows=LIST_ROWS)
    store_ratings(store_path, valuer)
    report = weekly_report(data, now=local, notices=notices)
    folder = Path(out_dir).expanduser() / property_slug(site) / data.period.end.isoformat()
    index = write_report(report, folder)
    own = tuple(n for n in report.index.notices if n not in notices)
    return WeeklyResult(index, data.period, 1 + len(report.pages), own, data.week,
                        property_row(data, index, today=local.date()))


def synced_text(site: str, rep) -> str:
    """What a sync for the report did, in one line (from the API, or from the BigQuery bulk export)."""
    if hasattr(rep, "already_current"):
        return (f"Synced {site} from the BigQuery bulk export: {len(rep.stored)} days stored, {rep.already_current} "
                "already at their export version")
    return (f"Synced {site}: {rep.final_days + rep.fresh_days} days fetched, {rep.already_final} already final"
            + (f", newest final day {rep.newest_final}" if rep.newest_final else ""))


@dataclass(frozen=True)
class SyncOutcome:
    report: SyncReport | BigQuerySyncReport | None  #: when it synced
    problem: str | None  #: why it did not (one line, said in the report too)
    plan: str | None = None  #: a BigQuery sync's dry runs: what its queries would read (as `sync` says it)


def sync_for_report(store_path: Path, site: str, now: dt.datetime, bigquery: BigQuerySource | None = None) -> SyncOutcome:
    """Sync the days the report needs (from the API, or the property's BigQuery bulk export); on any problem say
    why, and go on with what the store holds."""
    from .. import auth
    from ..text import printable
    from .google import google_api
    from .sync import sync

    if auth.saved() is None:  # the token file or GOOGLE_APPLICATION_CREDENTIALS
        return SyncOutcome(None, f"Search data not synced: not authorized with Google (run "
                                 f"`{auth.login_command(bigquery is not None)}`); the report uses what the store holds.")
    report: SyncReport | BigQuerySyncReport
    plan: list[str] = []  # the dry runs' line, also when a query fails after them
    try:
        if bigquery is not None:
            from ..bigquery import check_cap, check_names
            from ..bqsettings import DEFAULT_DATASET, DEFAULT_MAX_GB
            from ..urls import parse_property
            from .bqsync import bulk_export, plan_text, sync_bigquery

            dataset = bigquery.dataset or DEFAULT_DATASET
            max_gb = DEFAULT_MAX_GB if bigquery.max_gb is None else bigquery.max_gb
            check_names(bigquery.project, dataset, bigquery.location)
            check_cap(max_gb)
            with bulk_export(bigquery.project, dataset, location=bigquery.location, max_gb=max_gb) as export:
                report = sync_bigquery(export, store_path, parse_property(site).site, days=SYNC_DAYS,
                                       today=to_pacific(now).date(),
                                       on_plan=lambda r: plan.append(plan_text(r, max_gb)))
        else:
            with google_api(site) as (api, _):
                report = sync(api, store_path, site, days=SYNC_DAYS, today=to_pacific(now).date())
    except GscBacklinksError as exc:
        return SyncOutcome(None, f"Search data not synced: {printable(str(exc))}. The report uses what the store holds.",
                           plan[0] if plan else None)
    return SyncOutcome(report, None, plan[0] if plan else None)


def import_step(store_path: Path, site: str, exports_dir: str | Path, notices: list[str], *,
                say: Callable[[str], None] = _quiet, warn: Callable[[str], None] = _quiet) -> ExportScan:
    """The weekly job's first step: import the property's new exports from a folder, saying what was done;
    an export that cannot be read is added to ``notices`` (the report says so) and the others go on."""
    from ..text import printable
    from .importing import import_new_exports

    scan = import_new_exports(exports_dir, site, store_path)
    say(f"Exports in {printable(str(exports_dir))}: {len(scan.imported)} new imported, {scan.held} already held"
        + (f", {scan.other_property} of other properties left alone" if scan.other_property else ""))
    for r in scan.imported:
        say(f"  + {printable(r.source)} ({r.rows:,} rows, {r.snapshot_date})")
    for name in scan.needs_target:
        warn(f"  skipped {printable(name)}: a drill-down export; import it with "
             f"`gsc-backlinks import FILE --site {site} --target URL`")
    for line in scan.problems:
        warn(f"  skipped: {line}")
        notices.append(f"An export in the exports folder could not be read: {line}")
    return scan


@dataclass(frozen=True)
class WeeklyRun:
    site: str  #: the property, as Search Console names it
    scan: ExportScan | None
    sync: SyncOutcome | None  #: None with offline
    result: WeeklyResult


def run_weekly(store_path: Path, site: str, out_dir: Path, *, now: dt.datetime, week: Period | None = None,
               exports_dir: str | None = None, offline: bool = False, brands: tuple[str, ...] = (),
               say: Callable[[str], None] = _quiet, warn: Callable[[str], None] = _quiet,
               bigquery: BigQuerySource | None = None) -> WeeklyRun:
    """The main job: import new exports from a folder, sync search data, write the weekly report.

    `say` gets progress lines, `warn` problems that did not stop the run (both one line each).
    """
    from ..urls import parse_property
    from .common import resolve_property

    prop = parse_property(site)
    notices: list[str] = []
    scan = import_step(store_path, prop.site, exports_dir, notices, say=say, warn=warn) if exports_dir else None
    outcome = None
    if offline:
        notices.append("Built with --offline: search data is what the store held, not synced now.")
    else:
        outcome = sync_for_report(store_path, prop.site, now, bigquery)
        if outcome.plan:
            say(outcome.plan)
        if outcome.problem:
            warn(outcome.problem)
            notices.append(outcome.problem)
        elif outcome.report is not None:
            say(synced_text(prop.site, outcome.report))
    resolve_property(store_path, prop.site)  # after import and sync: a typo in --site writes no empty report
    result = write_weekly(store_path, prop.site, Path(out_dir), now=now, week=week, notices=tuple(notices),
                          brands=brands)
    return WeeklyRun(prop.site, scan, outcome, result)
