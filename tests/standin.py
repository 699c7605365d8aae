"""A loopback stand-in for Google's OAuth server and the Search Console API.

Tests and benchmarks start a :class:`StandIn` on 127.0.0.1 (free port, background
thread, one thread per connection) and point the *real* client libraries at it:
google-api-python-client via ``client_options={"api_endpoint": standin.base_url}``,
google-auth / google-auth-oauthlib via ``standin.client_config()`` and ``token_uri``.
Paths, methods, status codes, headers that matter and JSON bodies follow Google's.

What it fakes
  * OAuth 2.0 for installed apps: ``o/oauth2/auth`` (a user who consents at once and is
    redirected to the loopback ``redirect_uri``), ``token`` (authorization_code with
    PKCE, refresh_token, and the service-account jwt-bearer grant), ``revoke``.
  * Search Console: ``webmasters/v3/sites`` (list), ``.../searchAnalytics/query`` and
    ``v1/urlInspection/index:inspect``, with Bearer-token and scope checks, per-site
    permissions, Google's 50,000-rows-per-day cap, paging with startRow/rowLimit, and
    deterministic fake data from :class:`SearchData`.
  * Latency, transient failures (429/500/503/dropped connection) and quota exhaustion
    on the two data endpoints, driven by knobs tests may flip at any time.
  * What Google never sends but a proxy, captive portal or broken link might: ``tamper``
    lets a test answer any kind of request (token, sites.list, …) with its own status and
    body (an HTML page, JSON of another shape) or with raw bytes (:data:`BAD_STATUS_LINE`,
    :data:`INCOMPLETE_READ`).

What it does not fake
  * TLS, signatures (JWT assertions are decoded, not verified), consent screens,
    ID tokens, time-based code expiry, sitemaps/sites.get/add/delete (they answer 404),
    countries, devices and search appearances (country/device keys are constants
    "usa"/"DESKTOP"; searchAppearance yields no rows), byProperty-vs-byPage
    differences, and the real ranking of results beyond "clicks desc, then keys".
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import random
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from operator import itemgetter
from typing import ClassVar, Self

JSON_CT = "application/json; charset=UTF-8"
SCOPE_READONLY = "https://www.googleapis.com/auth/webmasters.readonly"
SCOPE_FULL = "https://www.googleapis.com/auth/webmasters"
DEFAULT_CLIENT_ID = "test-client.apps.googleusercontent.com"
DEFAULT_CLIENT_SECRET = "test-secret"
ROWS_PER_DAY_CAP = 50_000
MAX_ROW_LIMIT = 25_000
ACCESS_TOKEN_LIFETIME = 3599
API_KINDS = ("searchanalytics", "inspect")  # latency and failure injection apply here only

# --- Google's error bodies -------------------------------------------------------

UNAUTHENTICATED = {"error": {
    "code": 401,
    "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, "
               "login cookie or other valid authentication credential. See "
               "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                "location": "Authorization", "locationType": "header"}],
    "status": "UNAUTHENTICATED"}}
RATE_LIMITED = {"error": {
    "code": 429,
    "message": "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' "
               "of service 'searchconsole.googleapis.com' for consumer 'project_number:000000000000'.",
    "errors": [{"message": "Rate Limit Exceeded", "domain": "usageLimits", "reason": "rateLimitExceeded"}],
    "status": "RESOURCE_EXHAUSTED"}}
BACKEND_ERROR = {"error": {
    "code": 500, "message": "Internal error encountered.",
    "errors": [{"message": "Internal error encountered.", "domain": "global", "reason": "backendError"}],
    "status": "INTERNAL"}}
UNAVAILABLE = {"error": {
    "code": 503, "message": "The service is currently unavailable.",
    "errors": [{"message": "The service is currently unavailable.", "domain": "global", "reason": "backendError"}],
    "status": "UNAVAILABLE"}}
NOT_FOUND = {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}}
INJECTED = {429: RATE_LIMITED, 500: BACKEND_ERROR, 503: UNAVAILABLE}
FAILURE_CYCLE = (429, 500, 503, 0)  # 0 = drop the connection: every 4th random failure
METHOD_NAMES = {"sites.list": "Webmasters.Sites.List",
                "searchanalytics": "Webmasters.SearchAnalytics.Query",
                "inspect": "google.searchconsole.v1.UrlInspectionService.Inspect"}


def insufficient_scopes(kind: str) -> dict:
    return {"error": {
        "code": 403, "message": "Request had insufficient authentication scopes.",
        "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                     "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                     "metadata": {"service": "searchconsole.googleapis.com",
                                  "method": METHOD_NAMES.get(kind, kind)}}]}}


def service_disabled(project: str = "123456789012") -> dict:
    """What Google answers when the Search Console API is not enabled in the client's Cloud project."""
    link = f"https://console.developers.google.com/apis/api/searchconsole.googleapis.com/overview?project={project}"
    msg = (f"Google Search Console API has not been used in project {project} before or it is disabled. Enable it "
           f"by visiting {link} then retry. If you enabled this API recently, wait a few minutes for the action "
           "to propagate to our systems and retry.")
    return {"error": {
        "code": 403, "message": msg,
        "errors": [{"message": msg, "domain": "usageLimits", "reason": "accessNotConfigured",
                    "extendedHelp": "https://console.developers.google.com"}],
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.Help",
                     "links": [{"description": "Google developers console API activation", "url": link}]},
                    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                     "domain": "googleapis.com",
                     "metadata": {"service": "searchconsole.googleapis.com", "consumer": f"projects/{project}",
                                  "activationUrl": link}}]}}


def site_forbidden(site_url: str) -> dict:
    msg = (f"User does not have sufficient permission for site '{site_url}'. "
           "See also: https://support.google.com/webmasters/answer/2451999.")
    return {"error": {"code": 403, "message": msg,
                      "errors": [{"message": msg, "domain": "global", "reason": "forbidden"}],
                      "status": "PERMISSION_DENIED"}}


def invalid_argument(msg: str) -> dict:
    return {"error": {"code": 400, "message": msg,
                      "errors": [{"message": msg, "domain": "global", "reason": "badRequest"}],
                      "status": "INVALID_ARGUMENT"}}


def url_not_in_property() -> dict:
    msg = "You do not own this site, or the inspected URL is not part of this property."
    return {"error": {"code": 403, "message": msg,
                      "errors": [{"message": msg, "domain": "global", "reason": "forbidden"}],
                      "status": "PERMISSION_DENIED"}}


# --- what the stand-in saw -------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Seen:
    kind: str         # "auth", "token", "revoke", "sites.list", "searchanalytics", "inspect", "other"
    method: str
    path: str         # request target as sent: percent-encoded path plus "?query" if any
    body: dict | None  # parsed JSON or form body
    status: int       # 0 when the connection was dropped on purpose
    query: dict = dataclasses.field(default_factory=dict)  # parsed query string (last value wins)
    at: float = dataclasses.field(default_factory=time.monotonic)  # when it was answered (for rate checks)


# --- fake performance data -------------------------------------------------------

WORDS = ("best", "cheap", "how", "to", "fix", "buy", "review", "guide", "near", "me", "free",
         "online", "shop", "garden", "tools", "coffee", "maker", "bike", "repair", "shoes",
         "running", "winter", "jacket", "recipe", "easy", "vegan", "python", "tutorial", "error",
         "install", "download", "price", "vs", "alternative", "what", "is", "why", "2026", "top",
         "10", "kids", "home", "office", "chair", "desk", "lamp", "led", "solar", "panel",
         "battery", "camera", "lens", "travel", "bag", "map", "hotel", "cheapest", "near by",
         "open", "now", "login", "app", "support", "contact")
SECTIONS = ("blog", "products", "guides", "news", "docs", "help", "category", "shop")


def site_root(site: str) -> str:
    """Where a property's pages live: sc-domain:x -> https://www.x/, URL prefixes as is."""
    if site.startswith("sc-domain:"):
        return f"https://www.{site[len('sc-domain:'):]}/"
    return site if site.endswith("/") else site + "/"


def _add(acc: dict, key, clicks, impressions, position) -> None:
    """Sum clicks and impressions under ``key``, position weighted by impressions."""
    a = acc.get(key)
    if a is None:
        acc[key] = [clicks, impressions, position * impressions]
    else:
        a[0] += clicks
        a[1] += impressions
        a[2] += position * impressions


def _acc_rows(acc: dict, keyer) -> list:
    """acc maps a key to [clicks, impressions, position*impressions] -> row tuples."""
    out = []
    for k, (c, i, ps) in acc.items():
        out.append((keyer(k), c, i, c / i if i else 0.0, ps / i if i else 0.0))
    return out


def _sort(rows: list) -> None:
    rows.sort(key=lambda r: (-r[1], r[0]))


class _Filter:
    """dimensionFilterGroups (all groups and filters ANDed) over page and query."""

    CONST: ClassVar[dict] = {"country": "usa", "device": "DESKTOP"}

    def __init__(self, groups: list):
        self.tests = []  # (dimension, predicate)
        for group in groups or []:
            for f in group.get("filters") or []:
                dim = f.get("dimension")
                op = f.get("operator", "equals")
                expr = str(f.get("expression", ""))
                if dim not in ("page", "query", "country", "device"):
                    raise ValueError(f"Invalid filter dimension: {dim!r}")
                if op in ("equals", "notEquals") and dim in self.CONST:
                    expr = expr.lower() if dim == "country" else expr.upper()
                preds = {
                    "equals": lambda v, e=expr: v == e,
                    "notEquals": lambda v, e=expr: v != e,
                    "contains": lambda v, e=expr: e in v,
                    "notContains": lambda v, e=expr: e not in v,
                }
                if op in ("includingRegex", "excludingRegex"):
                    rx = re.compile(expr)
                    preds[op] = ((lambda v, r=rx: r.search(v) is not None) if op == "includingRegex"
                                 else (lambda v, r=rx: r.search(v) is None))
                if op not in preds:
                    raise ValueError(f"Invalid filter operator: {op!r}")
                self.tests.append((dim, preds[op]))
        self.has_query = any(d == "query" for d, _ in self.tests)
        self.rejects_all = any(d in self.CONST and not p(self.CONST[d]) for d, p in self.tests)

    def page_ok(self, page: str) -> bool:
        return all(p(page) for d, p in self.tests if d == "page")

    def ok(self, page: str, query: str) -> bool:
        return all(p(page if d == "page" else query) for d, p in self.tests if d in ("page", "query"))


class SearchData:
    """Deterministic fake performance data for one or more sites.

    Every site has a fixed pool of ``pages_per_day`` pages with ``queries_per_page``
    queries each; every (day, page, query) gets metrics drawn from a generator seeded by
    (seed, site, day). Some pages (every third) get extra clicks/impressions in their
    page totals only, like Google's anonymized queries. Days <= ``final_until`` are
    final; later days are visible only with dataState "all". ``empty_days`` have no data.
    Results are cached, so paging through one query does not regenerate it.
    """

    def __init__(self, *, sites: list[str], days: list[dt.date], final_until: dt.date,
                 pages_per_day: int = 50, queries_per_page: int = 20, seed: int = 1,
                 empty_days: set = frozenset(), cache_entries: int = 16):
        self.sites = list(sites)
        self.cache_entries = cache_entries  # generated days kept; a benchmark keeps them all
        self.days = sorted(set(days))
        self._dayset = set(self.days)
        self.final_until = final_until
        self.pages_per_day = pages_per_day
        self.queries_per_page = queries_per_page
        self.seed = seed
        self.empty_days = set(empty_days)
        self._lock = threading.RLock()
        self._pools: dict[str, tuple] = {}
        self._base_cache: OrderedDict = OrderedDict()
        self._day_cache: OrderedDict = OrderedDict()
        self._query_cache: OrderedDict = OrderedDict()

    # -- availability --
    def available(self, site: str, day: dt.date, data_state: str = "final") -> bool:
        return (site in self.sites and day in self._dayset and day not in self.empty_days
                and (data_state == "all" or day <= self.final_until))

    # -- generation --
    def _pool(self, site: str) -> tuple:
        """(page urls, page weights, queries per page) for a site; fixed across days."""
        if site not in self._pools:
            rng = random.Random(f"{self.seed}|{site}|pool")
            root = site_root(site)
            pages, weights, queries = [], [], []
            for i in range(self.pages_per_day):
                if i == 0:
                    pages.append(root)
                else:
                    section = SECTIONS[rng.randrange(len(SECTIONS))]
                    slug = "-".join(rng.choice(WORDS).replace(" ", "-") for _ in range(2))
                    pages.append(f"{root}{section}/{slug}-{i}")
                weights.append(min(rng.paretovariate(1.2), 50.0))
                seen: set[str] = set()
                qs = []
                for j in range(self.queries_per_page):
                    for _attempt in range(8):
                        q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
                        if q not in seen:
                            break
                    else:
                        q = f"{q} {j}"
                    seen.add(q)
                    qs.append(q)
                queries.append(qs)
            self._pools[site] = (pages, weights, queries)
        return self._pools[site]

    def _base(self, site: str, day: dt.date) -> tuple[list, dict]:
        """([(page, query, clicks, impressions, position)], {page: (clicks, impr, position)} extras)."""
        key = (site, day)
        hit = self._base_cache.get(key)
        if hit is not None:
            self._base_cache.move_to_end(key)
            return hit
        pages, weights, queries = self._pool(site)
        rng = random.Random(f"{self.seed}|{site}|{day.isoformat()}")
        rnd = rng.random
        base, extras = [], {}
        for i, page in enumerate(pages):
            pop = weights[i] * (0.5 + rnd())
            for j, q in enumerate(queries[i]):
                impressions = 1 + int(pop * (0.3 + rnd()) * 60 / (j + 1) ** 0.7)
                position = round(1.0 + 59.0 * rnd() ** 2, 2)
                rate = max(0.0, 0.4 - position * 0.012) * rnd() * 1.5
                clicks = min(impressions, int(impressions * rate))
                base.append((page, q, clicks, impressions, position))
            if i % 3 == 1:  # anonymized queries: only in page totals
                ei = 1 + int(pop * 10 * rnd())
                extras[page] = (int(ei * 0.15 * rnd()), ei, round(1.0 + 59.0 * rnd() ** 2, 2))
        hit = (base, extras)
        self._base_cache[key] = hit
        while len(self._base_cache) > self.cache_entries:
            self._base_cache.popitem(last=False)
        return hit

    def _day_rows(self, site: str, day: dt.date, dims: tuple, flt: _Filter | None) -> list:
        """Sorted, uncapped row tuples (keys, clicks, impressions, ctr, position) for one day."""
        ckey = (site, day, dims)
        if flt is None and ckey in self._day_cache:
            self._day_cache.move_to_end(ckey)
            return self._day_cache[ckey]
        if "searchAppearance" in dims or (flt is not None and flt.rejects_all):
            return []
        base, extras = self._base(site, day)
        if flt is not None:
            base = [r for r in base if flt.ok(r[0], r[1])]
            extras = {} if flt.has_query else {p: e for p, e in extras.items() if flt.page_ok(p)}
        slot = {"date": 0, "page": 1, "query": 2, "country": 3, "device": 4}
        idx = [slot[d] for d in dims]
        ds = day.isoformat()
        if len(idx) == 0:
            keyer = lambda pq: ()  # noqa: E731  (one closure per request, not per row)
        elif len(idx) == 1:
            one = idx[0]
            keyer = lambda pq: ((ds, pq[0], pq[1], "usa", "DESKTOP")[one],)  # noqa: E731
        else:
            get = itemgetter(*idx)
            keyer = lambda pq: get((ds, pq[0], pq[1], "usa", "DESKTOP"))  # noqa: E731
        has_page, has_query = "page" in dims, "query" in dims
        if has_page and has_query:
            rows = [(keyer((p, q)), c, i, c / i if i else 0.0, pos) for p, q, c, i, pos in base]
        else:
            acc: dict = {}
            for p, q, c, i, pos in base:
                _add(acc, (p, "") if has_page else ("", q) if has_query else ("", ""), c, i, pos)
            if not has_query:
                for p, (c, i, pos) in extras.items():
                    _add(acc, (p, "") if has_page else ("", ""), c, i, pos)
            rows = _acc_rows(acc, keyer)
        _sort(rows)
        if flt is None:
            self._day_cache[ckey] = rows
            while len(self._day_cache) > self.cache_entries * 2:
                self._day_cache.popitem(last=False)
        return rows

    # -- public --
    def rows(self, site: str, day: dt.date, dimensions: list[str], data_state: str = "final") -> list[dict]:
        """Full, uncapped rows for one day, sorted by clicks desc then keys."""
        with self._lock:
            if not self.available(site, day, data_state):
                return []
            return [to_json_row(r, bool(dimensions)) for r in self._day_rows(site, day, tuple(dimensions), None)]

    def query(self, site: str, start: dt.date, end: dt.date, dimensions: list[str],
              data_state: str = "final", filter_groups: list | None = None) -> list[tuple]:
        """What searchAnalytics.query has to page through: row tuples, each day capped at
        50,000 rows when grouping by page and/or query, days merged when "date" is not a
        dimension, sorted by clicks desc then keys. Raises ValueError on a bad filter."""
        dims = tuple(dimensions)
        fkey = json.dumps(filter_groups or [], sort_keys=True)
        ckey = (site, start, end, dims, data_state, fkey)
        with self._lock:
            if ckey in self._query_cache:
                self._query_cache.move_to_end(ckey)
                return self._query_cache[ckey]
            flt = _Filter(filter_groups) if filter_groups else None
            if flt is not None and not flt.tests:
                flt = None
            capped = "page" in dims or "query" in dims
            days = [d for d in self.days if start <= d <= end and self.available(site, d, data_state)]
            per_day = []
            for d in days:
                rows = self._day_rows(site, d, dims, flt)
                per_day.append(rows[:ROWS_PER_DAY_CAP] if capped else rows)
            if not per_day:
                out = []
            elif len(per_day) == 1:
                out = list(per_day[0])
            elif "date" in dims:
                out = [r for rows in per_day for r in rows]
                _sort(out)
            else:  # the same keys on several days: Google adds them up
                acc: dict = {}
                for rows in per_day:
                    for k, c, i, _ctr, pos in rows:
                        _add(acc, k, c, i, pos)
                out = _acc_rows(acc, lambda k: k)
                _sort(out)
            self._query_cache[ckey] = out
            while len(self._query_cache) > self.cache_entries:
                self._query_cache.popitem(last=False)
            return out


def to_json_row(r: tuple, with_keys: bool = True) -> dict:
    row = {"keys": list(r[0])} if with_keys else {}
    row.update(clicks=r[1], impressions=r[2], ctr=float(r[3]), position=float(r[4]))
    return row


# --- the server --------------------------------------------------------------------

class _Encoded(bytes):
    """A JSON answer encoded once, which knows how many rows it holds (for the latency)."""

    rows = 0


class _Dropped(Exception):
    """Raised inside a handler to close the connection without answering."""


class Raw(bytes):
    """A tamper answer written to the socket as is, after which the connection is closed."""


#: Not an HTTP status line: http.client raises BadStatusLine.
BAD_STATUS_LINE = Raw(b"SMTP ready\r\n\r\n")
#: A body shorter than its Content-Length: http.client raises IncompleteRead.
INCOMPLETE_READ = Raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"siteEn")


def html_page(status: int = 200) -> tuple:
    """A tamper answer: the HTML a captive portal or a misconfigured proxy sends."""
    html = "<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head><body>Sign in</body></html>"
    return status, (html, "text/html; charset=utf-8"), {}


class StandIn:
    def __init__(self, *, sites: dict[str, str] | None = None, data: SearchData | None = None,
                 latency: float = 0.0, per_row_latency: float = 0.0, failure_rate: float = 0.0,
                 failure_seed: int = 0):
        if sites is None:
            sites = (dict.fromkeys(data.sites, "siteOwner") if data is not None
                     else {"sc-domain:example.com": "siteOwner"})
        self.sites: dict[str, str] = dict(sites)
        self.data = data
        self.latency = latency
        self.per_row_latency = per_row_latency
        self.failure_rate = failure_rate
        self.forbidden_sites: set[str] = set()
        self.scope_granted: str = SCOPE_READONLY
        self.inspect_quota_left: int | None = None
        self.deny_consent = False
        self.failure_every: int = 0  # when set, every N-th API call fails (instead of failure_rate)
        self._api_calls = 0
        self.quota_exhausted = False
        #: kind -> fn(request body) giving (status, body, headers) or Raw to answer instead, or None
        #: to answer as Google would. Runs before any check, so it stands for what is in between too.
        self.tamper: dict[str, Callable[[dict | None], tuple | Raw | None]] = {}
        self.revoked: set[str] = set()
        self.requests: list[Seen] = []
        self._encoded: OrderedDict = OrderedDict()  # pre-encoded search answers
        self._lock = threading.RLock()
        self._rng = random.Random(failure_seed)
        self._failures = 0
        self._clients: dict[str, str] = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self._codes: dict[str, dict] = {}
        self._refresh: dict[str, dict] = {}   # refresh token -> {"scope", "client_id"}
        self._access: dict[str, dict] = {}    # access token -> {"scope", "refresh", "expires"}
        self._conns: set = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle --
    @property
    def auth_uri(self) -> str:
        return self.base_url + "o/oauth2/auth"

    @property
    def token_uri(self) -> str:
        return self.base_url + "token"

    @property
    def revoke_uri(self) -> str:
        return self.base_url + "revoke"

    def start(self) -> Self:
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="gsc-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # idle keep-alive connections would otherwise linger
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers for tests --
    def client_config(self, client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET) -> dict:
        with self._lock:
            self._clients[client_id] = client_secret
        return {"installed": {
            "client_id": client_id, "project_id": "gsc-backlinks-test",
            "auth_uri": self.auth_uri, "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_secret": client_secret, "redirect_uris": ["http://localhost"]}}

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def count(self, kind: str) -> int:
        with self._lock:
            return sum(1 for s in self.requests if s.kind == kind)

    def issue_refresh_token(self, scope: str | None = None) -> str:
        """A valid refresh token (any known client may use it), as if the browser flow ran."""
        token = "1//" + secrets.token_urlsafe(48)
        with self._lock:
            self._refresh[token] = {"scope": scope or self.scope_granted, "client_id": None}
        return token

    def revoke_all(self) -> None:
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    # -- internals (call with the lock held) --
    def _mint_access(self, scope: str, refresh: str | None) -> str:
        token = "ya29." + secrets.token_urlsafe(64)
        self._access[token] = {"scope": scope, "refresh": refresh,
                               "expires": time.monotonic() + ACCESS_TOKEN_LIFETIME}
        return token

    def _access_scope(self, token: str) -> str | None:
        with self._lock:
            info = self._access.get(token)
            if info is None or info["expires"] < time.monotonic():
                return None
            return info["scope"]

    def _pick_failure(self) -> int | None:
        with self._lock:
            self._api_calls += 1
            if self.failure_every:
                hit = self._api_calls % self.failure_every == 0  # exactly 1 in N, evenly spread
            else:
                hit = self.failure_rate > 0 and self._rng.random() < self.failure_rate
            if hit:
                status = FAILURE_CYCLE[self._failures % len(FAILURE_CYCLE)]
                self._failures += 1
                return status
            return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn  # set on the per-server subclass
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        with self.standin._lock:
            self.standin._conns.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.standin._lock:
                self.standin._conns.discard(self.connection)

    # -- plumbing --
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body, headers: dict | None = None, content_type: str = JSON_CT) -> None:
        if isinstance(body, (dict, list)):
            # Google pretty-prints; big row pages stay compact (json's C encoder skips indent).
            data = json.dumps(body, indent=None if "rows" in body else 2).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _hang_up(self) -> None:
        """Close the connection with no (further) answer, as a dropped or broken server does."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        s = self.standin
        raw = self._read_body()
        self._t0 = time.monotonic()
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "")
        body: dict | None = None
        bad_json = False
        if raw:
            if "json" in ctype:
                try:
                    body = json.loads(raw)
                except ValueError:
                    bad_json = True
            else:
                body = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        kind, route = self._route(self.command, path)
        tamper = s.tamper.get(kind)
        answer = tamper(body) if tamper is not None else None
        if isinstance(answer, Raw):
            s._record(Seen(kind, self.command, self.path, body, 0, query))
            self.wfile.write(answer)
            self.wfile.flush()
            self._hang_up()
            return
        if answer is not None:
            route = lambda _b, _q: answer  # noqa: E731
        # Recorded before the answer goes out: a client that has its answer finds its request listed.
        try:
            if bad_json:
                status, out, headers = 400, invalid_argument("Invalid JSON payload received."), {}
            else:
                status, out, headers = route(body, query)
        except _Dropped:
            s._record(Seen(kind, self.command, self.path, body, 0, query))
            self._hang_up()
            return
        except BaseException:
            s._record(Seen(kind, self.command, self.path, body, 500, query))
            raise
        s._record(Seen(kind, self.command, self.path, body, status, query))
        if isinstance(out, tuple):  # (html, content type)
            self._send(status, out[0], headers, out[1])
        else:
            self._send(status, out, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def _route(self, method: str, path: str):
        plain = urllib.parse.unquote(path)
        if method == "GET" and plain in ("/o/oauth2/auth", "/o/oauth2/v2/auth"):
            return "auth", self._auth
        if method == "POST" and plain in ("/token", "/o/oauth2/token"):
            return "token", self._token
        if method in ("POST", "GET") and plain in ("/revoke", "/o/oauth2/revoke"):
            return "revoke", self._revoke
        if method == "GET" and plain == "/webmasters/v3/sites":
            return "sites.list", self._api("sites.list", self._sites_list)
        m = re.fullmatch(r"/webmasters/v3/sites/(.+)/searchAnalytics/query", path)
        if method == "POST" and m:
            site = urllib.parse.unquote(m.group(1))
            return "searchanalytics", self._api("searchanalytics", lambda b, q: self._search(site, b))
        if method == "POST" and plain == "/v1/urlInspection/index:inspect":
            return "inspect", self._api("inspect", lambda b, q: self._inspect(b))
        return "other", lambda b, q: (404, NOT_FOUND, {})

    # -- OAuth --
    def _auth(self, _body, q: dict):
        s = self.standin

        def page(status: int, title: str):
            html = (f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
                    f"<h1>Access blocked: Authorization Error</h1><p>{title}</p></body></html>")
            return status, (html, "text/html; charset=utf-8"), {}

        with s._lock:
            client_known = q.get("client_id") in s._clients
        if not client_known:
            return page(400, "Error 401: invalid_client")
        redirect = q.get("redirect_uri", "")
        host = urllib.parse.urlsplit(redirect).hostname
        if not redirect.startswith("http://") or host not in ("localhost", "127.0.0.1", "::1"):
            return page(400, "Error 400: redirect_uri_mismatch")
        if q.get("response_type") != "code" or not q.get("scope"):
            return page(400, "Error 400: invalid_request")
        sep = "&" if "?" in redirect else "?"
        if s.deny_consent:
            params = {"error": "access_denied", "state": q.get("state", "")}
        else:
            code = "4/0A" + secrets.token_urlsafe(40)
            with s._lock:
                s._codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect,
                                  "challenge": q.get("code_challenge"),
                                  "method": q.get("code_challenge_method", "plain"),
                                  "scope": s.scope_granted, "offline": q.get("access_type") == "offline"}
            params = {"state": q.get("state", ""), "code": code, "scope": s.scope_granted}
        location = redirect + sep + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        return 302, (b"", "text/html; charset=UTF-8"), {"Location": location}

    def _client(self, form: dict):
        """(client_id, secret) from the form or HTTP Basic auth."""
        cid, secret = form.get("client_id"), form.get("client_secret")
        authz = self.headers.get("Authorization", "")
        if authz.lower().startswith("basic "):
            try:
                user, _, pw = base64.b64decode(authz[6:].strip()).decode().partition(":")
                cid, secret = urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(pw)
            except (ValueError, UnicodeDecodeError):
                pass
        return cid, secret

    def _check_client(self, form: dict):
        """None when fine, else an error triple."""
        cid, secret = self._client(form)
        if not cid:
            return 400, {"error": "invalid_request", "error_description": "Could not determine client ID from request."}, {}
        with self.standin._lock:
            known = self.standin._clients.get(cid)
        if known is None:
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}, {}
        if secret is None:
            return 400, {"error": "invalid_request", "error_description": "client_secret is missing."}, {}
        if secret != known:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, {}
        return None

    def _token(self, form: dict | None, _q):
        s = self.standin
        form = form or {}
        grant = form.get("grant_type", "")
        bad_grant = (400, {"error": "invalid_grant", "error_description": "Bad Request"}, {})
        if grant == "authorization_code":
            err = self._check_client(form)
            if err:
                return err
            with s._lock:
                info = s._codes.pop(form.get("code", ""), None)
            if info is None or info["client_id"] != self._client(form)[0]:
                return bad_grant
            if form.get("redirect_uri") != info["redirect_uri"]:
                return bad_grant
            if info["challenge"]:
                verifier = form.get("code_verifier", "")
                if info["method"] == "S256":
                    digest = hashlib.sha256(verifier.encode()).digest()
                    verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if not form.get("code_verifier") or verifier != info["challenge"]:
                    return bad_grant
            with s._lock:
                refresh = None
                if info["offline"]:
                    refresh = "1//" + secrets.token_urlsafe(48)
                    s._refresh[refresh] = {"scope": info["scope"], "client_id": info["client_id"]}
                access = s._mint_access(info["scope"], refresh)
            out = {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME}
            if refresh:
                out["refresh_token"] = refresh
            out.update(scope=info["scope"], token_type="Bearer")
            return 200, out, {}
        if grant == "refresh_token":
            err = self._check_client(form)
            if err:
                return err
            rt = form.get("refresh_token", "")
            with s._lock:
                info = s._refresh.get(rt)
                if info is None:
                    return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, {}
                if info["client_id"] not in (None, self._client(form)[0]):
                    return 401, {"error": "unauthorized_client", "error_description": "Unauthorized"}, {}
                scope = info["scope"]
                asked = form.get("scope", "").split()
                if asked and set(asked) <= set(scope.split()):  # narrowing is allowed
                    scope = " ".join(asked)
                access = s._mint_access(scope, rt)
            return 200, {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME,
                         "scope": scope, "token_type": "Bearer"}, {}
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                payload = form.get("assertion", "").split(".")[1]
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            except (IndexError, ValueError):
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, {}
            if not isinstance(claims, dict) or not claims.get("scope"):
                return 400, {"error": "invalid_scope",
                             "error_description": "Invalid OAuth scope or ID token audience provided."}, {}
            with s._lock:
                access = s._mint_access(claims["scope"], None)
            return 200, {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME, "token_type": "Bearer"}, {}
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}, {}

    def _revoke(self, form: dict | None, q: dict):
        s = self.standin
        token = (form or {}).get("token") or q.get("token", "")
        with s._lock:
            refresh = None
            if token in s._refresh:
                refresh = token
            elif token in s._access:
                refresh = s._access.pop(token)["refresh"]  # Google revokes the whole grant
                s.revoked.add(token)
            else:
                return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}, {}
            if refresh is not None:
                s._refresh.pop(refresh, None)
                s.revoked.add(refresh)
                for at in [a for a, i in s._access.items() if i["refresh"] == refresh]:
                    del s._access[at]
        return 200, {}, {}

    # -- API --
    def _api(self, kind: str, inner):
        """Bearer/scope checks, then (for the data endpoints) failures and latency."""
        s = self.standin

        def run(body, q):
            authz = self.headers.get("Authorization", "")
            token = authz[7:].strip() if authz.lower().startswith("bearer ") else ""
            scope = s._access_scope(token) if token else None
            if scope is None:
                return 401, UNAUTHENTICATED, {
                    "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'}
            if not {SCOPE_READONLY, SCOPE_FULL} & set(scope.split()):
                return 403, insufficient_scopes(kind), {}
            if kind not in API_KINDS:
                return inner(body, q)
            failure = s._pick_failure()
            if failure is not None:
                self._sleep_until(s.latency)
                if failure == 0:
                    raise _Dropped()
                return failure, INJECTED[failure], {}
            status, out, headers = inner(body or {}, q)
            rows = out.rows if isinstance(out, _Encoded) else len(out.get("rows", ())) if isinstance(out, dict) else 0
            self._sleep_until(s.latency + s.per_row_latency * rows)
            return status, out, headers

        return run

    def _sleep_until(self, seconds: float) -> None:
        """Answer `seconds` after the request arrived (time spent generating data counts)."""
        left = self._t0 + seconds - time.monotonic()
        if left > 0:
            time.sleep(left)

    def _sites_list(self, _body, _q):
        entries = [{"siteUrl": u, "permissionLevel": lvl} for u, lvl in self.standin.sites.items()]
        return 200, ({"siteEntry": entries} if entries else {}), {}

    def _site_error(self, site: str):
        s = self.standin
        if site not in s.sites or site in s.forbidden_sites or s.sites[site] == "siteUnverifiedUser":
            return 403, site_forbidden(site), {}
        return None

    def _search(self, site: str, body: dict):
        s = self.standin
        if s.quota_exhausted:
            return 429, RATE_LIMITED, {}
        err = self._site_error(site)
        if err:
            return err
        try:
            start = dt.date.fromisoformat(body["startDate"])
            end = dt.date.fromisoformat(body["endDate"])
        except (KeyError, TypeError, ValueError):
            return 400, invalid_argument("startDate and endDate are required, in YYYY-MM-DD format."), {}
        dims = list(body.get("dimensions") or [])
        for n, d in enumerate(dims):
            if d not in ("date", "page", "query", "country", "device", "searchAppearance"):
                return 400, invalid_argument(f"Invalid value at 'dimensions[{n}]', \"{d}\""), {}
        try:
            row_limit = int(body.get("rowLimit") or 1000)
            start_row = int(body.get("startRow") or 0)
        except (TypeError, ValueError):
            return 400, invalid_argument("Invalid value at 'row_limit'"), {}
        if not 0 < row_limit <= MAX_ROW_LIMIT:
            return 400, invalid_argument(
                f"Invalid value at 'row_limit' ({row_limit}): must be between 1 and {MAX_ROW_LIMIT}."), {}
        if start_row < 0:
            return 400, invalid_argument(f"Invalid value at 'start_row' ({start_row})."), {}
        search_type = body.get("type") or body.get("searchType") or "web"
        state = body.get("dataState") or "final"
        if str(search_type).lower() != "web":
            return 200, {"responseAggregationType": "auto"}, {}
        aggregation = "byPage" if "page" in dims else "byProperty"
        rows: list = []
        if s.data is not None and start <= end:
            try:
                rows = s.data.query(site, start, end, dims, str(state).lower(), body.get("dimensionFilterGroups"))
            except (ValueError, re.error) as e:
                return 400, invalid_argument(str(e)), {}
        page = rows[start_row:start_row + row_limit]
        if not page:
            return 200, {"responseAggregationType": aggregation}, {}
        # Encoded here, inside the latency window, and kept: the stand-in's own CPU must not be
        # what a client measures (Google's servers are not one Python process on two cores).
        key = (id(rows), start_row, row_limit, bool(dims), aggregation)
        with s._lock:
            hit = s._encoded.get(key)
        if hit is not None and hit[0] is rows:
            return 200, hit[1], {}
        encoded = _Encoded(json.dumps({"rows": [to_json_row(r, bool(dims)) for r in page],
                                       "responseAggregationType": aggregation}).encode())
        encoded.rows = len(page)
        with s._lock:
            s._encoded[key] = (rows, encoded)
            while len(s._encoded) > 256:
                s._encoded.popitem(last=False)
        return 200, encoded, {}

    def _inspect(self, body: dict):
        s = self.standin
        url, site = body.get("inspectionUrl"), body.get("siteUrl")
        if not url or not site:
            return 400, invalid_argument("inspectionUrl and siteUrl are required."), {}
        err = self._site_error(site)
        if err:
            return err
        if site.startswith("sc-domain:"):
            domain = site[len("sc-domain:"):].lower()
            host = (urllib.parse.urlsplit(url).hostname or "").lower()
            inside = host == domain or host.endswith("." + domain)
        else:
            inside = url.startswith(site)
        if not inside:
            return 403, url_not_in_property(), {}
        with s._lock:
            if s.inspect_quota_left is not None:
                if s.inspect_quota_left <= 0:
                    return 429, RATE_LIMITED, {}
                s.inspect_quota_left -= 1
        return 200, {"inspectionResult": inspection_result(site, url)}, {}

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True


REFERRERS = ("https://blog.other-site.example/post-{n}", "https://news.partner.example/{y}/story-{n}",
             "https://forum.community.example/t/thread-{n}", "https://www.review-hub.example/reviews/{n}",
             "https://links.directory.example/category/{n}", "http://old-blog.example/archive/{n}.html",
             "https://wiki.knowledge.example/wiki/Topic_{n}")


def inspection_result(site: str, url: str) -> dict:
    """Deterministic urlInspection result: "/missing" unknown, "/blocked" robots-blocked."""
    h = int(hashlib.sha256(url.encode()).hexdigest(), 16)
    root = site_root(site)
    if "://" not in root:
        root = "https://" + root
    link = ("https://search.google.com/search-console/inspect?resource_id="
            + urllib.parse.quote(site, safe="") + "&id=" + base64.urlsafe_b64encode(
                hashlib.sha256(url.encode()).digest()[:16]).rstrip(b"=").decode())
    referring = [REFERRERS[(h >> (4 * k)) % len(REFERRERS)].format(n=(h >> (8 * k)) % 97 + 1, y=2020 + k)
                 for k in range(3 + h % 3)]
    referring = list(dict.fromkeys(referring))
    if "/missing" in url:
        status = {"verdict": "NEUTRAL", "coverageState": "URL is unknown to Google",
                  "robotsTxtState": "ROBOTS_TXT_STATE_UNSPECIFIED", "indexingState": "INDEXING_STATE_UNSPECIFIED",
                  "pageFetchState": "PAGE_FETCH_STATE_UNSPECIFIED"}
    elif "/blocked" in url:
        status = {"verdict": "FAIL", "coverageState": "Blocked by robots.txt", "robotsTxtState": "DISALLOWED",
                  "indexingState": "INDEXING_ALLOWED", "lastCrawlTime": "2026-11-20T08:12:33Z",
                  "pageFetchState": "BLOCKED_ROBOTS_TXT", "referringUrls": referring, "crawledAs": "MOBILE"}
    else:
        status = {"verdict": "PASS", "coverageState": "Submitted and indexed", "robotsTxtState": "ALLOWED",
                  # 04:12 UTC is the evening before in California: the date people see is 2026-11-19.
                  "indexingState": "INDEXING_ALLOWED", "lastCrawlTime": "2026-11-20T04:12:33Z",
                  "pageFetchState": "SUCCESSFUL", "googleCanonical": url, "userCanonical": url,
                  "sitemap": [root + "sitemap.xml"], "referringUrls": referring, "crawledAs": "MOBILE"}
    return {"inspectionResultLink": link, "indexStatusResult": status,
            "mobileUsabilityResult": {"verdict": "VERDICT_UNSPECIFIED"}}
