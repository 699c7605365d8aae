"""The Search Console API behind one narrow seam: sites, searchAnalytics, urlInspection.

Retries, rate limits and error translation live here and nowhere else:

* one client object per thread (httplib2, under google-api-python-client, is
  not thread-safe), built from the discovery document bundled with the client
  (no network), pointed at ``GSC_BACKLINKS_API_ENDPOINT`` when set;
* a token bucket per resource keeps request rates under Google's per-site
  quotas (Search Analytics 1,200/min, URL Inspection 600/min);
* 429, 5xx, rate-limit 403s and dropped or garbled connections are retried with
  exponential backoff and full jitter, honouring ``Retry-After``;
* every other failure becomes one actionable GscBacklinksError.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import AccessError, ApiError, AuthError, QuotaError

#: Requests per minute we allow ourselves: under Google's per-site quotas (1,200 and 600).
SEARCH_ANALYTICS_PER_MINUTE = 1_100
INSPECTION_PER_MINUTE = 540
INSPECTIONS_PER_DAY = 2_000
ROW_LIMIT = 25_000  #: the API's largest page
TIMEOUT = 120.0  #: seconds a request may take
DAY_ROW_CAP = 50_000  #: the API returns at most this many rows per day and search type

#: searchAnalytics.query "type" values.
SEARCH_TYPES = ("web", "image", "video", "news", "discover", "googleNews")
ENABLE_API_URL = "https://console.cloud.google.com/apis/library/searchconsole.googleapis.com"
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}


def endpoint() -> str | None:
    """GSC_BACKLINKS_API_ENDPOINT, checked: a wrong one is a setup mistake, not something to retry."""
    value = os.environ.get("GSC_BACKLINKS_API_ENDPOINT") or None
    if value and not value.lower().startswith(("http://", "https://")):
        from .errors import UsageError

        raise UsageError(f"GSC_BACKLINKS_API_ENDPOINT={value!r} is not an http(s) URL; unset it to use Google's API")
    return value


class RateLimiter:
    """A thread-safe token bucket: ``per_minute`` requests, bursts of ``burst``."""

    def __init__(self, per_minute: float, burst: int = 5, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = max((1 - self.tokens) / self.rate, 0.001)  # never a sleep too short to move the clock
            time.sleep(wait)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 7  #: tries in all, the first included
    base: float = 1.0  #: seconds; the n-th retry waits up to base * 2**n
    cap: float = 60.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        try:
            base = float(os.environ.get("GSC_BACKLINKS_RETRY_BASE", "") or 1.0)
        except ValueError:
            base = 1.0
        return cls(base=base)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        wait = random.uniform(0, min(self.cap, self.base * 2**attempt))
        return max(wait, retry_after or 0.0)


@dataclass(frozen=True)
class SiteEntry:
    site_url: str
    permission_level: str

    @property
    def kind(self) -> str:
        return "Domain" if self.site_url.startswith("sc-domain:") else "URL prefix"

    @property
    def permission(self) -> str:
        return {
            "siteOwner": "Owner", "siteFullUser": "Full user", "siteRestrictedUser": "Restricted user",
            "siteUnverifiedUser": "Unverified (no data access)",
        }.get(self.permission_level, self.permission_level)


def _error_details(exc) -> tuple[int, str, str]:
    """(status, reason, message) of a googleapiclient HttpError."""
    status = int(getattr(exc.resp, "status", 0) or 0)
    reason, message = "", ""
    try:
        body = json.loads(exc.content.decode("utf-8", "replace"))
        error = body.get("error", {}) if isinstance(body, dict) else {}
        if isinstance(error, dict):
            message = str(error.get("message", ""))
            errors = error.get("errors") or []
            if errors and isinstance(errors[0], dict):
                reason = str(errors[0].get("reason", ""))
            for detail in error.get("details") or []:
                if isinstance(detail, dict) and detail.get("reason") == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
                    reason = "insufficientPermissions"
                elif isinstance(detail, dict) and detail.get("reason") == "SERVICE_DISABLED":
                    reason = "accessNotConfigured"
        elif isinstance(error, str):  # OAuth-style bodies
            reason, message = error, str(body.get("error_description", ""))
    except (ValueError, AttributeError):
        pass
    return status, reason, message


def _retry_after(exc) -> float | None:
    value = getattr(exc, "resp", {}).get("retry-after") if hasattr(exc, "resp") else None
    try:
        return min(float(value), 120.0) if value else None
    except (TypeError, ValueError):
        return None


def _json_object(answer, what: str) -> dict:
    """Google's answer, which must be a JSON object: googleapiclient hands back any other body as a str."""
    if not answer:
        return {}
    if isinstance(answer, dict):
        return answer
    begins = (answer if isinstance(answer, str) else json.dumps(answer))[:40]
    raise ApiError(
        f"{what}: the API endpoint answered something that is not Search Console JSON (it begins {begins!r}); "
        "a proxy or Wi-Fi sign-in page may be in between, or GSC_BACKLINKS_API_ENDPOINT is wrong — try again later"
    )


def _objects(answer: dict, key: str, what: str) -> list[dict]:
    """``answer[key]``, a list of JSON objects ([] when Google leaves it out)."""
    items = answer.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ApiError(f"{what}: Google's answer holds a \"{key}\" of an unexpected shape; try again later")
    return items


def _counting_http(*, on_send: Callable[[], None], timeout: float):
    """An httplib2.Http that calls ``on_send`` for every request it puts on the wire, the ones it sends
    again by itself included (so a sync's "retried" count is what happened, not what we asked for)."""
    import httplib2

    class CountingHttp(httplib2.Http):
        def _conn_request(self, conn, request_uri, method, body, headers):
            send = conn.request
            # A token refresh goes through this Http too (google-auth-httplib2): it is no API request sent again.
            token = method == "POST" and request_uri.split("?", 1)[0].endswith("/token")

            def counted(*args, **kwargs):
                if not token:
                    on_send()
                return send(*args, **kwargs)

            conn.request = counted
            try:
                return super()._conn_request(conn, request_uri, method, body, headers)
            finally:
                del conn.request  # the class's own method again

    return CountingHttp(timeout=timeout)


class Api:
    """Search Console calls with retries and rate limits; safe to share between threads."""

    def __init__(self, credentials):
        self.credentials = credentials
        self.api_endpoint = endpoint()
        self.retry = RetryPolicy.from_env()
        self.search_limiter = RateLimiter(SEARCH_ANALYTICS_PER_MINUTE)
        self.inspect_limiter = RateLimiter(INSPECTION_PER_MINUTE)
        self.other_limiter = RateLimiter(180)  # "all other resources": 200/min per user
        self._local = threading.local()
        self.requests_sent = 0  #: requests put on the wire, every retry included (counted by _CountingHttp)
        self.calls = 0  #: API calls asked for; each one sent once, plus its retries
        self._count_lock = threading.Lock()

    @property
    def retries(self) -> int:
        """Requests sent again: this class's own retries, and httplib2's (which re-sends a request by
        itself when a kept-alive connection turns out closed)."""
        return self.requests_sent - self.calls

    def _sent(self) -> None:
        with self._count_lock:
            self.requests_sent += 1

    def service(self):
        """This thread's client (httplib2 objects must not be shared)."""
        service = getattr(self._local, "service", None)
        if service is None:
            import google_auth_httplib2
            import httplib2
            from googleapiclient.discovery import build

            # One try per request at httplib2's level where it lets us choose: the retries are this class's,
            # with backoff.  (It still re-sends once when a kept-alive connection turns out closed: counted.)
            httplib2.RETRIES = 1

            http = google_auth_httplib2.AuthorizedHttp(self.credentials,
                                                       http=_counting_http(on_send=self._sent, timeout=TIMEOUT))
            options = {"api_endpoint": self.api_endpoint} if self.api_endpoint else None
            service = build("searchconsole", "v1", http=http, client_options=options,
                            cache_discovery=False, static_discovery=True)
            self._local.service = service
        return service

    def _execute(self, make_request: Callable, limiter: RateLimiter, *, site: str | None, what: str) -> dict:
        import http.client

        import google.auth.exceptions
        import httplib2
        from googleapiclient.errors import HttpError

        last, last_quota = "", False
        with self._count_lock:
            self.calls += 1
        for attempt in range(self.retry.attempts):
            limiter.acquire()
            retry_after = None
            try:
                answer = make_request(self.service()).execute(num_retries=0)
            except HttpError as exc:
                status, reason, message = _error_details(exc)
                if status == 429 or status >= 500 or (status == 403 and reason in RATE_LIMIT_REASONS):
                    last = f"HTTP {status} {reason or message[:80]}".strip()
                    retry_after = _retry_after(exc)
                    last_quota = status in (429, 403)
                else:
                    raise self._translate(status, reason, message, site=site, what=what) from None
            except google.auth.exceptions.RefreshError as exc:
                from .auth import refresh_error

                raise refresh_error(exc) from None
            except (httplib2.HttpLib2Error, google.auth.exceptions.TransportError, OSError,
                    http.client.HTTPException) as exc:
                # OSError covers ConnectionError, TimeoutError and socket/SSL errors; TransportError is
                # google-auth failing to reach the token server while refreshing on the way; HTTPException
                # (BadStatusLine, IncompleteRead) is a connection cut or garbled mid-answer.
                last = f"connection problem ({type(exc).__name__})"
                last_quota = False
                self._reset_service()  # a broken connection is not reused
            else:
                return _json_object(answer, what)
            if attempt + 1 < self.retry.attempts:
                time.sleep(self.retry.delay(attempt, retry_after))
        if last_quota:
            raise QuotaError(
                f"Search Console kept answering 'rate limit / quota exceeded' for {what} after "
                f"{self.retry.attempts} tries ({last}); what was fetched is kept — run the command again in 15 minutes"
            )
        raise ApiError(f"{what} failed after {self.retry.attempts} tries ({last}); run the command again later")

    def _reset_service(self) -> None:
        self._local.service = None

    def _translate(self, status: int, reason: str, message: str, *, site: str | None, what: str) -> Exception:
        if status == 401:
            return AuthError("Google did not accept the saved authorization (HTTP 401); run `gsc-backlinks auth login` again")
        if status == 403 and reason == "insufficientPermissions":  # _error_details maps the newer reason to it
            return AccessError(
                "the saved authorization lacks the Search Console scope (webmasters.readonly); "
                "run `gsc-backlinks auth login` again and allow Search Console access"
            )
        if status == 403 and reason == "accessNotConfigured":  # the first thing a new Cloud project answers
            # Google's message names the page that enables it for the client's own project; cut, it would lose it.
            link = next((word.rstrip(".,;)") for word in message.split() if word.startswith("https://")), ENABLE_API_URL)
            return AccessError(
                "the Search Console API is not enabled in the Google Cloud project of your OAuth client (or service "
                f"account); enable it at {link}, wait a few minutes, then run the command again"
            )
        if status == 403 and site:
            if "permission" in message.lower() or reason == "forbidden":
                return AccessError(
                    f"this Google account has no access to property {site}; check `gsc-backlinks sites`, or add "
                    "the account (or service-account e-mail) under Settings > Users and permissions in Search Console"
                )
            return AccessError(f"Google refused {what} for {site} (HTTP 403: {message[:160]})")
        if status == 400:
            return ApiError(f"Google rejected {what} as invalid (HTTP 400: {message[:200]})")
        if status == 404:
            return ApiError(f"{what}: not found at the API endpoint (HTTP 404); check GSC_BACKLINKS_API_ENDPOINT")
        return ApiError(f"{what} failed (HTTP {status}: {message[:200]})")

    # --- the three resources ----------------------------------------------------------

    def list_sites(self) -> list[SiteEntry]:
        answer = self._execute(lambda s: s.sites().list(), self.other_limiter, site=None, what="listing properties")
        entries = _objects(answer, "siteEntry", "listing properties")
        return sorted(
            (SiteEntry(str(e.get("siteUrl") or ""), str(e.get("permissionLevel") or "")) for e in entries),
            key=lambda e: e.site_url,
        )

    def query(self, site: str, body: dict) -> list[dict]:
        """One searchAnalytics.query page; rows ([] when Google leaves "rows" out)."""
        answer = self._execute(
            lambda s: s.searchanalytics().query(siteUrl=site, body=body), self.search_limiter,
            site=site, what=f"Search Analytics query for {site}",
        )
        return _objects(answer, "rows", f"Search Analytics query for {site}")

    def query_all(self, site: str, body: dict) -> list[dict]:
        """Every row of a query, paging by startRow until a short page."""
        rows: list[dict] = []
        start = 0
        while True:
            page = self.query(site, {**body, "rowLimit": ROW_LIMIT, "startRow": start})
            rows.extend(page)
            if len(page) < ROW_LIMIT:
                return rows
            start += ROW_LIMIT

    def inspect(self, site: str, url: str) -> dict:
        body = {"inspectionUrl": url, "siteUrl": site}
        answer = self._execute(
            lambda s: s.urlInspection().index().inspect(body=body), self.inspect_limiter,
            site=site, what=f"URL inspection of {url}",
        )
        return answer.get("inspectionResult") or {}


def _bare_host(name: str) -> str:
    """``sc-domain:www.Example.com``, ``https://www.example.com/blog/`` -> ``example.com``."""
    host = name.strip().lower().removeprefix("sc-domain:").split("//")[-1].split("/")[0]
    return host.removeprefix("www.")


def close_properties(site: str, names: list[str], n: int = 3) -> list[str]:
    """Property names that look like ``site``: its host written another way first, then near spellings.

    Hosts are compared bare (no sc-domain:, scheme, www. or path): compared whole, the prefix every
    name shares made unrelated properties look alike.  Within each group the closest name comes first.
    """
    import difflib

    want = _bare_host(site)
    if not want:
        return []
    hosts = {name: _bare_host(name) for name in dict.fromkeys(names) if name != site}
    same = [m for m, h in hosts.items() if h == want or h.endswith("." + want) or want.endswith("." + h)]
    near_hosts = set(difflib.get_close_matches(want, set(hosts.values()), n=n, cutoff=0.75))
    near = [m for m, h in hosts.items() if h in near_hosts and m not in same]

    def closeness(name: str) -> float:
        return -difflib.SequenceMatcher(None, site.lower(), name.lower()).ratio()

    return (sorted(same, key=closeness) + sorted(near, key=closeness))[:n]


def check_site(sites: list[SiteEntry], site: str) -> SiteEntry:
    """The entry for ``site``; else a UsageError listing the close matches."""
    from .errors import UsageError

    for entry in sites:
        if entry.site_url == site:
            if entry.permission_level == "siteUnverifiedUser":
                raise AccessError(f"this account is an unverified user of {site} and cannot read its data; "
                                  "verify it in Search Console")
            return entry
    names = [e.site_url for e in sites]
    close = close_properties(site, names)
    if close:
        raise UsageError(f"property {site} is not among this account's properties; did you mean {' or '.join(close)}?")
    if names:
        shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        raise UsageError(f"property {site} is not among this account's properties ({shown}); see `gsc-backlinks sites`")
    raise UsageError(f"this Google account has no Search Console properties, so not {site}; "
                     "add the account to the property first")
