"""URL Inspection: index status, canonicals and the sample of referring URLs, stored by date.

Google allows 2,000 inspections per property per day (Pacific Time) and 600 a
minute; the day's count is kept in the store, so separate runs share it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .api import INSPECTIONS_PER_DAY, Api
from .errors import ApiError, AuthError, GscBacklinksError, QuotaError, UsageError
from .dates import pacific_now

REUSE_DAYS = 7  #: `sync --inspect-top` reuses results younger than this


@dataclass(frozen=True)
class Inspection:
    url: str
    inspected_at: dt.datetime
    verdict: str | None
    coverage_state: str | None
    robots_txt_state: str | None
    indexing_state: str | None
    page_fetch_state: str | None
    last_crawl_time: dt.datetime | None
    google_canonical: str | None
    user_canonical: str | None
    crawled_as: str | None
    sitemaps: tuple[str, ...]
    referring_urls: tuple[str, ...]
    result_link: str | None
    raw: str


def _timestamp(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def parse_result(url: str, result: dict, inspected_at: dt.datetime) -> Inspection:
    """One inspectionResult as an Inspection; an answer of another shape is an ApiError for this URL."""

    def unexpected(what: str) -> ApiError:
        return ApiError(f"URL inspection of {url}: Google answered something unexpected ({what}); try it again later")

    if not isinstance(result, dict):
        raise unexpected("inspectionResult is not an object")
    status = result.get("indexStatusResult") or {}
    if not isinstance(status, dict):
        raise unexpected("indexStatusResult is not an object")

    def text(key: str) -> str | None:
        value = status.get(key)
        if isinstance(value, (dict, list)):
            raise unexpected(f"{key} is not a text")
        return str(value) if value is not None else None

    def url_of(key: str) -> str | None:
        value = status.get(key)
        if value is not None and not isinstance(value, str):
            raise unexpected(f"{key} is not a URL")
        return urls.canonical_url(value) if value else None

    def texts(key: str) -> list[str]:
        values = status.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise unexpected(f"{key} is not a list of URLs")
        return values

    crawled, link = status.get("lastCrawlTime"), result.get("inspectionResultLink")
    if crawled is not None and not isinstance(crawled, str):
        raise unexpected("lastCrawlTime is not a time")
    if link is not None and not isinstance(link, str):
        raise unexpected("inspectionResultLink is not a URL")
    return Inspection(
        url=url,
        inspected_at=inspected_at,
        verdict=text("verdict"),
        coverage_state=text("coverageState"),
        robots_txt_state=text("robotsTxtState"),
        indexing_state=text("indexingState"),
        page_fetch_state=text("pageFetchState"),
        last_crawl_time=_timestamp(crawled),
        google_canonical=url_of("googleCanonical"),
        user_canonical=url_of("userCanonical"),
        crawled_as=text("crawledAs"),
        sitemaps=tuple(texts("sitemap")),
        referring_urls=tuple(urls.canonical_url(s) for s in texts("referringUrls")),
        result_link=link,
        raw=json.dumps(result, sort_keys=True),
    )


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
    wanted: list[str] = []
    for text in targets:
        url = urls.canonical_url(text, default_scheme="https")
        if not urls.is_web_url(url) or not prop.contains(url):
            raise UsageError(f"{urls.printable(text)} is not a URL of property {prop.site}; URL Inspection only takes the property's own pages")
        if url not in wanted:
            wanted.append(url)
    return wanted


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
    from . import store

    prop = urls.parse_property(site)
    wanted = property_pages(site, targets)
    now_pt = now or pacific_now()
    today = now_pt.date()
    stamp = now_pt.astimezone(dt.timezone.utc).replace(tzinfo=None) if now_pt.tzinfo else now_pt
    with store.open_store(store_path, write=True) as con:
        used = store.inspections_on(con, prop.site, today)
        recent = store.recent_inspections(con, prop.site, stamp - dt.timedelta(days=reuse_days)) if reuse_days else set()
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
        store.save_inspections(store_path, prop.site, results, today)
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
