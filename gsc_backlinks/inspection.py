"""URL Inspection's answer, read: index status, canonicals and the sample of referring URLs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from . import urls
from .errors import ApiError


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
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
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
