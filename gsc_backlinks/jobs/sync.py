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
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Protocol

from .. import urls
from ..api import DAY_ROW_CAP, ROW_LIMIT, SEARCH_TYPES, Api
from ..dates import Period, months_before, pacific_now
from ..errors import ApiError, GscBacklinksError, UsageError
from ..searchdata import DayResult

HISTORY_MONTHS = 16  #: how far back Search Console keeps performance data


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...
    def stop(self) -> None: ...


def _columns(rows: list[dict], with_query: bool) -> dict:
    """API rows (their keys checked by fetch_page) as columns; each distinct page URL made canonical once."""
    keys = [row["keys"] for row in rows]
    raw_pages = [str(k[0]) for k in keys]
    canonical = {p: urls.canonical_url(p) for p in set(raw_pages)}
    columns: dict[str, list] = {"page": [canonical[p] for p in raw_pages]}
    if with_query:
        columns["query"] = [str(k[1]) for k in keys]
    for metric in ("clicks", "impressions", "ctr", "position"):
        columns[metric] = [row.get(metric) for row in rows]
    return columns


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


def checked_range(today: dt.date, *, start: dt.date | None, end: dt.date | None,
                  days: int | None) -> tuple[dt.date | None, dt.date | None]:
    """The range as given (None where not given), refused before any request when it cannot be meant."""
    if days is not None:
        if start or end:
            raise UsageError("give either --days or --start/--end, not both")
        if days < 1:
            raise UsageError("--days must be at least 1")
        return today - dt.timedelta(days=days - 1), today
    if end and end > today:
        raise UsageError(f"--end {end} is in the future (today is {today} in Pacific Time, as Search Console counts days)")
    if start and end and start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    return start, end


def resolve_range(
    today: dt.date, *, start: dt.date | None, end: dt.date | None, days: int | None
) -> tuple[dt.date, dt.date]:
    """The day range an API sync covers (Pacific Time dates, inclusive): at most the 16 months Google keeps."""
    earliest = months_before(today, HISTORY_MONTHS)
    given_start, given_end = checked_range(today, start=start, end=end, days=days)
    end = given_end or today
    start = given_start or earliest
    if start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    return max(start, earliest), end  # Google keeps no older data: nothing to ask for


PAGES = ("page",)
QUERIES = ("page", "query")


def _unexpected_rows(site: str, what: str) -> ApiError:
    return ApiError(f"Search Analytics query for {site}: Google answered {what}; run the command again later")


def fetch_page(api: Api, site: str, day: dt.date, state: str, dims: tuple[str, ...], start_row: int,
               search_type: str) -> list[dict]:
    """One page (up to 25,000 rows) of one day's page totals or page x query rows."""
    rows = api.query(site, {
        "startDate": day.isoformat(), "endDate": day.isoformat(), "type": search_type,
        "dataState": "final" if state == "final" else "all", "dimensions": list(dims),
        "rowLimit": ROW_LIMIT, "startRow": start_row,
    })
    for row in rows:
        keys = row.get("keys")
        if not isinstance(keys, list) or len(keys) != len(dims):
            raise _unexpected_rows(site, f"a row of {day} without its {' and '.join(dims)} keys")
    return rows


def day_totals(api: Api, site: str, body: dict) -> dict[dt.date, dict]:
    """The ``date`` rows of a query by day; a row without a date is an error, never a day without data."""
    totals: dict[dt.date, dict] = {}
    for row in api.query_all(site, body):
        keys = row.get("keys")
        try:
            day = dt.date.fromisoformat(keys[0])  # type: ignore[index]  # a bad shape is the except below
        except (TypeError, IndexError, KeyError, ValueError):
            raise _unexpected_rows(site, f"a total without a valid date ({str(keys)[:40]})") from None
        totals[day] = row
    return totals


class _Day:
    """One day being fetched: its pages as they arrive, in any order."""

    def __init__(self, day: dt.date, state: str, totals: dict):
        self.day, self.state, self.totals = day, state, totals
        self.pages: dict[tuple, dict[int, list]] = {PAGES: {}, QUERIES: {}}
        self.asked: dict[tuple, set[int]] = {PAGES: set(), QUERIES: set()}

    def _walk(self, dims: tuple) -> tuple[int, bool]:
        """(first startRow not received yet, whether a short page ended the rows before it)."""
        got, start = self.pages[dims], 0
        while start in got:
            if len(got[start]) < ROW_LIMIT:
                return start, True
            start += ROW_LIMIT
        return start, False

    def next_start(self, dims: tuple) -> int | None:
        """The next page to ask for, if the pages so far are all full and it is not asked yet."""
        start, ended = self._walk(dims)
        return None if ended or start in self.asked[dims] else start

    def done(self, dims: tuple) -> bool:
        return self._walk(dims)[1]

    def rows(self, dims: tuple) -> int:
        return sum(map(len, self.pages[dims].values()))

    def result(self) -> DayResult:
        page_rows = [r for s in sorted(self.pages[PAGES]) for r in self.pages[PAGES][s]]
        query_rows = [r for s in sorted(self.pages[QUERIES]) for r in self.pages[QUERIES][s]]
        return DayResult(
            self.day, self.state, self.totals, _columns(page_rows, False), _columns(query_rows, True),
            pages_truncated=len(page_rows) >= DAY_ROW_CAP, queries_truncated=len(query_rows) >= DAY_ROW_CAP,
        )


class _Writer(threading.Thread):
    """Writes finished days in the background, a batch per transaction, so fetching never waits."""

    def __init__(self, store_path: Path, site: str, search_type: str):
        super().__init__(name="gsc-sync-writer", daemon=True)
        self.store_path, self.site, self.search_type = store_path, site, search_type
        self.inbox: SimpleQueue = SimpleQueue()
        self.stored: list[DayResult] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from ..store import open_store
        from ..store.search import save_search_days

        finished = False
        while not finished:
            batch = [self.inbox.get()]
            while len(batch) < 30 and not self.inbox.empty():
                batch.append(self.inbox.get())
            if batch[-1] is None:
                finished = True
                batch.pop()
            if not batch or self.error is not None:
                continue
            try:
                results = [b if isinstance(b, DayResult) else b.result() for b in batch]
                with open_store(self.store_path, write=True) as con:
                    save_search_days(con, self.site, self.search_type, results,
                                     fetched_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
                self.stored.extend(results)
            except BaseException as exc:  # noqa: BLE001  (handed to the main thread, which raises it)
                self.error = exc

    def finish(self) -> None:
        if self.is_alive():
            self.inbox.put(None)
            self.join()


def sync(
    api: Api,
    store_path: Path,
    site: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    days: int | None = None,
    search_type: str = "web",
    workers: int = 8,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> SyncReport:
    """Fetch every day of the range not held as final; store each day whole.

    Work is scheduled page by page: a day's page totals and page x query rows
    are fetched side by side, the next page of a full one is asked for at once,
    and when earlier days needed several pages the later pages of a day are
    asked for up front (a page found empty costs one cheap request).
    """
    from ..store import open_store
    from ..store.search import final_search_days, typical_day_rows

    if search_type not in SEARCH_TYPES:
        raise UsageError(f"--type must be one of {', '.join(SEARCH_TYPES)}")
    today = today or pacific_now().date()
    start, end = resolve_range(today, start=start, end=end, days=days)  # a wrong range creates no store
    with open_store(store_path, write=True) as con:
        held = final_search_days(con, site, search_type)
        typical_rows = typical_day_rows(con, site, search_type)
    report = SyncReport(site, search_type, start, end)
    sent_before, retries_before = api.requests_sent, api.retries
    all_days = Period(start, end).each_day()
    wanted = [d for d in all_days if d not in held]
    report.already_final = len(all_days) - len(wanted)
    if not wanted:
        return report

    lo, hi = min(wanted), max(wanted)
    date_body = {"startDate": lo.isoformat(), "endDate": hi.isoformat(), "dimensions": ["date"], "type": search_type}
    final_totals = day_totals(api, site, {**date_body, "dataState": "final"})
    all_totals = day_totals(api, site, {**date_body, "dataState": "all"})
    newest_final = max([*final_totals, *held], default=None)
    report.newest_final = newest_final

    work: list[_Day] = []
    pending: list[DayResult] = []
    for day in sorted(wanted, reverse=True):  # newest first: the days a report needs most
        if day in final_totals:
            work.append(_Day(day, "final", final_totals[day]))
        elif day in all_totals:
            work.append(_Day(day, "fresh", all_totals[day]))
        elif newest_final and day < newest_final:
            pending.append(DayResult(day, "final", {}))  # final and empty: nothing to ask for
        else:
            report.no_data_yet.append(day)

    writer = _Writer(store_path, site, search_type)
    writer.start()
    for result in pending:
        writer.inbox.put(result)

    # Page tasks: (day, dims, startRow); startRow None = "the day's first pages, as planned when it starts".
    # Follow-up pages go to the front, so started days finish first.
    queue: deque = deque((item, None, None) for item in work)

    def start_day(item: _Day) -> None:
        tasks = []
        for dims in (PAGES, QUERIES):
            # Later days of a site usually need as many pages as earlier ones: ask for them up front.
            expected = typical_rows.get(dims, 0)
            for start_row in range(0, max(ROW_LIMIT, min(expected, DAY_ROW_CAP)), ROW_LIMIT):
                item.asked[dims].add(start_row)
                tasks.append((item, dims, start_row))
        queue.extendleft(reversed(tasks))

    if progress:
        progress.start(len(work))
    workers = max(1, workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gsc-sync")
    futures: dict[Future, tuple] = {}
    error: BaseException | None = None
    try:
        while queue or futures:
            while queue and len(futures) < workers and error is None:
                item, dims, start_row = queue.popleft()
                if dims is None:
                    start_day(item)
                    continue
                futures[pool.submit(fetch_page, api, site, item.day, item.state, dims, start_row, search_type)] = (
                    item, dims, start_row)
            if writer.error is not None and error is None:
                error = writer.error
                queue.clear()
            if not futures:
                break
            done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                item, dims, start_row = futures.pop(fut)
                try:
                    rows = fut.result()
                except GscBacklinksError as exc:
                    error = error or exc
                    queue.clear()
                    continue
                item.pages[dims][start_row] = rows
                following = item.next_start(dims)
                if following is not None:
                    item.asked[dims].add(following)
                    queue.appendleft((item, dims, following))
                if item.done(PAGES) and item.done(QUERIES):
                    for dims in (PAGES, QUERIES):
                        typical_rows[dims] = max(typical_rows.get(dims, 0), item.rows(dims))
                    writer.inbox.put(item)  # converted and written whole by the writer thread
                    if progress:
                        progress.advance()
    finally:  # also on Ctrl-C: requests on the wire finish, queued ones are dropped, whole days are kept
        pool.shutdown(wait=True, cancel_futures=True)
        writer.finish()
        if progress:
            progress.stop()
    error = error or writer.error
    for r in writer.stored:
        if r.state == "final":
            report.final_days += 1
        else:
            report.fresh_days += 1
        if r.pages_truncated or r.queries_truncated:
            report.truncated.append(r.day)
        report.page_rows += r.page_count
        report.query_rows += r.query_count
    report.requests = api.requests_sent - sent_before
    report.retries = api.retries - retries_before
    report.truncated.sort()
    if error is not None:
        stored = report.final_days + report.fresh_days
        if isinstance(error, GscBacklinksError):
            error.args = (f"{error.args[0]} ({stored} complete days were stored; `gsc-backlinks sync` resumes from there)",)
        raise error
    return report
