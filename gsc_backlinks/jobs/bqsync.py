"""Sync search data from the BigQuery bulk export into the store, day by day.

1. ``ExportLog`` says which days both tables were published for, at which version;
   a day held from the bulk export at that version is not asked again, a day
   re-published since (or held from the API, which caps and leaves out rows) is.
2. The dataset is checked to be this property's export (one partition of the site
   table), beside 3.
3. Every day's query is dry-run first, all of them before any runs: a day above
   the cap stops the sync before anything is billed.
4. Days are queried a few at once (one query per day, aggregated in BigQuery) and
   written whole as they arrive, the finished ones per transaction: an interrupted
   sync keeps complete days and the next run resumes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..bigquery import BulkDay, BulkExport, export_search_type
from ..dates import pacific_now, utc_now
from ..errors import GscBacklinksError
from .sync import checked_range

SOURCE = "bigquery"


@contextmanager
def bulk_export(project: str, dataset: str, *, location: str | None, max_gb: float,
                on_estimate: Callable[[str, int], None] | None = None) -> Iterator[BulkExport]:
    """The bulk export with the saved authorization (BigQuery read-only); a refreshed token is saved afterwards."""
    from .. import auth

    creds = auth.credentials(bigquery=True)
    try:
        yield BulkExport(creds, project, dataset, location=location, max_gb=max_gb, on_estimate=on_estimate)
    finally:
        auth.save_if_refreshed(creds)


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class BigQuerySyncReport:
    site: str
    search_type: str
    dataset: str  #: project:dataset
    start: dt.date | None
    end: dt.date | None
    published: int = 0  #: days in the range ExportLog lists for both tables
    stored: list[dt.date] = field(default_factory=list)
    republished: list[dt.date] = field(default_factory=list)  #: held from the export at an older version
    replaced_api: list[dt.date] = field(default_factory=list)  #: held from the Search Console API before
    already_current: int = 0  #: held from the export at the published version: not queried
    partly_published: list[dt.date] = field(default_factory=list)  #: one table only so far: next time
    page_rows: int = 0
    query_rows: int = 0
    rows_received: int = 0
    queries: int = 0  #: real queries run (each first dry-run)
    bytes_estimated: int = 0  #: the dry runs' estimates, all queries
    largest_estimate: int = 0
    bytes_processed: int = 0
    bytes_billed: int = 0
    anonymized_clicks: int = 0
    anonymized_impressions: int = 0


def plan_text(report: BigQuerySyncReport, max_gb: float) -> str:
    """The one line a sync says once its dry runs are done (``on_plan``): the queries to run and what they read."""
    from ..bigquery import size_text

    n = report.published - report.already_current
    return (f"BigQuery dry runs: {n} quer{'y' if n == 1 else 'ies'} would read {size_text(report.bytes_estimated)} in "
            f"all (the largest {size_text(report.largest_estimate)}; cap {max_gb:g} GB per query)")


def _held(store_path: Path, site: str, search_type: str) -> dict:
    """What the store holds (nothing when there is no store yet: a failed sync must not create one)."""
    from ..store import open_current
    from ..store.search import search_day_versions

    with open_current(store_path) as con:
        return search_day_versions(con, site, search_type) if con is not None else {}


def sync_bigquery(
    export: BulkExport,
    store_path: Path,
    site: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    days: int | None = None,
    search_type: str = "web",
    workers: int = 4,
    progress: Progress | None = None,
    today: dt.date | None = None,
    on_plan: Callable[[BigQuerySyncReport], None] | None = None,
    on_day: Callable[[BulkDay], None] | None = None,
) -> BigQuerySyncReport:
    """Store every published day of the range not held at its export version, whole.

    ``on_plan`` hears the report once the dry runs are done (what will be queried and its estimate);
    ``on_day`` each day once it is stored (progress in words, where no bar can be drawn).
    """

    export_search_type(search_type)  # a wrong type is a typo: before any request
    today = today or pacific_now().date()
    start, end = checked_range(today, start=start, end=end, days=days)
    report = BigQuerySyncReport(site, search_type, export.name, start, end)
    held = _held(store_path, site, search_type)

    log = export.export_log(start, end)
    report.published = len(log.days)
    report.partly_published = list(log.partial)
    wanted: dict[dt.date, int] = {}
    for day, exported in log.days.items():
        source, version = held.get(day, (None, None))
        if source == SOURCE and version == exported.epoch_version:
            report.already_current += 1
            continue
        wanted[day] = exported.epoch_version
        if source == SOURCE:
            report.republished.append(day)
        elif source is not None:
            report.replaced_api.append(day)
    if not wanted:
        return report

    order = sorted(wanted, reverse=True)  # newest first: the days a report needs most
    workers = max(1, min(workers, len(order)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gsc-bq")
    if progress:
        progress.start(2 * len(order))  # a dry run and a query per day
    try:
        # The property check runs beside the dry runs; every dry run before any query: a day above
        # the cap stops the sync before anything is billed.
        check = pool.submit(export.check_property, site, order[0])
        shared = export.by_property
        estimates = _estimate(export, pool, order, search_type, progress)
        check.result()
        if export.by_property != shared:  # a dataset of several properties: its queries filter on site_url
            estimates = _estimate(export, pool, order, search_type, None)
        report.bytes_estimated = sum(estimates.values())
        report.largest_estimate = max(estimates.values(), default=0)
        if on_plan:
            on_plan(report)
        _fetch(export, pool, order, wanted, search_type, store_path, site, report, progress, on_day)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if progress:
            progress.stop()
        report.queries = export.jobs
        report.bytes_processed = export.bytes_processed
        report.bytes_billed = export.bytes_billed
        report.stored.sort()
    return report


def _estimate(export: BulkExport, pool: ThreadPoolExecutor, order: list[dt.date], search_type: str,
              progress: Progress | None) -> dict[dt.date, int]:
    """Dry runs of every day's query, a few at once."""
    estimates = {}
    futures = {pool.submit(export.estimate_days, day, day, search_type): day for day in order}
    try:
        for fut in _as_done(futures):
            estimates[futures[fut]] = fut.result()
            if progress:
                progress.advance()
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return estimates


def _as_done(futures: dict):
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        yield from done


def _fetch(export: BulkExport, pool: ThreadPoolExecutor, order: list[dt.date], wanted: dict[dt.date, int],
           search_type: str, store_path: Path, site: str, report: BigQuerySyncReport,
           progress: Progress | None, on_day: Callable[[BulkDay], None] | None = None) -> None:
    """Query the days a few at once; write the finished ones, whole, per transaction."""
    from ..store import open_store
    from ..store.search import save_search_days

    futures: dict[Future, dt.date] = {
        pool.submit(export.fetch_days, day, day, search_type, {day: wanted[day]}): day for day in order}
    error: BaseException | None = None
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            finished: list[BulkDay] = []
            for fut in done:
                try:
                    finished.extend(fut.result())
                except GscBacklinksError as exc:
                    error = error or exc
            if finished:
                with open_store(store_path, write=True) as con:
                    save_search_days(con, site, search_type, [d.result for d in finished], fetched_at=utc_now(),
                                     source=SOURCE, epoch_versions={d.result.day: d.epoch_version for d in finished})
                for d in finished:
                    report.stored.append(d.result.day)
                    report.page_rows += d.result.page_count
                    report.query_rows += d.result.query_count
                    report.rows_received += d.rows_received
                    report.anonymized_clicks += int(d.anonymized.get("clicks") or 0)
                    report.anonymized_impressions += int(d.anonymized.get("impressions") or 0)
                    if progress:
                        progress.advance()
                    if on_day:
                        on_day(d)
            if error is not None:  # queued days are dropped; the ones being queried are still kept
                for fut in pending:
                    fut.cancel()
                pending = {fut for fut in pending if not fut.cancelled()}
    finally:  # also on Ctrl-C: queries on the wire finish, queued ones are dropped, whole days are kept
        for fut in pending:
            fut.cancel()
    if error is not None:
        if isinstance(error, GscBacklinksError) and error.args:
            kept = f"{len(report.stored)} complete days were stored; `gsc-backlinks sync --source bigquery` resumes from there"
            error.args = (f"{error.args[0]} ({kept})",)
        raise error
