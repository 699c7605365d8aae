"""Search data from Search Console's bulk data export in BigQuery, aggregated there.

The bulk export writes every row of every day into the owner's dataset
(``searchdata_site_impression``, ``searchdata_url_impression``, ``ExportLog``;
rows repeat keys, so everything is summed).  This source asks BigQuery for
exactly what the store keeps, per day:

* the property total, from the site table (position: ``sum_top_position``);
* the anonymized queries' share of it, as a row of its own;
* page totals and page x query rows, from the URL table (position: ``sum_position``;
  anonymized queries count in page totals, never as query rows, as with the API);

each query filtered on the partition column ``data_date`` (so BigQuery reads one
day's partition, never the whole table) and on ``search_type``.  Which days exist,
and at which version, comes from ``ExportLog``.

Every query is first a dry run: the bytes it would read are reported, a query
above the cap is refused before anything runs, and the real query carries the
cap as ``maximum_bytes_billed``.  The official client, google-cloud-bigquery,
reads results over REST (``jobs.getQueryResults`` pages); the Storage Read API
is never used: the aggregated rows are small.  One client per thread; the
endpoint comes from ``GSC_BACKLINKS_BIGQUERY_ENDPOINT`` only (tests, proxies).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import arrow, urls
from .bqsettings import DEFAULT_DATASET, DEFAULT_MAX_GB, GB, cap_problem, dataset_problem, location_problem, project_problem
from .errors import AccessError, ApiError, AuthError, GscBacklinksError, NoDataError, QuotaError, UsageError
from .searchdata import DayResult

SITE_TABLE = "searchdata_site_impression"
URL_TABLE = "searchdata_url_impression"
EXPORT_LOG = "ExportLog"
#: The CLI's --type (the Search Console API's names) -> search_type in the export tables.
SEARCH_TYPES = {"web": "WEB", "image": "IMAGE", "video": "VIDEO", "news": "NEWS", "discover": "DISCOVER",
                "googleNews": "GOOGLE_NEWS"}
TIMEOUT = 120.0  #: seconds one HTTP request may take
SETTING = "Search Console > Settings > Bulk data export"
ROLES = ("BigQuery Data Viewer (roles/bigquery.dataViewer) on the dataset and "
         "BigQuery Job User (roles/bigquery.jobUser) on the project")


class CostCapError(UsageError):
    """A query would read (and bill) more than the cap the user set."""


class ExportNotFoundError(NoDataError):
    """The bulk export's dataset or one of its tables is not there (yet)."""


def endpoint() -> str | None:
    """GSC_BACKLINKS_BIGQUERY_ENDPOINT, checked: a wrong one is a setup mistake, not something to retry."""
    value = os.environ.get("GSC_BACKLINKS_BIGQUERY_ENDPOINT") or None
    if value and not value.lower().startswith(("http://", "https://")):
        raise UsageError(f"GSC_BACKLINKS_BIGQUERY_ENDPOINT={value!r} is not an http(s) URL; "
                         "unset it to use Google's BigQuery API")
    return value


def check_names(project: str, dataset: str, location: str | None) -> None:
    """Raise UsageError for a project, dataset or location BigQuery could not name (before any request)."""
    for option, value, problem in (("--project", project, project_problem(project)),
                                   ("--dataset", dataset, dataset_problem(dataset)),
                                   ("--location", location, location_problem(location))):
        if problem:
            raise UsageError(f"{option} {urls.printable(value or '')!r} is {problem}")


def check_cap(max_gb: float) -> None:
    """Raise UsageError for a --max-gb no query could run under."""
    problem = cap_problem(max_gb)
    if problem:
        raise UsageError(f"--max-gb {problem}")


def size_text(n: float) -> str:
    """Bytes as BigQuery shows them: ``850 B``, ``12.3 MB``, ``1.50 GB``, ``2.00 TB`` (powers of 1024)."""
    for unit, scale in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            value = n / scale
            return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    return f"{int(n)} B"


# --- SQL ---------------------------------------------------------------------------------------
# Standard SQL as BigQuery runs it.  Parameters (@name) keep every value out of the text;
# names are checked by check_names and backtick-quoted.


def day_sql(prefix: str, *, by_property: bool = False, by_day: bool = False) -> str:
    """Everything the store keeps of the days @first_day..@last_day and @search_type, in one query.

    Rows of ``level`` 'property' (all rows) and 'anonymized' (anonymized queries only), from the
    site table; 'page' rows (all rows of a URL) and 'query' rows (URL x query, anonymized queries
    left out), from the URL table.  Sums and the average position only: the click-through rate is
    clicks / impressions, worked out on arrival, and the day (``data_date``) is sent only with
    ``by_day`` (a query of several days): every cell less is less JSON to send and read.
    ``by_property`` adds ``site_url = @site`` for a dataset that holds more than one property.
    """
    where = "data_date BETWEEN @first_day AND @last_day AND search_type = @search_type"
    if by_property:
        where += " AND site_url = @site"
    day, group = ("data_date, ", "GROUP BY data_date") if by_day else ("", "HAVING COUNT(*) > 0")
    metrics = ("SUM(clicks) AS clicks, SUM(impressions) AS impressions, "
               "SUM({position}) / NULLIF(SUM(impressions), 0) + 1 AS position")
    site_metrics = metrics.format(position="sum_top_position")
    url_metrics = metrics.format(position="sum_position")
    nothing = "CAST(NULL AS STRING)"
    return f"""\
SELECT 'property' AS level, {day}{nothing} AS url, {nothing} AS query, {site_metrics}
FROM `{prefix}.{SITE_TABLE}`
WHERE {where}
{group}
UNION ALL
SELECT 'anonymized' AS level, {day}{nothing} AS url, {nothing} AS query, {site_metrics}
FROM `{prefix}.{SITE_TABLE}`
WHERE {where} AND is_anonymized_query
{group}
UNION ALL
SELECT 'page' AS level, {day}url, {nothing} AS query, {url_metrics}
FROM `{prefix}.{URL_TABLE}`
WHERE {where}
GROUP BY {day}url
UNION ALL
SELECT 'query' AS level, {day}url, query, {url_metrics}
FROM `{prefix}.{URL_TABLE}`
WHERE {where} AND NOT is_anonymized_query AND query IS NOT NULL
GROUP BY {day}url, query"""


def export_log_sql(prefix: str) -> str:
    """The newest epoch version and publish time of each (day, table) in @first_day..@last_day."""
    return f"""\
SELECT data_date, namespace, MAX(epoch_version) AS epoch_version, MAX(publish_time) AS publish_time
FROM `{prefix}.{EXPORT_LOG}`
WHERE data_date BETWEEN @first_day AND @last_day
GROUP BY data_date, namespace"""


def property_sql(prefix: str) -> str:
    """Which properties the site table holds rows of on @first_day (one partition)."""
    return f"""\
SELECT site_url, COUNT(*) AS row_count
FROM `{prefix}.{SITE_TABLE}`
WHERE data_date = @first_day
GROUP BY site_url"""


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedDay:
    """A day both performance tables were published for, per ExportLog."""

    day: dt.date
    epoch_version: int  #: the two tables' epoch versions added up: it rises when either is re-published
    published_at: dt.datetime | None


@dataclass(frozen=True)
class ExportLog:
    days: dict  #: date -> ExportedDay (both tables published)
    partial: list  #: days only one table was published for (yet)


@dataclass
class BulkDay:
    """One day as the store keeps it, with what it cost."""

    result: DayResult
    epoch_version: int | None
    rows_received: int
    bytes_processed: int
    bytes_billed: int
    anonymized: dict = field(default_factory=dict)  #: clicks and impressions of anonymized queries


def _ctr(clicks: list, impressions: list) -> list:
    return [c / i if i else None for c, i in zip(clicks, impressions)]


def _columns(table, with_query: bool, canonical: dict[str, str]) -> dict:
    """Rows of one level (a pyarrow table) as the store's columns; URLs made canonical once each."""
    raw = table.column("url").to_pylist()
    for url in raw:
        if url not in canonical:
            canonical[url] = urls.canonical_url(url) if url else ""
    out = {"page": [canonical[u] for u in raw]}
    if with_query:
        out["query"] = table.column("query").to_pylist()
    out["clicks"] = table.column("clicks").to_pylist()
    out["impressions"] = table.column("impressions").to_pylist()
    out["ctr"] = _ctr(out["clicks"], out["impressions"])
    out["position"] = table.column("position").to_pylist()
    return out


def day_results(table, first: dt.date, last: dt.date,
                epoch_versions: dict[dt.date, int]) -> dict[dt.date, tuple[DayResult, dict, int]]:
    """The rows of a day query (a pyarrow table) as {day: (DayResult, anonymized totals, rows)}."""
    import pyarrow.compute as pc

    out = {}
    canonical: dict[str, str] = {}
    if "data_date" in table.column_names:
        days = sorted(set(table.column("data_date").to_pylist()))
        per_day = [(day, table.filter(pc.equal(table.column("data_date"), day))) for day in days]
    else:
        if first != last:
            raise ValueError("a query of several days must send data_date (day_sql(by_day=True))")
        per_day = [(first, table)] if table.num_rows else []
    for day, rows in per_day:
        levels = rows.column("level")
        level = {name: rows.filter(pc.equal(levels, name)) for name in ("property", "anonymized", "page", "query")}
        totals: dict[str, Any] = {}
        anonymized: dict[str, Any] = {}
        for name, target in (("property", totals), ("anonymized", anonymized)):
            found = level[name]
            if found.num_rows:
                target.update({k: found.column(k)[0].as_py() for k in ("clicks", "impressions", "position")})
                target["ctr"] = _ctr([target["clicks"]], [target["impressions"]])[0]
        result = DayResult(day, "final", totals or {"clicks": 0, "impressions": 0},
                           _columns(level["page"], False, canonical), _columns(level["query"], True, canonical))
        out[day] = (result, anonymized, rows.num_rows)
    for day in epoch_versions:
        if day not in out:  # published, but nothing of this search type: a final day without data
            out[day] = (DayResult(day, "final", {"clicks": 0, "impressions": 0}), {}, 0)
    return out


#: BigQuery's types on the wire -> what Arrow casts their JSON strings to (others: the client's converters).
_WIRE_TYPES = {"STRING": "string", "INTEGER": "int64", "INT64": "int64", "FLOAT": "float64", "FLOAT64": "float64",
               "DATE": "date32", "BOOLEAN": "bool", "BOOL": "bool"}


def result_table(rows):
    """A query's rows (a RowIterator) as a pyarrow table, read page by page.

    The client's own ``to_arrow`` converts cell by cell in Python; here each page's JSON cells are
    gathered per column and cast by Arrow (twice as fast on a day of 50,000 rows), one page at a
    time (a page's JSON is let go before the next one comes).
    """
    import pyarrow as pa

    fields = list(rows.schema or [])
    kinds = [_WIRE_TYPES.get(str(f.field_type).upper()) for f in fields]
    if None in kinds or any(str(getattr(f, "mode", "NULLABLE")).upper() == "REPEATED" for f in fields):
        return rows.to_arrow(create_bqstorage_client=False, progress_bar_type=None)
    batches = []
    for page in rows.pages:
        raw = (page.raw_page or {}).get("rows") or []
        # pa.array of a list would import pandas; google-cloud-bigquery has imported it already.
        cells = zip(*[[cell["v"] for cell in row["f"]] for row in raw]) if raw else [[]] * len(fields)
        columns = [pa.array(column, pa.string()) for column in cells]
        arrays = [c if kind == "string" else _cast(c, kind) for c, kind in zip(columns, kinds)]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=[f.name for f in fields]))
    if not batches:
        schema = pa.schema([(f.name, getattr(pa, k)() if k != "bool" else pa.bool_()) for f, k in zip(fields, kinds)])
        return schema.empty_table()
    return pa.Table.from_batches(batches)


def _cast(strings, kind: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "bool":
        return pc.equal(pc.utf8_lower(strings), arrow.scalar("true"))
    return pc.cast(strings, {"int64": pa.int64(), "float64": pa.float64(), "date32": pa.date32()}[kind])


# --- the source ----------------------------------------------------------------------------------


class BulkExport:
    """One property's bulk export in BigQuery: dry runs, capped queries, errors in one line.

    ``on_estimate(what, bytes)`` hears every dry run's estimate.  Safe to share between threads.
    """

    def __init__(self, credentials, project: str, dataset: str = DEFAULT_DATASET, *, location: str | None = None,
                 max_gb: float = DEFAULT_MAX_GB, on_estimate: Callable[[str, int], None] | None = None):
        check_names(project, dataset, location)
        check_cap(max_gb)
        self.credentials = credentials
        self.project, self.dataset, self.location = project, dataset, location
        self.max_gb = max_gb
        self.max_bytes = int(max_gb * GB)
        self.on_estimate = on_estimate
        self.api_endpoint = endpoint()
        self.by_property = False  #: set by check_property when the dataset holds other properties too
        self.site: str | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self.jobs = 0
        self.dry_runs = 0
        self.bytes_estimated = 0
        self.bytes_processed = 0
        self.bytes_billed = 0
        self.rows_received = 0
        base = _retry_base()
        self._retry_seconds = base * 120  # how long one call is retried (429, 5xx, dropped connections)
        self._retry_args = {"initial": base, "maximum": base * 32, "multiplier": 2.0}

    @property
    def prefix(self) -> str:
        return f"{self.project}.{self.dataset}"

    @property
    def name(self) -> str:
        return f"{self.project}:{self.dataset}"

    # -- plumbing --
    def _client(self):
        """This thread's client (its HTTP session is not shared between threads)."""
        client = getattr(self._local, "client", None)
        if client is None:
            from google.api_core.client_options import ClientOptions
            from google.cloud import bigquery

            options = ClientOptions(api_endpoint=self.api_endpoint) if self.api_endpoint else None
            client = bigquery.Client(project=self.project, credentials=self.credentials, location=self.location,
                                     client_options=options)
            self._local.client = client
        return client

    def _retry(self):
        """Each HTTP call retried (429, 5xx, dropped connections) for a bounded time.

        Failed jobs are not run again (job_retry=None): the client would otherwise wrap jobs.insert
        in its own retry of up to 10 minutes; a day that fails is asked again by the next sync.
        """
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_deadline(self._retry_seconds).with_delay(**self._retry_args)

    def _config(self, params: dict, *, dry_run: bool):
        from google.cloud.bigquery import QueryJobConfig, ScalarQueryParameter

        kinds = {dt.date: "DATE", str: "STRING", int: "INT64"}
        config = QueryJobConfig(
            query_parameters=[ScalarQueryParameter(k, kinds[type(v)], v) for k, v in params.items()],
            use_legacy_sql=False,
        )
        if dry_run:
            config.dry_run = True
            config.use_query_cache = False  # an estimate of a cached answer says 0 bytes
        else:
            config.maximum_bytes_billed = self.max_bytes
        return config

    def _call(self, what: str, action: Callable):
        """Run one client call; every failure becomes one GscBacklinksError."""
        try:
            return action()
        except GscBacklinksError:
            raise
        except Exception as exc:  # noqa: BLE001  (translated below; anything unknown is re-raised there)
            raise self._translate(exc, what) from None

    def dry_run(self, sql: str, params: dict, what: str) -> int:
        """Bytes the query would read; refused (CostCapError) above the cap."""
        retry = self._retry()
        job = self._call(what, lambda: self._client().query(
            sql, job_config=self._config(params, dry_run=True), retry=retry, job_retry=None, timeout=TIMEOUT))
        estimate = int(job.total_bytes_processed or 0)
        with self._lock:
            self.dry_runs += 1
            self.bytes_estimated += estimate
        if self.on_estimate:
            self.on_estimate(what, estimate)
        if estimate > self.max_bytes:
            raise CostCapError(
                f"{what} would read {size_text(estimate)} in BigQuery, above --max-gb {self.max_gb:g} "
                f"({size_text(self.max_bytes)}); nothing was queried — raise --max-gb, or sync fewer days")
        return estimate

    def query(self, sql: str, params: dict, what: str):
        """The query's rows as a pyarrow table (already dry-run by the caller), billed at most the cap."""
        retry = self._retry()

        def run():
            job = self._client().query(sql, job_config=self._config(params, dry_run=False), retry=retry,
                                       job_retry=None, timeout=TIMEOUT)
            rows = job.result(retry=retry, timeout=None)
            return job, result_table(rows)

        job, table = self._call(what, run)
        with self._lock:
            self.jobs += 1
            self.bytes_processed += int(job.total_bytes_processed or 0)
            self.bytes_billed += int(job.total_bytes_billed or 0)
            self.rows_received += table.num_rows
        return job, table

    def checked_query(self, sql: str, params: dict, what: str):
        """Dry run, then the query."""
        self.dry_run(sql, params, what)
        return self.query(sql, params, what)

    # -- what the export holds --
    def export_log(self, start: dt.date | None = None, end: dt.date | None = None) -> ExportLog:
        """The days ExportLog says were published (both tables), with their versions."""
        params = {"first_day": start or dt.date(2000, 1, 1), "last_day": end or dt.date(9999, 12, 31)}
        _, table = self.checked_query(export_log_sql(self.prefix), params, f"reading {self.name}.{EXPORT_LOG}")
        tables: dict[dt.date, dict[str, tuple[int, Any]]] = {}
        seen: set[str] = set()
        for row in table.to_pylist():
            namespace = str(row.get("namespace") or "").upper()
            seen.add(namespace)
            kind = "url" if "URL_IMPRESSION" in namespace else "site" if "SITE_IMPRESSION" in namespace else None
            if kind and row.get("data_date") is not None:
                tables.setdefault(row["data_date"], {})[kind] = (int(row.get("epoch_version") or 0),
                                                                 row.get("publish_time"))
        if seen and not tables:
            raise ApiError(f"{self.name}.{EXPORT_LOG} lists no day of {SITE_TABLE} or {URL_TABLE} (it names "
                           f"{', '.join(sorted(seen))[:120]}); is --dataset the bulk export of Search Console?")
        days, partial = {}, []
        for day, both in sorted(tables.items()):
            if len(both) < 2:
                partial.append(day)
                continue
            times = [t for _, t in both.values() if t is not None]
            days[day] = ExportedDay(day, sum(v for v, _ in both.values()), max(times) if times else None)
        return ExportLog(days, partial)

    def check_property(self, site: str, day: dt.date) -> None:
        """Make sure the dataset is ``site``'s export (read on one day's partition of the site table)."""
        _, table = self.checked_query(property_sql(self.prefix), {"first_day": day},
                                      f"checking the property of {self.name} on {day}")
        found = {row["site_url"]: row["row_count"] for row in table.to_pylist() if row.get("site_url")}
        if found and site not in found:
            others = ", ".join(urls.printable(s) for s in sorted(found)[:3])
            raise UsageError(f"BigQuery dataset {self.name} holds the bulk export of {others}, not {site}; "
                             f"pass the --dataset (and --project) that {site}'s export writes to "
                             f"({SETTING} shows them)")
        self.site = site
        self.by_property = len(found) > 1  # a shared dataset: every query filters on the property too

    def day_params(self, first: dt.date, last: dt.date, search_type: str) -> dict:
        params = {"first_day": first, "last_day": last, "search_type": export_search_type(search_type)}
        if self.by_property:
            params["site"] = self.site
        return params

    def estimate_days(self, first: dt.date, last: dt.date, search_type: str) -> int:
        """Dry run of the query for days first..last (CostCapError above the cap)."""
        return self.dry_run(day_sql(self.prefix, by_property=self.by_property, by_day=first != last),
                            self.day_params(first, last, search_type), _days_label(first, last))

    def fetch_days(self, first: dt.date, last: dt.date, search_type: str,
                   epoch_versions: dict[dt.date, int]) -> list[BulkDay]:
        """Days first..last, aggregated in BigQuery, whole (never capped); ``epoch_versions`` are
        the published days among them (ExportLog) and say which versions they are stored at."""
        job, table = self.query(day_sql(self.prefix, by_property=self.by_property, by_day=first != last),
                                self.day_params(first, last, search_type), _days_label(first, last))
        results = day_results(table, first, last, epoch_versions)
        processed, billed = int(job.total_bytes_processed or 0), int(job.total_bytes_billed or 0)
        share = max(len(results), 1)
        return [BulkDay(result, epoch_versions.get(day), rows, processed // share, billed // share, anonymized)
                for day, (result, anonymized, rows) in sorted(results.items())]

    # -- errors --
    def _translate(self, exc: Exception, what: str) -> Exception:
        import requests
        from google.api_core import exceptions as core
        from google.auth import exceptions as auth_exceptions

        if isinstance(exc, core.RetryError) and exc.cause is not None:
            cause = exc.cause
            if isinstance(cause, core.GoogleAPICallError):
                return self._translate_api(cause, what, retried=True)
            return ApiError(f"{what}: cannot reach BigQuery ({type(cause).__name__}) after retrying for "
                            f"{self._retry_seconds:.0f} s; check the network (or GSC_BACKLINKS_BIGQUERY_ENDPOINT) "
                            "and run the command again")
        if isinstance(exc, core.GoogleAPICallError):
            return self._translate_api(exc, what)
        if isinstance(exc, auth_exceptions.RefreshError):
            text = str(exc.args[0]) if exc.args else str(exc)
            return AuthError(f"Google refused the saved authorization ({text.splitlines()[0][:120]}); run "
                             "`gsc-backlinks auth login --bigquery` again (for a service account: with a current key)")
        if isinstance(exc, (json.JSONDecodeError, requests.exceptions.JSONDecodeError)):  # a proxy's or portal's page
            return ApiError(f"{what}: the BigQuery endpoint answered something that is not BigQuery JSON; a proxy or "
                            "Wi-Fi sign-in page may be in between, or GSC_BACKLINKS_BIGQUERY_ENDPOINT is wrong")
        if isinstance(exc, (auth_exceptions.TransportError, requests.exceptions.RequestException, OSError)):
            return ApiError(f"{what}: cannot reach BigQuery ({type(exc).__name__}); check the network "
                            "(or GSC_BACKLINKS_BIGQUERY_ENDPOINT) and run the command again")
        return exc  # a bug: keeps its traceback

    def _translate_api(self, exc, what: str, retried: bool = False) -> GscBacklinksError:
        status = int(getattr(exc, "code", 0) or 0)
        errors = getattr(exc, "errors", None) or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        reason = str(first.get("reason", ""))
        raw = str(first.get("message") or getattr(exc, "message", "") or "")
        message = raw.splitlines()[0] if raw else ""
        details = " ".join(str(d) for d in (getattr(exc, "details", None) or []))
        said = urls.printable(message[:200])
        if status == 401:
            return AuthError("BigQuery did not accept the saved authorization (HTTP 401); run "
                             "`gsc-backlinks auth login --bigquery` again")
        if reason == "insufficientPermissions" or "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in details:
            return AccessError("the saved authorization has no BigQuery access; run `gsc-backlinks auth login "
                               "--bigquery` and allow it (or use a service account)")
        if reason == "accessNotConfigured" or "SERVICE_DISABLED" in details:
            return AccessError(f"the BigQuery API is not enabled in project {self.project}; enable it in Google "
                               "Cloud Console (APIs & Services > BigQuery API), then run the command again")
        if reason in ("quotaExceeded", "rateLimitExceeded") or status == 429:
            return QuotaError(f"BigQuery quota or rate limit exceeded for {what} ({said}); what was stored is "
                              "kept — run the command again later")
        if reason.startswith("billing"):  # billingNotEnabled, billingTierLimitExceeded
            return AccessError(f"BigQuery refused {what} for project {self.project}'s billing ({said}); enable billing "
                               "for the project in Google Cloud Console (or use the BigQuery sandbox's limits)")
        if reason == "bytesBilledLimitExceeded":
            return CostCapError(f"BigQuery refused {what}: it would bill more than --max-gb {self.max_gb:g} "
                                f"({said}); raise --max-gb, or sync fewer days")
        if reason == "accessDenied" or status == 403:
            if "jobs.create" in message:
                return AccessError(f"this Google account may not run queries in project {self.project} "
                                   f"(BigQuery said: {said}); an owner must grant it {ROLES}")
            return AccessError(f"this Google account may not read BigQuery dataset {self.name} (BigQuery said: "
                               f"{said}); an owner must grant it {ROLES}")
        if reason == "notFound" or status == 404:
            where = f" in location {self.location}" if self.location else ""
            if "Dataset" in message:
                return ExportNotFoundError(
                    f"BigQuery dataset {self.name} was not found{where}; start the bulk export in {SETTING} "
                    "(it creates the dataset), or pass the --project, --dataset and --location it writes to")
            if "Table" in message:
                table = next((t for t in (SITE_TABLE, URL_TABLE, EXPORT_LOG) if t in message), "a table")
                return ExportNotFoundError(
                    f"{self.name} has no table {table}: Search Console creates the bulk-export tables with its "
                    f"first daily export after the export is started in {SETTING}; check --dataset, or wait a day")
            return ExportNotFoundError(f"{what}: BigQuery answered 'not found' ({said}); check --project, "
                                       "--dataset and --location")
        if reason == "invalidQuery":
            return ApiError(f"BigQuery rejected {what} ({said}); is {self.name} Search Console's bulk export?")
        if status >= 500 or reason in ("backendError", "internalError"):
            again = " after retries" if retried else ""
            return ApiError(f"BigQuery failed{again} on {what} (HTTP {status} {reason}); run the command again later")
        return ApiError(f"BigQuery refused {what} (HTTP {status} {reason}: {said})")


def export_search_type(search_type: str) -> str:
    try:
        return SEARCH_TYPES[search_type]
    except KeyError:
        raise UsageError(f"--type must be one of {', '.join(SEARCH_TYPES)}") from None


def _days_label(first: dt.date, last: dt.date) -> str:
    return f"the query for {first}" if first == last else f"the query for {first} to {last}"


def _retry_base() -> float:
    try:
        return max(float(os.environ.get("GSC_BACKLINKS_RETRY_BASE", "") or 1.0), 0.001)
    except ValueError:
        return 1.0


def contiguous(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Runs of consecutive days, as (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
