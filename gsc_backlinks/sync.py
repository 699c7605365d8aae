"""Pull search performance from the Search Console API into the store, day by day.

Per day three levels are kept, so totals match Search Console although query
rows leave out anonymized queries: the property total (``date``), page totals
(``page``) and page x query rows (``page``, ``query``).

* Which days are final comes from two cheap ``date`` queries over the range
  (``dataState`` final and all); days held as final are never asked again,
  fresh days are stored as fresh and fetched again until final.
* Days are fetched by a few threads at once (one HTTP client each), pages of
  25,000 rows by ``startRow`` until a short page; a day that reaches the API's
  50,000-row cap is flagged as truncated.
* Days are written whole, a batch per transaction: an interrupted sync (Ctrl-C,
  a quota stop, a crash) leaves only complete days, and the next run resumes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import urls
from .api import DAY_ROW_CAP, Api
from .errors import GscBacklinksError, UsageError

PACIFIC = "America/Los_Angeles"
HISTORY_MONTHS = 16  #: how far back Search Console keeps performance data
SEARCH_TYPES = ("web", "image", "video", "news", "discover", "googleNews")


def pacific_now() -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(PACIFIC))


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for dom in range(day.day, 0, -1):
        try:
            return dt.date(year, month, dom)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def stop(self) -> None: ...


@dataclass
class DayResult:
    day: dt.date
    state: str  #: "final" or "fresh"
    totals: dict
    pages: list[tuple] = field(default_factory=list)  #: (page, clicks, impressions, ctr, position)
    queries: list[tuple] = field(default_factory=list)  #: (page, query, clicks, impressions, ctr, position)
    pages_truncated: bool = False
    queries_truncated: bool = False


@dataclass
class SyncReport:
    site: str
    search_type: str
    start: dt.date
    end: dt.date
    already_final: int = 0  #: days in the range held as final: not asked again
    final_days: int = 0  #: days fetched (or found empty) and stored as final
    fresh_days: int = 0  #: days stored as fresh (re-fetched next time)
    no_data_yet: list[dt.date] = field(default_factory=list)  #: recent days Google has nothing for yet
    truncated: list[dt.date] = field(default_factory=list)
    page_rows: int = 0
    query_rows: int = 0
    requests: int = 0
    retries: int = 0
    newest_final: dt.date | None = None
    stopped: str | None = None  #: why the sync stopped early, if it did


def _metrics(row: dict) -> tuple[int, int, float | None, float | None]:
    return (
        int(round(row.get("clicks", 0) or 0)),
        int(round(row.get("impressions", 0) or 0)),
        row.get("ctr"),
        row.get("position"),
    )


def resolve_range(
    held_final: set[dt.date], today: dt.date, *, start: dt.date | None, end: dt.date | None, days: int | None
) -> tuple[dt.date, dt.date]:
    """The day range a sync covers (Pacific Time dates, inclusive)."""
    earliest = months_before(today, HISTORY_MONTHS)
    if days is not None:
        if start or end:
            raise UsageError("give either --days or --start/--end, not both")
        if days < 1:
            raise UsageError("--days must be at least 1")
        return max(earliest, today - dt.timedelta(days=days - 1)), today
    end = end or today
    start = start or earliest
    if end > today:
        raise UsageError(f"--end {end} is in the future (today is {today} in Pacific Time, as Search Console counts days)")
    if start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    if start < earliest:
        start = earliest  # Google keeps no older data: nothing to ask for
    return start, end


def fetch_day(api: Api, site: str, day: dt.date, state: str, totals: dict, search_type: str) -> DayResult:
    """Page totals and page x query rows of one day, every page of them."""
    body = {
        "startDate": day.isoformat(), "endDate": day.isoformat(), "type": search_type,
        "dataState": "final" if state == "final" else "all",
    }
    page_rows = api.query_all(site, {**body, "dimensions": ["page"]})
    query_rows = api.query_all(site, {**body, "dimensions": ["page", "query"]})
    result = DayResult(day, state, totals)
    for row in page_rows:
        keys = row.get("keys") or [""]
        result.pages.append((urls.canonical_url(str(keys[0])), *_metrics(row)))
    for row in query_rows:
        keys = list(row.get("keys") or []) + ["", ""]
        result.queries.append((urls.canonical_url(str(keys[0])), str(keys[1]), *_metrics(row)))
    result.pages_truncated = len(page_rows) >= DAY_ROW_CAP
    result.queries_truncated = len(query_rows) >= DAY_ROW_CAP
    return result


def sync(
    api: Api,
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
    flush_seconds: float = 2.0,
) -> SyncReport:
    """Fetch every day of the range not held as final; store each day whole."""
    from . import store

    if search_type not in SEARCH_TYPES:
        raise UsageError(f"--type must be one of {', '.join(SEARCH_TYPES)}")
    today = today or pacific_now().date()
    with store.open_store(store_path, write=True) as con:
        held = store.final_search_days(con, site, search_type)
    start, end = resolve_range(held, today, start=start, end=end, days=days)
    report = SyncReport(site, search_type, start, end)
    sent_before, retries_before = api.requests_sent, api.retries
    all_days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    wanted = [d for d in all_days if d not in held]
    report.already_final = len(all_days) - len(wanted)
    if not wanted:
        return report

    lo, hi = min(wanted), max(wanted)
    date_body = {"startDate": lo.isoformat(), "endDate": hi.isoformat(), "dimensions": ["date"], "type": search_type}
    final_totals = {r["keys"][0]: r for r in api.query_all(site, {**date_body, "dataState": "final"})}
    all_totals = {r["keys"][0]: r for r in api.query_all(site, {**date_body, "dataState": "all"})}
    newest_final = max([dt.date.fromisoformat(k) for k in final_totals] + [d for d in held], default=None)
    report.newest_final = newest_final

    jobs: list[tuple[dt.date, str, dict]] = []
    empty_final: list[DayResult] = []
    for day in sorted(wanted, reverse=True):  # newest first: the days a report needs most
        key = day.isoformat()
        if key in final_totals:
            jobs.append((day, "final", final_totals[key]))
        elif key in all_totals:
            jobs.append((day, "fresh", all_totals[key]))
        elif newest_final and day < newest_final:
            empty_final.append(DayResult(day, "final", {}))  # final and empty: nothing to ask for
        else:
            report.no_data_yet.append(day)

    pending: list[DayResult] = list(empty_final)
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal pending, last_flush
        if pending:
            store.save_search_days(store_path, site, search_type, pending, fetched_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
            for r in pending:
                if r.state == "final":
                    report.final_days += 1
                else:
                    report.fresh_days += 1
                if r.pages_truncated or r.queries_truncated:
                    report.truncated.append(r.day)
                report.page_rows += len(r.pages)
                report.query_rows += len(r.queries)
        pending = []
        last_flush = time.monotonic()

    if progress:
        progress.start(len(jobs))
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gsc-sync")
    futures: dict[Future, dt.date] = {}
    stop = threading.Event()
    error: BaseException | None = None
    try:
        queue = list(jobs)
        # Keep a bounded number of days in flight so a stop wastes little.
        while queue or futures:
            while queue and len(futures) < max(1, workers) * 2 and not stop.is_set():
                day, state, totals = queue.pop(0)
                futures[pool.submit(fetch_day, api, site, day, state, totals, search_type)] = day
            if not futures:
                break
            done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                futures.pop(fut)
                try:
                    pending.append(fut.result())
                except GscBacklinksError as exc:
                    if error is None:
                        error = exc
                    stop.set()
                    queue.clear()
                if progress:
                    progress.advance(f"{site} {futures and min(futures.values()) or ''}")
            if pending and (time.monotonic() - last_flush >= flush_seconds or len(pending) >= 30):
                flush()
    except KeyboardInterrupt:
        stop.set()
        for fut in futures:
            fut.cancel()
        # Requests already on the wire finish; their days are kept if whole.
        for fut in list(futures):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                pending.append(fut.result())
        flush()  # every day fetched whole so far is kept
        pool.shutdown(wait=False, cancel_futures=True)
        if progress:
            progress.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    flush()
    if progress:
        progress.stop()
    report.requests = api.requests_sent - sent_before
    report.retries = api.retries - retries_before
    report.truncated.sort()
    if error is not None:
        stored = report.final_days + report.fresh_days
        if isinstance(error, GscBacklinksError):
            error.args = (f"{error.args[0]} ({stored} complete days were stored; `gsc-backlinks sync` resumes from there)",)
        raise error
    return report
