"""The inspect job: URL Inspection of a property's pages, every result stored with its date.

Google allows 2,000 inspections per property per day (Pacific Time) and 600 a
minute; the day's count is kept in the store, so separate runs share it.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..api import INSPECTIONS_PER_DAY, Api
from ..dates import pacific_now
from ..errors import AuthError, GscBacklinksError, QuotaError
from ..inspection import Inspection, parse_result

REUSE_DAYS = 7  #: `sync --inspect-top` reuses results younger than this


@dataclass
class InspectReport:
    site: str
    results: list[Inspection]
    reused: list[str]  #: URLs whose recent stored result was reused
    not_done: list[str]  #: URLs left for another day: the daily quota is spent
    used_today: int  #: inspections of this property today (Pacific Time), this run included


def property_pages(site: str, targets: list[str]) -> list[str]:
    """``targets`` as canonical URLs, each once; a UsageError for one outside the property (before any request)."""
    prop = urls.parse_property(site)
    found = (urls.page_in_property(t, prop, hint="; URL Inspection only takes the property's own pages")
             for t in targets)
    return list(dict.fromkeys(found))


def inspect_urls(
    api: Api,
    store_path: Path,
    site: str,
    targets: list[str],
    *,
    reuse_days: int | None = None,
    workers: int = 4,
    now: dt.datetime | None = None,
) -> InspectReport:
    """Inspect URLs of a property and store every result with its date."""
    from ..store import open_store
    from ..store.inspections import inspections_on, recent_inspections, save_inspections

    prop = urls.parse_property(site)
    wanted = property_pages(site, targets)
    now_pt = now or pacific_now()
    today = now_pt.date()
    stamp = now_pt.astimezone(dt.UTC).replace(tzinfo=None) if now_pt.tzinfo else now_pt
    with open_store(store_path, write=True) as con:
        used = inspections_on(con, prop.site, today)
        recent = recent_inspections(con, prop.site, stamp - dt.timedelta(days=reuse_days)) if reuse_days else set()
    reused = [u for u in wanted if u in recent]
    todo = [u for u in wanted if u not in recent]
    room = max(0, INSPECTIONS_PER_DAY - used)
    todo, not_done = todo[:room], todo[room:]

    results: list[Inspection] = []
    error: GscBacklinksError | None = None
    stop = threading.Event()

    def inspect_one(url: str) -> dict | None:
        if stop.is_set():
            return None  # dropped: an account-wide error stopped the run
        try:
            return api.inspect(prop.site, url)
        except (QuotaError, AuthError):
            # Account-wide: each queued URL would fail the same way, after all its tries.
            stop.set()
            raise

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gsc-inspect")
    try:
        futures = [(u, pool.submit(inspect_one, u)) for u in todo]
        for url, fut in futures:
            try:
                answer = fut.result()
                if answer is None:
                    not_done.append(url)
                    continue
                results.append(parse_result(url, answer, stamp))
            except GscBacklinksError as exc:
                error = error or exc
                not_done.append(url)
    finally:  # also on Ctrl-C: requests on the wire finish, queued ones are dropped
        pool.shutdown(wait=True, cancel_futures=True)
    if results:  # what was inspected is kept, whatever stopped the rest
        with open_store(store_path, write=True) as con:
            save_inspections(con, prop.site, results, today)
    if isinstance(error, QuotaError):
        raise QuotaError(
            f"Google's URL Inspection quota for {prop.site} is spent ({len(results)} inspected and stored, "
            f"{len(not_done)} left); it resets at midnight Pacific Time"
        )
    if error is not None:
        if results:
            stored = "1 other result was" if len(results) == 1 else f"{len(results)} other results were"
            error.args = (f"{error.args[0]} ({stored} stored)",)
        raise error
    return InspectReport(prop.site, results, reused, not_done, used + len(results))


@dataclass(frozen=True)
class TopInspection:
    pages: list[str]  #: the most-linked pages chosen (none without a Top target pages export)
    report: InspectReport | None


def inspect_most_linked(api: Api, store_path: Path, site: str, count: int) -> TopInspection:
    """Inspect the `count` most-linked pages (newest Top target pages export), reusing results younger than a week."""
    from ..analysis.pages import most_linked_pages
    from ..analysis.snapshots import Snapshots
    from ..store import open_store

    with open_store(store_path) as con:
        pages = most_linked_pages(con, Snapshots.read(con, site), count)
    if not pages:
        return TopInspection([], None)
    return TopInspection(pages, inspect_urls(api, store_path, site, pages, reuse_days=REUSE_DAYS))
