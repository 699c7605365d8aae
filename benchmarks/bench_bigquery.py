#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks sync --source bigquery`` against the API sync of the same days.

Starts, in this process, the loopback stand-ins of ``tests/``: the Search Console API
(``standin.py``, answering as ``bench_sync.py`` has it: 150 ms per request plus 40 µs per row
returned) and BigQuery (``bqstandin.py``: 150 ms per request plus 40 µs per result row, and a
query job takes at least 1 s to run, as small BigQuery queries do).  Both serve one generated data
set: DAYS final days of PAGES x QUERIES page x query keys (under the API's 50,000-row cap, so both
sources can give everything), which the bulk-export tables hold as ROWS rows a day in the URL table
(and as many in the site table): keys repeat over countries and devices, as in the real export.

In the same run it measures:

1. ``gsc-backlinks sync`` (the Search Console API) of the range, whole process, fresh store;
2. ``gsc-backlinks sync --source bigquery`` of the same range, whole process, fresh store: its
   time, its peak RSS, the rows and bytes BigQuery sent it against the rows in the tables and
   against the aggregated rows (what the store keeps), and the bytes its queries read and billed;
3. the same bulk-export sync again: it must run no day's query (every day held at its version);
4. that both stores hold the same clicks and impressions per day, page and page x query.

Prints the figures and the ratio; exit code 0 whatever they are, 2 (one line on stderr) if
something could not be run.

    python benchmarks/bench_bigquery.py            # 30 days x 200,000 URL-table rows = 6,000,000 rows
    python benchmarks/bench_bigquery.py --quick    # 4 days: a smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

from bench_import import clean_env, ensure_bytecode, gsc_backlinks_cmd, run_main, run_wrapped  # noqa: E402
from bqstandin import SITE_TABLE, URL_TABLE, BigQueryStandIn, export_rows  # noqa: E402

from standin import SCOPE_READONLY, SearchData, StandIn  # noqa: E402

SITE = "sc-domain:example.com"
PROJECT = "gsc-bench-export"
DATASET = "searchconsole"
BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery.readonly"


def load(bq: BigQueryStandIn, data: SearchData, days: list[dt.date], rows_per_day: int) -> float:
    """Fill the bulk-export tables day by day; seconds taken."""
    t = time.perf_counter()
    bq.add_export(PROJECT, DATASET)
    for day in days:
        site_cols, url_cols = export_rows(data, SITE, day, rows_per_day=rows_per_day)
        bq.insert(PROJECT, DATASET, SITE_TABLE, site_cols)
        bq.insert(PROJECT, DATASET, URL_TABLE, url_cols)
        bq.log_export(PROJECT, DATASET, day)
    return time.perf_counter() - t


def aggregated_rows(bq: BigQueryStandIn) -> int:
    """What the store keeps, counted in the stand-in: page x query rows, page totals, two totals a day."""
    table = f'"{PROJECT}"."{DATASET}"."{URL_TABLE}"'
    queries = bq.sql(f"SELECT count(*) FROM (SELECT DISTINCT data_date, url, query FROM {table} "
                     "WHERE NOT is_anonymized_query AND search_type = 'WEB')")[0][0]
    pages = bq.sql(f"SELECT count(*) FROM (SELECT DISTINCT data_date, url FROM {table} WHERE search_type = 'WEB')")[0][0]
    days = bq.sql(f"SELECT count(DISTINCT data_date) FROM {table}")[0][0]
    return queries + pages + 2 * days


def run_sync(store: Path, env: dict, start: dt.date, end: dt.date, *extra: str) -> tuple[float, float, float, str]:
    cmd = [*gsc_backlinks_cmd(), "--store", str(store), "sync", "--site", SITE,
           "--start", start.isoformat(), "--end", end.isoformat(), *extra]
    wall, peak_mb, cpu, out, _ = run_wrapped(cmd, env=env)
    return wall, peak_mb, cpu, out.strip()


def sums(store: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return {t: con.execute(q).fetchall() for t, q in {
            "days": "SELECT day, clicks, impressions, query_rows FROM search_days ORDER BY day",
            "pages": "SELECT day, page, clicks, impressions FROM search_pages ORDER BY ALL",
            "queries": "SELECT day, page, query, clicks, impressions FROM search_queries ORDER BY ALL",
        }.items()}
    finally:
        con.close()


def job_id(path: str) -> str:
    return path.split("/queries/")[1].split("?")[0]


def mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 days instead of 30")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rows", type=int, default=200_000, help="URL-table rows per day")
    parser.add_argument("--pages", type=int, default=495, help="pages per day")
    parser.add_argument("--queries", type=int, default=100, help="queries per page")
    parser.add_argument("--job-seconds", type=float, default=1.0, help="least time a BigQuery job runs")
    args = parser.parse_args(argv)
    n_days = 4 if args.quick else args.days
    print(ensure_bytecode())
    clean_env()

    end = dt.date(2026, 10, 31)
    days = [end - dt.timedelta(days=n) for n in range(n_days - 1, -1, -1)]
    data = SearchData(sites=[SITE], days=days, final_until=end, pages_per_day=args.pages,
                      queries_per_page=args.queries, cache_entries=4 * n_days + 8)

    from importlib.metadata import version

    import duckdb

    print(f"Python {sys.version.split()[0]}, google-cloud-bigquery {version('google-cloud-bigquery')}, "
          f"google-api-python-client {version('google-api-python-client')}, duckdb {duckdb.__version__}; "
          f"{os.cpu_count()} CPUs")
    with StandIn(sites={SITE: "siteOwner"}, data=data, latency=0.150, per_row_latency=40e-6) as api, \
            BigQueryStandIn(token_scopes=api._access_scope, latency=0.150, per_row_latency=40e-6,
                            job_seconds=args.job_seconds) as bq, \
            tempfile.TemporaryDirectory(prefix="gsc-bench-bq-") as tmp:
        tmp = Path(tmp)
        took = load(bq, data, days, args.rows)
        url_rows = bq.table_rows(PROJECT, DATASET, URL_TABLE)
        site_rows = bq.table_rows(PROJECT, DATASET, SITE_TABLE)
        expected = aggregated_rows(bq)
        # Generate every API answer once up front, as bench_sync.py does: the API stand-in then only waits.
        for day in days:
            for dims in (["page"], ["page", "query"]):
                data.query(SITE, day, day, dims, "final")
        for state in ("final", "all"):
            data.query(SITE, days[0], days[-1], ["date"], state)
        print(f"stand-ins: 150 ms per request + 40 µs per row returned; BigQuery jobs run >= {args.job_seconds:g} s")
        print(f"data: {n_days} days x {args.pages * args.queries:,} page x query keys; bulk-export tables "
              f"{url_rows:,} URL-table rows ({url_rows // n_days:,} a day) and {site_rows:,} site-table rows "
              f"(loaded in {took:.1f} s)")

        config = api.client_config()["installed"]
        token = tmp / "config" / "gsc-backlinks" / "token.json"
        token.parent.mkdir(parents=True)
        scopes = [SCOPE_READONLY, BIGQUERY_SCOPE]
        token.write_text(json.dumps({
            "type": "authorized_user", "refresh_token": api.issue_refresh_token(" ".join(scopes)),
            "client_id": config["client_id"], "client_secret": config["client_secret"], "scopes": scopes}))
        os.chmod(token, 0o600)
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "GSC_BACKLINKS_API_ENDPOINT": api.base_url,
               "GSC_BACKLINKS_TOKEN_URI": api.token_uri, "GSC_BACKLINKS_REVOKE_URI": api.revoke_uri,
               "GSC_BACKLINKS_BIGQUERY_ENDPOINT": bq.base_url}

        # Every BigQuery answer worked out once up front (a sync into a scratch store, not timed), as the
        # API's are above: both contenders then meet a server that only waits.
        bq.cache_results = True
        run_sync(tmp / "warm-up.duckdb", env, days[0], days[-1], "--source", "bigquery", "--project", PROJECT)

        api.reset_requests()
        api_wall, api_rss, api_cpu, api_said = run_sync(tmp / "api.duckdb", env, days[0], days[-1])
        print(f"\nAPI sync:          {api_wall:6.2f} s, {api.count('searchanalytics')} requests, "
              f"peak {api_rss:.0f} MiB, CPU {api_cpu:.2f} s")
        print(f"  it said: {api_said.splitlines()[0]}")

        bq.reset_requests()
        bq_wall, bq_rss, bq_cpu, bq_said = run_sync(tmp / "bq.duckdb", env, days[0], days[-1], "--source", "bigquery",
                                                    "--project", PROJECT)
        answers = [s for s in bq.requests if s.kind == "jobs.getQueryResults" and s.rows]
        received = sum(s.rows for s in answers if URL_TABLE in bq.jobs[(PROJECT, job_id(s.path))].sql)
        received_all = sum(s.rows for s in answers)
        received_bytes = sum(s.bytes for s in bq.requests)
        jobs = {job_id(s.path): bq.jobs[(PROJECT, job_id(s.path))] for s in bq.requests
                if s.kind == "jobs.getQueryResults"}.values()
        read = sum(j.bytes_processed for j in jobs)
        billed = sum(j.bytes_billed for j in jobs)
        print(f"BigQuery sync:     {bq_wall:6.2f} s, {len(bq.requests)} requests "
              f"({bq.count('jobs.insert', dry_run=True)} dry runs, {bq.count('jobs.insert', dry_run=False)} queries), "
              f"peak {bq_rss:.0f} MiB, CPU {bq_cpu:.2f} s")
        print(f"  it said: {bq_said.splitlines()[0]}")
        print(f"  rows received:   {received:,} by the day queries (aggregated rows the store keeps: {expected:,}; "
              f"rows in the tables: {url_rows + site_rows:,}, URL table {url_rows:,}); "
              f"{received_all - received} more from ExportLog and the property check")
        print(f"  bytes received:  {mb(received_bytes)} (all BigQuery answers); queries read {mb(read)}, "
              f"billed {mb(billed)} (BigQuery bills at least 10 MB per table a query reads)")
        ratio = api_wall / bq_wall

        bq.reset_requests()
        again, _, _, _ = run_sync(tmp / "bq.duckdb", env, days[0], days[-1], "--source", "bigquery",
                                  "--project", PROJECT)
        day_queries = sum(1 for s in bq.requests if s.kind == "jobs.insert" and URL_TABLE in s.sql)
        print(f"second BigQuery sync of the range: {again:.2f} s, {day_queries} day queries "
              f"({bq.count('jobs.insert')} jobs in all: ExportLog, dry run and query)")

        a, b = sums(tmp / "api.duckdb"), sums(tmp / "bq.duckdb")
        same = a == b
        stored_rows = len(b["queries"]) + len(b["pages"]) + len(b["days"])

    print(f"\nratio API sync / BigQuery sync: {ratio:.2f}x")
    print(f"{'PASS' if received == expected else 'FAIL'} received rows = aggregated rows: {received:,} received, "
          f"{expected:,} aggregated, {url_rows + site_rows:,} in the tables ({(url_rows + site_rows) / received:.1f}x)")
    print(f"{'PASS' if stored_rows + n_days == received else 'FAIL'} stored: {stored_rows:,} rows "
          f"(+ {n_days} anonymized totals reported, not stored)")
    print(f"{'PASS' if day_queries == 0 else 'FAIL'} second sync: {day_queries} day queries")
    print(f"{'PASS' if same else 'FAIL'} same clicks and impressions per day, page and page x query as the API sync")
    return 0


if __name__ == "__main__":
    run_main(main)
