"""A loopback stand-in for the BigQuery REST API (v2), holding Search Console bulk-export tables.

Tests and benchmarks start a :class:`BigQueryStandIn` on 127.0.0.1 and point the *real*
google-cloud-bigquery client at it (``client_options={"api_endpoint": server.base_url}``).
It speaks BigQuery's wire format and EXECUTES the submitted SQL:

* ``jobs.insert`` (queries, dry runs included), ``jobs.get``, ``jobs.cancel``, ``jobs.query``
  and ``jobs.getQueryResults`` with paging (``maxResults``, ``pageToken``; pages also end at
  10 MB, as BigQuery's do), long-polling with ``timeoutMs`` while a job runs;
* the tables of a bulk export — ``searchdata_site_impression``, ``searchdata_url_impression``
  (partitioned on ``data_date``) and ``ExportLog`` — per project and dataset, held in DuckDB;
  the SQL is run there after a few dialect rewrites (backtick-quoted ``project.dataset.table``
  names, ``@name`` parameters, ``FLOAT64``);
* what a query costs: bytes processed are the referenced columns' logical sizes (INT64, FLOAT64,
  DATE, TIMESTAMP 8 bytes, BOOL 1, STRING 2 + UTF-8 length, NULL 0) over the partitions the
  query reads.  A partition is left out only where the WHERE clause of the SELECT that reads
  the table compares ``data_date`` with constants or parameters (=, <, <=, >, >=, BETWEEN, IN),
  so a query without such a filter reads (and is charged) the whole table.  Bytes billed are
  at least 10 MB per table, rounded up to a MB; ``maximumBytesBilled`` fails a job that
  would bill more (``bytesBilledLimitExceeded``) before it runs;
* Google's error bodies: 404 ``notFound`` (dataset, table, or a dataset in another
  location), 403 ``accessDenied`` (on a dataset; ``bigquery.jobs.create`` on a project),
  400 ``invalidQuery`` / ``bytesBilledLimitExceeded``, 403 ``quotaExceeded``,
  429 ``rateLimitExceeded``, 503 ``backendError``; 401 without a valid token and 403
  ``insufficientPermissions`` without a BigQuery scope when ``token_scopes`` is given.

What it does not fake: legacy SQL, the query cache, slots, sessions, the Storage Read API,
table listing, DML.  Its data come from :class:`standin.SearchData`, the generator the Search
Console API stand-in serves, so both sources can be compared on the same numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

JSON_CT = "application/json; charset=UTF-8"
MB = 1024 * 1024
MIN_BILLED_PER_TABLE = 10 * MB
PAGE_BYTES = 10 * MB  #: BigQuery ends a page of results at about 10 MB
BIGQUERY_SCOPES = {"https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/bigquery.readonly",
                   "https://www.googleapis.com/auth/cloud-platform",
                   "https://www.googleapis.com/auth/cloud-platform.read-only"}
SITE_TABLE = "searchdata_site_impression"
URL_TABLE = "searchdata_url_impression"
EXPORT_LOG = "ExportLog"
NAMESPACES = {SITE_TABLE: "SEARCHDATA_SITE_IMPRESSION", URL_TABLE: "SEARCHDATA_URL_IMPRESSION"}
COUNTRIES = ("usa", "deu", "gbr", "fra", "ind", "bra")
DEVICES = ("DESKTOP", "MOBILE", "TABLET")
#: Search appearance flags of the URL table (a few of many: enough to make its rows as wide).
APPEARANCES = ("is_amp_top_stories", "is_amp_blue_link", "is_job_listing", "is_job_details", "is_tpf_qa",
               "is_tpf_faq", "is_tpf_howto", "is_weblite", "is_action", "is_events_listing", "is_events_details",
               "is_search_appearance_android_app", "is_amp_story", "is_amp_image_result", "is_video",
               "is_organic_shopping", "is_review_snippet", "is_special_announcement", "is_recipe_feature",
               "is_recipe_rich_snippet", "is_subscribed_content", "is_page_experience", "is_practice_problems",
               "is_math_solvers", "is_translated_result", "is_edu_q_and_a", "is_product_snippets",
               "is_merchant_listings", "is_learning_videos")

COMMON_COLUMNS = [("data_date", "DATE"), ("site_url", "VARCHAR")]
SCHEMAS = {
    SITE_TABLE: COMMON_COLUMNS + [
        ("query", "VARCHAR"), ("is_anonymized_query", "BOOLEAN"), ("country", "VARCHAR"),
        ("search_type", "VARCHAR"), ("device", "VARCHAR"), ("impressions", "BIGINT"), ("clicks", "BIGINT"),
        ("sum_top_position", "BIGINT")],
    URL_TABLE: COMMON_COLUMNS + [
        ("url", "VARCHAR"), ("query", "VARCHAR"), ("is_anonymized_query", "BOOLEAN"),
        ("is_anonymized_discover", "BOOLEAN"), ("country", "VARCHAR"), ("search_type", "VARCHAR"),
        ("device", "VARCHAR"), *[(name, "BOOLEAN") for name in APPEARANCES],
        ("impressions", "BIGINT"), ("clicks", "BIGINT"), ("sum_position", "BIGINT")],
    EXPORT_LOG: [("agenda", "VARCHAR"), ("namespace", "VARCHAR"), ("data_date", "DATE"),
                 ("epoch_version", "BIGINT"), ("publish_time", "TIMESTAMPTZ")],
}
PARTITIONED = {SITE_TABLE, URL_TABLE}
FIXED_WIDTH = {"DATE": 8, "BIGINT": 8, "DOUBLE": 8, "BOOLEAN": 1, "TIMESTAMPTZ": 8}


# --- Google's error bodies ---------------------------------------------------------------

STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


@dataclasses.dataclass(frozen=True)
class BqError(Exception):
    """An error as BigQuery reports it: HTTP status, reason and message."""

    status: int
    reason: str
    message: str
    location: str | None = None

    def error_proto(self) -> dict:
        out = {"reason": self.reason, "message": self.message}
        if self.location:
            out["location"] = self.location
        return out

    def body(self) -> dict:
        detail = {"message": self.message, "domain": "global", "reason": self.reason}
        if self.location:
            detail.update(location=self.location, locationType="other")
        status = STATUS_NAMES.get(self.status, "UNKNOWN")
        if self.reason in ("quotaExceeded", "rateLimitExceeded"):
            status = "RESOURCE_EXHAUSTED" if self.status == 429 else status
        return {"error": {"code": self.status, "message": self.message, "errors": [detail], "status": status}}


def not_found_table(project: str, dataset: str, table: str, location: str) -> BqError:
    return BqError(404, "notFound", f"Not found: Table {project}:{dataset}.{table} was not found in location {location}")


def not_found_dataset(project: str, dataset: str, location: str) -> BqError:
    return BqError(404, "notFound", f"Not found: Dataset {project}:{dataset} was not found in location {location}")


def access_denied_table(project: str, dataset: str, table: str) -> BqError:
    name = f"{project}:{dataset}.{table}"
    return BqError(403, "accessDenied", f"Access Denied: Table {name}: User does not have permission to query "
                                        f"table {name}, or perhaps it does not exist.")


def access_denied_jobs(project: str) -> BqError:
    return BqError(403, "accessDenied", f"Access Denied: Project {project}: User does not have "
                                        f"bigquery.jobs.create permission in project {project}.")


def bytes_billed_exceeded(limit: int, needed: int) -> BqError:
    return BqError(400, "bytesBilledLimitExceeded",
                   f"Query exceeded limit for bytes billed: {limit}. {needed} or higher required.")


QUOTA_EXCEEDED = BqError(403, "quotaExceeded", "Quota exceeded: Your project exceeded quota for free query bytes "
                                               "scanned. For more information, see "
                                               "https://cloud.google.com/bigquery/docs/troubleshoot-quotas")
RATE_LIMITED = BqError(429, "rateLimitExceeded", "Exceeded rate limits: too many api requests per user per method "
                                                 "for this user_method. For more information, see "
                                                 "https://cloud.google.com/bigquery/docs/troubleshoot-quotas")
BACKEND_ERROR = BqError(503, "backendError", "Error encountered during execution. Retrying may solve the problem.")
UNAUTHENTICATED = BqError(401, "authError", "Request is missing required authentication credential. Expected OAuth 2 "
                                            "access token, login cookie or other valid authentication credential.")


def insufficient_scopes() -> dict:
    return {"error": {
        "code": 403, "message": "Request had insufficient authentication scopes.",
        "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                     "domain": "googleapis.com", "metadata": {"service": "bigquery.googleapis.com",
                                                              "method": "google.cloud.bigquery.v2.JobService.InsertJob"}}]}}


# --- SQL: dialect rewrites and what a query reads --------------------------------------------

_TOKEN_RE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`(?:\s*\.\s*`[^`]*`)*|@\w+|\bFLOAT64\b", re.IGNORECASE)


def to_duckdb(sql: str, project: str) -> str:
    """BigQuery standard SQL -> DuckDB: backtick names (project defaulted), @params, FLOAT64."""

    def rewrite(match: re.Match) -> str:
        token = match.group(0)
        if token[0] in "'\"":
            return token
        if token[0] == "@":
            return "$" + token[1:]
        if token[0] == "`":
            parts = [p for piece in re.findall(r"`([^`]*)`", token) for p in piece.split(".")]
            if len(parts) == 2:
                parts = [project, *parts]
            return ".".join('"' + p.replace('"', '""') + '"' for p in parts)
        return "DOUBLE"

    return _TOKEN_RE.sub(rewrite, sql)


def _walk(node, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _base_tables(from_table) -> list[dict]:
    """BASE_TABLE refs directly in a FROM clause (joins included, subqueries not)."""
    if not isinstance(from_table, dict):
        return []
    if from_table.get("type") == "BASE_TABLE":
        return [from_table]
    if from_table.get("type") == "JOIN":
        return _base_tables(from_table.get("left")) + _base_tables(from_table.get("right"))
    return []


def _conjuncts(expr) -> list[dict]:
    if not isinstance(expr, dict):
        return []
    if expr.get("type") == "CONJUNCTION_AND":
        return [c for child in expr.get("children", []) for c in _conjuncts(child)]
    return [expr]


def _is_partition_column(expr) -> bool:
    return isinstance(expr, dict) and expr.get("class") == "COLUMN_REF" and \
        (expr.get("column_names") or [""])[-1].lower() == "data_date"


_FLIP = {"COMPARE_GREATERTHAN": "COMPARE_LESSTHAN", "COMPARE_LESSTHAN": "COMPARE_GREATERTHAN",
         "COMPARE_GREATERTHANOREQUALTO": "COMPARE_LESSTHANOREQUALTO",
         "COMPARE_LESSTHANOREQUALTO": "COMPARE_GREATERTHANOREQUALTO", "COMPARE_EQUAL": "COMPARE_EQUAL"}
_TESTS = {"COMPARE_EQUAL": lambda d, v: d == v, "COMPARE_GREATERTHAN": lambda d, v: d > v,
          "COMPARE_LESSTHAN": lambda d, v: d < v, "COMPARE_GREATERTHANOREQUALTO": lambda d, v: d >= v,
          "COMPARE_LESSTHANOREQUALTO": lambda d, v: d <= v}


def _date_value(expr, params: dict):
    """The date a constant, DATE literal or parameter stands for; None if it is not one."""
    if not isinstance(expr, dict):
        return None
    if expr.get("class") == "CAST":
        return _date_value(expr.get("child"), params)
    if expr.get("class") == "PARAMETER":
        value = params.get(expr.get("identifier"))
    elif expr.get("class") == "CONSTANT":
        value = (expr.get("value") or {}).get("value") if "value" in expr else (expr.get("literal") or {}).get("text")
    else:
        return None
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def partition_filter(where, params: dict) -> Callable[[dt.date], bool] | None:
    """A test for the partitions a WHERE clause leaves (None: it prunes nothing), as BigQuery prunes:
    only top-level AND-ed comparisons of data_date with constants count."""
    tests: list[Callable[[dt.date], bool]] = []
    for c in _conjuncts(where):
        kind = c.get("type")
        if kind in _TESTS:
            left, right = c.get("left"), c.get("right")
            if _is_partition_column(right) and not _is_partition_column(left):
                left, right, kind = right, left, _FLIP[kind]
            value = _date_value(right, params) if _is_partition_column(left) else None
            if value is not None:
                tests.append(lambda d, t=_TESTS[kind], v=value: t(d, v))
        elif kind == "COMPARE_BETWEEN" and _is_partition_column(c.get("input")):
            lo, hi = _date_value(c.get("lower"), params), _date_value(c.get("upper"), params)
            if lo is not None and hi is not None:
                tests.append(lambda d, lo=lo, hi=hi: lo <= d <= hi)
        elif kind == "COMPARE_IN" and c.get("children") and _is_partition_column(c["children"][0]):
            values = [_date_value(v, params) for v in c["children"][1:]]
            if values and None not in values:
                tests.append(lambda d, vs=frozenset(values): d in vs)
    if not tests:
        return None
    return lambda d: all(t(d) for t in tests)


@dataclasses.dataclass
class Reads:
    """What one statement reads: per table (catalog, schema, name), its partition filters
    (None = the whole table), and the column names referenced anywhere (None = SELECT *)."""

    tables: dict = dataclasses.field(default_factory=dict)
    columns: set | None = dataclasses.field(default_factory=set)


def reads_of(statement: dict, params: dict, project: str) -> Reads:
    reads = Reads()
    ctes: set[str] = set()

    def visit(node: dict) -> None:
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            ctes.update(str(entry.get("key", "")).lower() for entry in cte_map.get("map", []))
        if node.get("class") == "STAR" and reads.columns is not None:
            reads.columns = None
        elif node.get("class") == "COLUMN_REF" and reads.columns is not None:
            reads.columns.add((node.get("column_names") or [""])[-1].lower())
        if node.get("type") == "SELECT_NODE":
            keep = partition_filter(node.get("where_clause"), params)
            for ref in _base_tables(node.get("from_table")):
                if not ref.get("schema_name") and ref.get("table_name", "").lower() in ctes:
                    continue
                key = (ref.get("catalog_name") or project, ref.get("schema_name") or "", ref.get("table_name", ""))
                reads.tables.setdefault(key, []).append(keep)

    _walk(statement, visit)
    return reads


# --- the data -------------------------------------------------------------------------------


def bq_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t in ("VARCHAR", "UUID") or t.startswith("VARCHAR"):
        return "STRING"
    if t in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT",
             "UTINYINT", "UHUGEINT"):
        return "INTEGER"
    if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
        return "FLOAT"
    if t == "BOOLEAN":
        return "BOOLEAN"
    if t == "DATE":
        return "DATE"
    if t.startswith("TIMESTAMP"):
        return "TIMESTAMP"
    return "STRING"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def cell(value, kind: str, int64_timestamp: bool):
    """One value in BigQuery's JSON row format: strings, or null."""
    if value is None:
        return None
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if kind == "FLOAT":
        return repr(float(value))
    if kind == "TIMESTAMP":
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        micros = (moment - _EPOCH) // dt.timedelta(microseconds=1)
        return str(micros) if int64_timestamp else repr(micros / 1e6)
    if kind == "DATE":
        return value.isoformat()
    return str(value)


@dataclasses.dataclass
class Dataset:
    project: str
    name: str
    location: str
    tables: set = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class Job:
    project: str
    job_id: str
    location: str
    sql: str
    config: dict
    created: float
    dry_run: bool
    state: str = "PENDING"
    error: BqError | None = None
    schema: list = dataclasses.field(default_factory=list)  #: [(name, BigQuery type)]
    rows: list = dataclasses.field(default_factory=list)
    bytes_processed: int = 0
    bytes_billed: int = 0
    referenced: list = dataclasses.field(default_factory=list)
    params: dict = dataclasses.field(default_factory=dict)
    encoded: dict = dataclasses.field(default_factory=dict)  #: useInt64Timestamp -> rows as JSON text
    started: float | None = None
    ended: float | None = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)

    def reference(self) -> dict:
        return {"projectId": self.project, "jobId": self.job_id, "location": self.location}

    def resource(self) -> dict:
        status: dict = {"state": self.state}
        if self.error is not None:
            status["errorResult"] = self.error.error_proto()
            status["errors"] = [self.error.error_proto()]
        stats: dict = {"creationTime": str(int(self.created * 1000))}
        if self.started:
            stats["startTime"] = str(int(self.started * 1000))
        if self.ended:
            stats["endTime"] = str(int(self.ended * 1000))
        if self.state == "DONE" and self.error is None or self.dry_run:
            stats["totalBytesProcessed"] = str(self.bytes_processed)
            stats["query"] = {
                "totalBytesProcessed": str(self.bytes_processed), "totalBytesBilled": str(self.bytes_billed),
                "cacheHit": False, "statementType": "SELECT",
                "referencedTables": [{"projectId": p, "datasetId": d, "tableId": t} for p, d, t in self.referenced],
            }
        return {"kind": "bigquery#job", "etag": "\"" + self.job_id[:8] + "\"",
                "id": f"{self.project}:{self.location}.{self.job_id}",
                "selfLink": f"/bigquery/v2/projects/{self.project}/jobs/{self.job_id}?location={self.location}",
                "user_email": "standin@example.com", "jobReference": self.reference(),
                "configuration": {"query": self.config, "jobType": "QUERY",
                                  **({"dryRun": True} if self.dry_run else {})},
                "status": status, "statistics": stats}


@dataclasses.dataclass(frozen=True)
class Seen:
    kind: str  #: "jobs.insert", "jobs.query", "jobs.get", "jobs.getQueryResults", "jobs.cancel", "other"
    method: str
    path: str
    body: dict | None
    status: int
    dry_run: bool = False
    sql: str = ""
    rows: int = 0  #: result rows sent in this answer
    bytes: int = 0  #: body bytes sent
    processed: int = 0  #: bytes the query reads, as its answer says (dry runs: the estimate)
    params: dict = dataclasses.field(default_factory=dict)  #: query parameters by name (raw strings)
    started: float = 0.0  #: time.monotonic() when the request arrived
    at: float = 0.0  #: and when it was answered


class BigQueryStandIn:
    """BigQuery's REST API on 127.0.0.1, over bulk-export tables in DuckDB."""

    def __init__(self, *, token_scopes: Callable[[str], str | None] | None = None, latency: float = 0.0,
                 per_row_latency: float = 0.0, job_seconds: float = 0.0):
        import duckdb

        self.token_scopes = token_scopes  #: access token -> its scopes (None: invalid); None: no auth check
        self.latency = latency  #: seconds each answer takes at least
        self.per_row_latency = per_row_latency  #: and per result row in it
        self.job_seconds = job_seconds  #: seconds a query job runs at least
        self.page_bytes = PAGE_BYTES  #: where a page of results ends (tests make it small to page more)
        self.datasets: dict[tuple[str, str], Dataset] = {}
        self.denied_datasets: set[tuple[str, str]] = set()  #: (project, dataset) the caller may not read
        self.jobs_denied: set[str] = set()  #: projects where the caller may not create jobs
        self.quota_exhausted = False  #: jobs.insert / jobs.query answer 403 quotaExceeded
        self.rate_limited = 0  #: the next N requests answer 429 rateLimitExceeded
        self.backend_errors = 0  #: the next N requests answer 503 backendError
        self.html_answers = 0  #: the next N requests answer 200 with an HTML page (a captive portal, a proxy)
        #: job -> an error to fail it with (or None), asked of every query that would run (not dry runs)
        self.fail_job: Callable[[Job], BqError | None] | None = None
        self.requests: list[Seen] = []
        self.crashes: list[str] = []  #: tracebacks of the stand-in's own bugs (answered 500, never retried)
        self.jobs: dict[tuple[str, str], Job] = {}
        self._db = duckdb.connect()
        self._lock = threading.RLock()
        self._sizes: dict = {}  #: (catalog, schema, table) -> {date or None: {column: bytes}}
        self._dates: dict = {}  #: (catalog, schema, table) -> its partitions' dates
        #: Keep each query's answer (by SQL and parameters) for the next job of the same query: a benchmark
        #: runs every query once up front, so the tool measured meets a server that only waits.
        self.cache_results = False
        self._results: dict = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle --
    def start(self) -> Self:
        if self._server is None:
            handler = type("Handler", (_Handler,), {"standin": self})
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            self._server.daemon_threads = True
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="bq-standin", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
        self._db.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- data --
    def add_export(self, project: str, dataset: str = "searchconsole", location: str = "US",
                   tables: tuple[str, ...] = (SITE_TABLE, URL_TABLE, EXPORT_LOG)) -> Dataset:
        """An empty bulk-export dataset (the tables Search Console creates)."""
        with self._lock:
            catalogs = {r[0] for r in self._db.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
            if project not in catalogs:
                self._db.execute(f"ATTACH ':memory:' AS {_q(project)}")
            self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(project)}.{_q(dataset)}")
            ds = self.datasets.setdefault((project, dataset), Dataset(project, dataset, location))
            for table in tables:
                columns = ", ".join(f"{_q(name)} {kind}" for name, kind in SCHEMAS[table])
                self._db.execute(f"CREATE TABLE IF NOT EXISTS {_q(project)}.{_q(dataset)}.{_q(table)} ({columns})")
                ds.tables.add(table)
            return ds

    def drop_table(self, project: str, dataset: str, table: str) -> None:
        with self._lock:
            self._db.execute(f"DROP TABLE {_q(project)}.{_q(dataset)}.{_q(table)}")
            self.datasets[(project, dataset)].tables.discard(table)
            self._forget((project, dataset, table))

    def insert(self, project: str, dataset: str, table: str, columns: dict) -> None:
        """Append rows given as columns (lists) to a table."""
        import pyarrow as pa

        names = [name for name, _ in SCHEMAS[table]]
        length = len(next(iter(columns.values())))
        arrays = {n: columns.get(n, [None] * length) for n in names}
        incoming = pa.table(arrays)
        with self._lock:
            self._db.register("incoming_rows", incoming)
            try:
                cols = ", ".join(_q(n) for n in names)
                self._db.execute(f"INSERT INTO {_q(project)}.{_q(dataset)}.{_q(table)} ({cols}) "
                                 f"SELECT {cols} FROM incoming_rows")
            finally:
                self._db.unregister("incoming_rows")
            self._forget((project, dataset, table))

    def delete_day(self, project: str, dataset: str, table: str, day: dt.date) -> None:
        with self._lock:
            self._db.execute(f"DELETE FROM {_q(project)}.{_q(dataset)}.{_q(table)} WHERE data_date = ?", [day])
            self._forget((project, dataset, table))

    def log_export(self, project: str, dataset: str, day: dt.date, epoch_version: int = 0,
                   tables: tuple[str, ...] = (SITE_TABLE, URL_TABLE), at: dt.datetime | None = None) -> None:
        """Rows in ExportLog saying the day of these tables was published (again)."""
        at = at or dt.datetime.combine(day + dt.timedelta(days=2), dt.time(9, 30), tzinfo=dt.UTC)
        self.insert(project, dataset, EXPORT_LOG, {
            "agenda": ["SEARCHDATA"] * len(tables), "namespace": [NAMESPACES[t] for t in tables],
            "data_date": [day] * len(tables), "epoch_version": [epoch_version] * len(tables),
            "publish_time": [at] * len(tables)})

    def sql(self, text: str, params: list | None = None) -> list[tuple]:
        """Run SQL (DuckDB dialect) on the stand-in's tables: for tests to look at what it holds, or to change
        values in place (sizes and partitions are remembered: use insert/delete_day for more or fewer rows)."""
        with self._lock:
            return self._db.execute(text, params or []).fetchall()

    def table_rows(self, project: str, dataset: str, table: str) -> int:
        return self.sql(f"SELECT count(*) FROM {_q(project)}.{_q(dataset)}.{_q(table)}")[0][0]

    def count(self, kind: str, *, dry_run: bool | None = None) -> int:
        with self._lock:
            return sum(1 for s in self.requests if s.kind == kind and (dry_run is None or s.dry_run == dry_run))

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- cost --
    def _forget(self, key: tuple) -> None:
        """A table's data changed: what was worked out of it is gone."""
        self._sizes.pop(key, None)
        self._dates.pop(key, None)
        self._results.clear()

    def _partition_dates(self, key: tuple) -> list:
        with self._lock:
            if key not in self._dates:
                catalog, schema, table = key
                self._dates[key] = [r[0] for r in self._db.execute(
                    f"SELECT DISTINCT data_date FROM {_q(catalog)}.{_q(schema)}.{_q(table)} ORDER BY 1").fetchall()]
            return self._dates[key]

    def _partition_sizes(self, key: tuple, dates: list | None) -> dict:
        """{date (None for an unpartitioned table): {column: logical bytes}} for the asked dates."""
        catalog, schema, table = key
        kinds = dict(SCHEMAS[table])
        with self._lock:
            cache = self._sizes.setdefault(key, {})
            if table in PARTITIONED:
                all_dates = self._partition_dates(key)
                wanted = all_dates if dates is None else [d for d in all_dates if d in set(dates)]
            else:
                wanted = [None]
            missing = [d for d in wanted if d not in cache]
            if missing:
                parts = [f"count(*) * {FIXED_WIDTH[k]}" if k in FIXED_WIDTH else
                         f"coalesce(sum(strlen({_q(n)}) + 2), 0)" for n, k in kinds.items()]
                group = "data_date" if table in PARTITIONED else "NULL"
                sql = (f"SELECT {group}, {', '.join(parts)} FROM {_q(catalog)}.{_q(schema)}.{_q(table)}"
                       + (" WHERE data_date IN (SELECT unnest(?::DATE[])) GROUP BY data_date"
                          if table in PARTITIONED else ""))
                rows = self._db.execute(sql, [missing] if table in PARTITIONED else []).fetchall()
                for row in rows:
                    cache[row[0]] = dict(zip(kinds, map(int, row[1:])))
                for d in missing:
                    cache.setdefault(d, dict.fromkeys(kinds, 0))
            return {d: cache[d] for d in wanted}

    def _cost(self, job: Job, statement: dict, params: dict) -> None:
        """Check the tables a query reads (existence, location, permission) and what it reads of them."""
        reads = reads_of(statement, params, job.project)
        processed = billed = 0
        for key, filters in reads.tables.items():
            catalog, schema, table = key
            ds = self.datasets.get((catalog, schema))
            if job.location is None and ds is not None:
                job.location = ds.location  # no location given: BigQuery runs the job where the data is
            if ds is None or ds.location.lower() != job.location.lower():
                raise not_found_dataset(catalog, schema, job.location or "US")
            if (catalog, schema) in self.denied_datasets:
                raise access_denied_table(catalog, schema, table)
            real = next((t for t in ds.tables if t.lower() == table.lower()), None)
            if real is None:
                raise not_found_table(catalog, schema, table, job.location)
            kinds = dict(SCHEMAS[real])
            columns = list(kinds) if reads.columns is None else [c for c in kinds if c.lower() in reads.columns]
            if real in PARTITIONED and all(f is not None for f in filters):
                dates = {d for d in self._partition_dates((catalog, schema, real)) if any(f(d) for f in filters)}
                sizes = self._partition_sizes((catalog, schema, real), sorted(dates))
            else:
                sizes = self._partition_sizes((catalog, schema, real), None)
            table_bytes = sum(part[c] for part in sizes.values() for c in columns)
            processed += table_bytes
            billed += max(table_bytes, MIN_BILLED_PER_TABLE)
            job.referenced.append((catalog, schema, real))
        job.bytes_processed = processed
        job.bytes_billed = math.ceil(billed / MB) * MB if reads.tables else 0

    # -- jobs --
    def _params(self, config: dict) -> dict:
        out = {}
        for p in config.get("queryParameters") or []:
            name = p.get("name")
            kind = ((p.get("parameterType") or {}).get("type") or "STRING").upper()
            raw = (p.get("parameterValue") or {}).get("value")
            if raw is None:
                out[name] = None
            elif kind == "DATE":
                out[name] = dt.date.fromisoformat(raw)
            elif kind in ("INT64", "INTEGER"):
                out[name] = int(raw)
            elif kind in ("FLOAT64", "FLOAT"):
                out[name] = float(raw)
            elif kind in ("BOOL", "BOOLEAN"):
                out[name] = raw.lower() == "true"
            else:
                out[name] = raw
        return out

    def _prepare(self, job: Job) -> tuple[str, dict]:
        """Parse and cost a job's query; raises BqError for what BigQuery refuses up front."""
        if job.project in self.jobs_denied:
            raise access_denied_jobs(job.project)
        if self.quota_exhausted:
            raise QUOTA_EXCEEDED
        if job.config.get("useLegacySql", True) is not False:
            raise BqError(400, "invalidQuery", "Legacy SQL is not supported by this stand-in; set useLegacySql false")
        params = self._params(job.config)
        duck_sql = to_duckdb(job.sql, job.project)
        with self._lock:
            tree = json.loads(self._db.execute("SELECT json_serialize_sql(?)", [duck_sql]).fetchone()[0])
        if tree.get("error"):
            raise BqError(400, "invalidQuery", f"Syntax error: {tree.get('error_message', 'cannot parse')}",
                          location="query")
        statements = tree.get("statements") or []
        if len(statements) != 1 or "node" not in statements[0]:
            raise BqError(400, "invalidQuery", "Only one SELECT statement per query is supported here",
                          location="query")
        self._cost(job, statements[0], params)
        job.location = job.location or "US"
        limit = job.config.get("maximumBytesBilled")
        if not job.dry_run and limit is not None and job.bytes_billed > int(limit):
            raise bytes_billed_exceeded(int(limit), job.bytes_billed)
        job.params = params
        failure = self.fail_job(job) if self.fail_job is not None and not job.dry_run else None
        if failure is not None:
            raise failure
        return duck_sql, params

    def _run(self, job: Job, duck_sql: str, params: dict) -> None:
        job.state, job.started = "RUNNING", time.time()
        key = (duck_sql, tuple(sorted(params.items())))
        cached = self._results.get(key) if self.cache_results else None
        try:
            if cached is None:
                cached = self._execute(duck_sql, params)
                if self.cache_results:
                    self._results[key] = cached
            job.schema, job.rows, job.encoded = cached
        except Exception as exc:  # noqa: BLE001  (any DuckDB error is the query's fault here)
            job.error = BqError(400, "invalidQuery", str(exc).splitlines()[0], location="query")
        left = job.started + self.job_seconds - time.time()
        if left > 0:
            time.sleep(left)
        job.ended = time.time()
        if job.error is not None:
            job.bytes_billed = job.bytes_processed = 0
        job.state = "DONE"
        job.done.set()

    def _execute(self, duck_sql: str, params: dict) -> tuple[list, list, dict]:
        """(schema, rows, rows encoded as JSON per useInt64Timestamp) of a query run in DuckDB."""
        cursor = self._db.cursor()
        try:
            result = cursor.execute(duck_sql, params)
            names = [d[0] for d in result.description]
            kinds = [bq_type(str(d[1])) for d in result.description]
            rows = result.fetchall()
        finally:
            cursor.close()
        # Encoded once, while the job runs: the stand-in's own CPU must not be what a client measures.
        encoded = {flag: [json.dumps({"f": [{"v": cell(v, k, flag)} for v, k in zip(row, kinds)]},
                                     separators=(",", ":")) for row in rows]
                   for flag in ((False, True) if "TIMESTAMP" in kinds else (False,))}
        encoded.setdefault(True, encoded[False])
        return list(zip(names, kinds)), rows, encoded

    def submit(self, project: str, config: dict, job_ref: dict | None, *, dry_run: bool, wait: bool = False) -> Job:
        """Create a query job; a dry run or a refused one is DONE at once, else it runs in the background."""
        job_ref = job_ref or {}
        job_id = job_ref.get("jobId") or "job_" + uuid.uuid4().hex
        location = job_ref.get("location") or config.get("_location")  # None: the datasets' (as BigQuery infers)
        job = Job(project, job_id, location, str(config.get("query", "")),
                  {k: v for k, v in config.items() if not k.startswith("_")}, time.time(), dry_run)
        with self._lock:
            if not dry_run and (project, job_id) in self.jobs:
                raise BqError(409, "duplicate", f"Already Exists: Job {project}:{location}.{job_id}")
        duck_sql, params = self._prepare(job)  # raises: the request itself fails, no job is kept
        if dry_run:
            job.state = "DONE"
            job.done.set()
            return job
        with self._lock:
            self.jobs[(project, job_id)] = job
        if wait:
            self._run(job, duck_sql, params)
        else:
            threading.Thread(target=self._run, args=(job, duck_sql, params), daemon=True,
                             name=f"bq-job-{job_id[:8]}").start()
        return job

    def job(self, project: str, job_id: str, location: str | None) -> Job:
        with self._lock:
            job = self.jobs.get((project, job_id))
        if job is None or (location and location.lower() != job.location.lower()):
            raise BqError(404, "notFound", f"Not found: Job {project}:{location or 'US'}.{job_id}")
        return job

    def results(self, job: Job, query: dict) -> dict:
        """A getQueryResults answer for a finished job."""
        if job.error is not None:
            raise job.error
        start = int(query.get("startIndex") or 0)
        token = query.get("pageToken")
        if token:
            try:
                start = int(token.removeprefix("row-"))
            except ValueError:
                raise BqError(400, "invalid", f"Invalid page token: {token}") from None
        limit = query.get("maxResults")
        limit = int(limit) if limit not in (None, "") else None
        int64_ts = str(query.get("formatOptions.useInt64Timestamp", "")).lower() == "true"
        encoded = job.encoded[int64_ts]
        rows, size, end = _RawRows(), 0, start
        while end < len(encoded) and (limit is None or len(rows) < limit):
            size += len(encoded[end]) + 1
            if rows and size > self.page_bytes:
                break
            rows.append(encoded[end])
            end += 1
        out = {"kind": "bigquery#getQueryResultsResponse", "etag": "\"r\"", "jobReference": job.reference(),
               "schema": {"fields": [{"name": n, "type": k, "mode": "NULLABLE"} for n, k in job.schema]},
               "totalRows": str(len(job.rows)), "totalBytesProcessed": str(job.bytes_processed),
               "jobComplete": True, "cacheHit": False}
        if rows:
            out["rows"] = rows
        if end < len(job.rows):
            out["pageToken"] = f"row-{end}"
        return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Handler(BaseHTTPRequestHandler):
    standin: BigQueryStandIn
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def log_message(self, format, *args):
        pass

    def _send(self, status: int, body: dict, seen: Seen) -> None:
        raw_rows = body.get("rows")
        if isinstance(raw_rows, _RawRows):
            head = json.dumps({k: v for k, v in body.items() if k != "rows"}, separators=(",", ":"))
            data = (head[:-1] + ',"rows":[' + ",".join(raw_rows) + "]}").encode()
        else:
            data = json.dumps(body, separators=(",", ":") if "rows" in body else (", ", ": ")).encode()
        rows = len(raw_rows) if isinstance(raw_rows, list) else 0
        s = self.standin
        left = self._t0 + s.latency + s.per_row_latency * rows - time.monotonic()
        if left > 0:
            time.sleep(left)
        stats = body.get("statistics") if isinstance(body.get("statistics"), dict) else body
        processed = int(stats.get("totalBytesProcessed") or 0) if isinstance(stats, dict) else 0
        with s._lock:
            s.requests.append(dataclasses.replace(seen, status=status, rows=rows, bytes=len(data),
                                                  processed=processed, started=self._t0, at=time.monotonic()))
        self.send_response(status)
        self.send_header("Content-Type", JSON_CT)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        s = self.standin
        self._t0 = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        kind, route = self._route(self.command, split.path)
        body = None
        seen = Seen(kind, self.command, self.path, None, 0)
        try:
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise BqError(400, "parseError", "Parse Error") from None
            seen = Seen(kind, self.command, self.path, body, 0,
                        dry_run=bool(_dry_run_of(kind, body)), sql=_sql_of(kind, body), params=_params_of(kind, body))
            self._check_auth()
            with s._lock:
                if s.rate_limited and kind != "other":
                    s.rate_limited -= 1
                    raise RATE_LIMITED
                if s.backend_errors and kind != "other":
                    s.backend_errors -= 1
                    raise BACKEND_ERROR
                html = bool(s.html_answers)
                s.html_answers -= html
            if html:
                page = b"<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head><body>Sign in</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                with s._lock:
                    s.requests.append(dataclasses.replace(seen, status=200, bytes=len(page)))
                return
            status, answer = route(body or {}, query)
        except BqError as exc:
            self._send(exc.status, exc.body(), seen)
            return
        except _Raw as raw_answer:
            self._send(raw_answer.status, raw_answer.body, seen)
            return
        except Exception as exc:  # noqa: BLE001  (a bug of the stand-in: kept for the test to see, answered unretryably)
            import traceback

            s.crashes.append(traceback.format_exc())
            self._send(500, BqError(500, "standInBug", f"{type(exc).__name__}: {exc}").body(), seen)
            return
        self._send(status, answer, seen)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def _check_auth(self) -> None:
        s = self.standin
        if s.token_scopes is None:
            return
        authz = self.headers.get("Authorization", "")
        token = authz[7:].strip() if authz.lower().startswith("bearer ") else ""
        scopes = s.token_scopes(token) if token else None
        if scopes is None:
            raise UNAUTHENTICATED
        if not BIGQUERY_SCOPES & set(scopes.split()):
            raise _Raw(403, insufficient_scopes())

    def _route(self, method: str, path: str):
        m = re.fullmatch(r"/bigquery/v2/projects/([^/]+)/(jobs|queries)(?:/([^/]+))?(/cancel)?", path)
        if m:
            project, what, job_id, cancel = (urllib.parse.unquote(g) if g else g for g in m.groups())
            if what == "jobs" and method == "POST" and job_id is None:
                return "jobs.insert", lambda b, q: self._insert(project, b)
            if what == "jobs" and method == "GET" and job_id and not cancel:
                return "jobs.get", lambda b, q: (200, self.standin.job(project, job_id, q.get("location")).resource())
            if what == "jobs" and method == "POST" and job_id and cancel:
                return "jobs.cancel", lambda b, q: self._cancel(project, job_id, q)
            if what == "queries" and method == "POST" and job_id is None:
                return "jobs.query", lambda b, q: self._query(project, b)
            if what == "queries" and method == "GET" and job_id:
                return "jobs.getQueryResults", lambda b, q: self._get_results(project, job_id, q)
        return "other", lambda b, q: (_ for _ in ()).throw(BqError(404, "notFound", f"Not found: URL {path}"))

    def _insert(self, project: str, body: dict):
        config = (body.get("configuration") or {})
        query_config = dict(config.get("query") or {})
        if not query_config.get("query"):
            raise BqError(400, "invalid", "Only query jobs are supported by this stand-in")
        job = self.standin.submit(project, query_config, body.get("jobReference"), dry_run=bool(config.get("dryRun")))
        return 200, job.resource()

    def _cancel(self, project: str, job_id: str, q: dict):
        job = self.standin.job(project, job_id, q.get("location"))
        return 200, {"kind": "bigquery#jobCancelResponse", "job": job.resource()}

    def _wait(self, job: Job, q: dict, default_ms: int = 10_000) -> bool:
        timeout_ms = q.get("timeoutMs")
        return job.done.wait((int(timeout_ms) if timeout_ms not in (None, "") else default_ms) / 1000)

    def _get_results(self, project: str, job_id: str, q: dict):
        job = self.standin.job(project, job_id, q.get("location"))
        if not self._wait(job, q):
            return 200, {"kind": "bigquery#getQueryResultsResponse", "jobReference": job.reference(),
                         "jobComplete": False}
        return 200, self.standin.results(job, q)

    def _query(self, project: str, body: dict):
        config = {k: v for k, v in body.items() if k not in ("kind", "maxResults", "timeoutMs", "location",
                                                           "requestId", "formatOptions", "dryRun", "jobCreationMode")}
        config["_location"] = body.get("location")
        job = self.standin.submit(project, config, None, dry_run=bool(body.get("dryRun")))
        if job.dry_run:
            return 200, {"kind": "bigquery#queryResponse", "jobReference": {"projectId": project,
                                                                            "location": job.location},
                         "totalBytesProcessed": str(job.bytes_processed), "jobComplete": True, "cacheHit": False,
                         "schema": {"fields": []}}
        q = {"timeoutMs": body.get("timeoutMs"), "maxResults": body.get("maxResults"),
             "formatOptions.useInt64Timestamp": (body.get("formatOptions") or {}).get("useInt64Timestamp")}
        if not self._wait(job, q):
            return 200, {"kind": "bigquery#queryResponse", "jobReference": job.reference(), "jobComplete": False}
        answer = self.standin.results(job, {k: v for k, v in q.items() if v is not None and k != "timeoutMs"})
        answer["kind"] = "bigquery#queryResponse"
        answer["totalBytesBilled"] = str(job.bytes_billed)
        return 200, answer


class _RawRows(list):
    """Result rows already encoded as JSON text."""


class _Raw(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.status, self.body = status, body


def _dry_run_of(kind: str, body) -> bool:
    if not isinstance(body, dict):
        return False
    if kind == "jobs.insert":
        return bool((body.get("configuration") or {}).get("dryRun"))
    return kind == "jobs.query" and bool(body.get("dryRun"))


def _params_of(kind: str, body) -> dict:
    if not isinstance(body, dict):
        return {}
    config = ((body.get("configuration") or {}).get("query") or {}) if kind == "jobs.insert" else body
    return {p.get("name"): (p.get("parameterValue") or {}).get("value") for p in config.get("queryParameters") or []
            if isinstance(p, dict)}


def _sql_of(kind: str, body) -> str:
    if not isinstance(body, dict):
        return ""
    if kind == "jobs.insert":
        return str(((body.get("configuration") or {}).get("query") or {}).get("query", ""))
    return str(body.get("query", "")) if kind == "jobs.query" else ""


# --- bulk-export rows from the Search Console API stand-in's data -----------------------------


def _spread(total: int, n: int) -> list[int]:
    """``total`` in ``n`` near-equal whole parts, the larger first."""
    return [total // n + (1 if j < total % n else 0) for j in range(n)]


def _splits(impressions: list[int], rows: int) -> list[int]:
    """Rows per key adding up to ``rows`` (as far as the keys' impressions allow: every row has at least
    one), in proportion to impressions, as busier keys spread over more countries and devices."""
    total = sum(impressions) or 1
    splits = [max(1, min(i, rows * i // total)) for i in impressions]
    left = rows - sum(splits)
    order = sorted(range(len(impressions)), key=lambda k: splits[k] - impressions[k])  # most room first
    while left > 0:
        moved = 0
        for k in order:
            if left <= 0:
                break
            if splits[k] < impressions[k]:
                splits[k] += 1
                left -= 1
                moved += 1
        if not moved:
            break
    return splits


def export_rows(data, site: str, day: dt.date, *, search_type: str = "WEB", rows_per_day: int | None = None,
                split: int = 3) -> tuple[dict, dict]:
    """(site table columns, URL table columns) of one day, made from the same :class:`SearchData` that
    the Search Console API stand-in serves, so the sums per day, per page and per page x query equal
    what the API answers.

    Each (page, query) row and each page's anonymized remainder (page total minus its query rows:
    the queries the API leaves out) is spread over several rows of other countries and devices
    (``split`` each, or as many as make ``rows_per_day`` URL-table rows): keys repeat, as in the
    real export.  Positions become zero-based integer sums (``sum_position`` / ``sum_top_position``).
    The site table gets the same spread with ``url`` left out, so its sums equal the API's
    property totals (which the stand-in adds up over pages).
    """
    pairs = data.rows(site, day, ["page", "query"], "final")
    pages = data.rows(site, day, ["page"], "final")
    rest: dict[str, list] = {p["keys"][0]: [p["clicks"], p["impressions"], p["position"] * p["impressions"]]
                             for p in pages}
    keyed = []  # (url, query or None, clicks, impressions, zero-based position x impressions)
    for r in pairs:
        page, query = r["keys"]
        keyed.append((page, query, r["clicks"], r["impressions"], (r["position"] - 1) * r["impressions"]))
        left = rest[page]
        left[0] -= r["clicks"]
        left[1] -= r["impressions"]
        left[2] -= r["position"] * r["impressions"]
    for page, (clicks, impressions, weighted) in rest.items():
        if impressions > 0:
            keyed.append((page, None, clicks, impressions, weighted - impressions))
    if rows_per_day is not None and keyed:
        splits = _splits([k[3] for k in keyed], rows_per_day)
    else:
        splits = [split] * len(keyed)
    site_cols: dict[str, list] = {k: [] for k in ("data_date", "site_url", "query", "is_anonymized_query", "country",
                                                  "search_type", "device", "impressions", "clicks",
                                                  "sum_top_position")}
    url_cols: dict[str, list] = {k: [] for k in ("data_date", "site_url", "url", "query", "is_anonymized_query",
                                                 "is_anonymized_discover", "country", "search_type", "device",
                                                 "is_video", "impressions", "clicks", "sum_position")}
    for i, ((page, query, clicks, impressions, weighted), n) in enumerate(zip(keyed, splits)):
        n = max(1, min(n, impressions))  # every row has at least one impression
        shares_i, shares_c = _spread(impressions, n), _spread(clicks, n)  # clicks <= impressions row by row
        total_pos, done, shares_pos = max(0, round(weighted)), 0, []
        for j in range(n):  # zero-based position sums in proportion to impressions, adding up exactly
            done += shares_i[j]
            shares_pos.append(round(total_pos * done / impressions) - sum(shares_pos))
        for j in range(n):
            country, device = COUNTRIES[(i + j) % len(COUNTRIES)], DEVICES[(i // 2 + j) % len(DEVICES)]
            for cols in (site_cols, url_cols):
                cols["data_date"].append(day)
                cols["site_url"].append(site)
                cols["query"].append(query)
                cols["is_anonymized_query"].append(query is None)
                cols["country"].append(country)
                cols["search_type"].append(search_type)
                cols["device"].append(device)
                cols["impressions"].append(shares_i[j])
                cols["clicks"].append(shares_c[j])
            site_cols["sum_top_position"].append(shares_pos[j])
            url_cols["url"].append(page)
            url_cols["is_anonymized_discover"].append(False)
            url_cols["is_video"].append(False)
            url_cols["sum_position"].append(shares_pos[j])
    return site_cols, url_cols


def load_search_data(server: BigQueryStandIn, project: str, dataset: str, data, site: str, days=None, *,
                     rows_per_day: int | None = None, split: int = 3, epoch_version: int = 0,
                     other_types: bool = True) -> None:
    """Fill a bulk-export dataset with the days of ``data`` and log them as published.

    ``other_types`` adds a few IMAGE rows per day (which a query for WEB must leave out).
    """
    for day in days if days is not None else data.days:
        if not data.available(site, day, "final"):
            continue
        site_cols, url_cols = export_rows(data, site, day, rows_per_day=rows_per_day, split=split)
        if other_types and site_cols["data_date"]:
            for cols, n in ((site_cols, 5), (url_cols, 5)):
                for name in cols:
                    cols[name].extend(cols[name][:n])
                for k in range(1, n + 1):
                    cols["search_type"][-k] = "IMAGE"
        server.insert(project, dataset, SITE_TABLE, site_cols)
        server.insert(project, dataset, URL_TABLE, url_cols)
        server.log_export(project, dataset, day, epoch_version)
