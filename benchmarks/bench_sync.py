#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks sync`` against a plain sequential pager.

Starts the loopback stand-in for the Search Console API (``tests/standin.py``)
answering like Google: 150 ms per request plus 40 µs per row returned (a full
25,000-row page takes about 1.15 s).  Its data: one property, DAYS final days
of PAGES x QUERIES page x query rows each (>= 500,000 rows in all).  Then, in
the same run:

1. the baseline: a plain sequential pager over the same data with the same
   client library — one request after another, paging by startRow until an
   empty page, as the common Python wrappers do (property totals by date, then
   per day page totals and page x query rows);
2. ``gsc-backlinks sync`` of the same range (a fresh process and store, with
   its peak RSS and CPU time), with the requests per minute it sent (Google's
   per-site quota: 1,200/min);
3. the same sync again: it must send no request for the (final) days held;
4. a sync into a fresh store while every 10th request fails (429, 500, 503 or
   a dropped connection, in turn): it must complete with exactly the same rows.

Prints the figures and the ratio.  This is a report, not a test: the exit code
is 0 whatever the figures, 2 (with one line on stderr) if something could not be run.

    python benchmarks/bench_sync.py            # 12 days x 45,000 rows = 540,000 rows
    python benchmarks/bench_sync.py --quick    # 4 days: smoke run
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

from standin import SCOPE_READONLY, SearchData, StandIn  # noqa: E402

SITE = "sc-domain:example.com"
TARGET_RATIO = 4.0
QUOTA_PER_MINUTE = 1_200


def sequential_pager(server: StandIn, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(rows, requests): one request after another, each query paged until an empty page."""
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    config = server.client_config()["installed"]
    creds = Credentials(token=None, refresh_token=server.issue_refresh_token(), token_uri=server.token_uri,
                        client_id=config["client_id"], client_secret=config["client_secret"], scopes=[SCOPE_READONLY])
    service = build("searchconsole", "v1", credentials=creds, cache_discovery=False, static_discovery=True,
                    client_options={"api_endpoint": server.base_url})
    rows = requests = 0

    def page_through(body: dict) -> list:
        nonlocal requests
        out, start_row = [], 0
        while True:
            requests += 1
            answer = service.searchanalytics().query(
                siteUrl=SITE, body={**body, "rowLimit": 25_000, "startRow": start_row}).execute()
            page = answer.get("rows", [])
            if not page:
                return out
            out.extend(page)
            start_row += 25_000

    totals = page_through({"startDate": start.isoformat(), "endDate": end.isoformat(), "dimensions": ["date"]})
    rows += len(totals)
    day = start
    while day <= end:
        for dims in (["page"], ["page", "query"]):
            rows += len(page_through({"startDate": day.isoformat(), "endDate": day.isoformat(), "dimensions": dims}))
        day += dt.timedelta(days=1)
    return rows, requests


def run_sync(store: Path, env: dict, start: dt.date, end: dt.date) -> tuple[float, float, float, str]:
    """One sync, whole process: (wall s, peak RSS MiB, CPU s, what it printed)."""
    cmd = [*gsc_backlinks_cmd(), "--store", str(store), "sync", "--site", SITE,
           "--start", start.isoformat(), "--end", end.isoformat()]
    wall, peak_mb, cpu, out, _ = run_wrapped(cmd, env=env)
    return wall, peak_mb, cpu, out.strip()


def table_rows(store: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return {
            "search_queries": con.execute(
                "SELECT day, page, query, clicks, impressions, ctr, position FROM search_queries ORDER BY ALL").fetchall(),
            "search_pages": con.execute(
                "SELECT day, page, clicks, impressions, ctr, position FROM search_pages ORDER BY ALL").fetchall(),
            "search_days": con.execute(
                "SELECT day, data_state, clicks, impressions, query_rows FROM search_days ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def peak(times: list[float], window: float) -> int:
    """Most requests in any ``window`` seconds."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 days instead of 12")
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--pages", type=int, default=450, help="pages per day")
    parser.add_argument("--queries", type=int, default=100, help="queries per page")
    parser.add_argument("--fail-every", type=int, default=10, help="every N-th request fails (default 10: 10%%)")
    args = parser.parse_args(argv)
    n_days = 4 if args.quick else args.days
    print(ensure_bytecode())
    clean_env()  # GSC_BACKLINKS_WORKERS, _SITE, _RETRY_BASE, ... must not change the sync measured

    end = dt.date(2026, 10, 31)
    days = [end - dt.timedelta(days=n) for n in range(n_days - 1, -1, -1)]
    data = SearchData(sites=[SITE], days=days, final_until=end, pages_per_day=args.pages,
                      queries_per_page=args.queries, cache_entries=4 * n_days + 8)
    # Generate every answer once up front, so both contenders meet a server that only waits.
    for day in days:
        for dims in (["page"], ["page", "query"]):
            data.query(SITE, day, day, dims, "final")
    for state in ("final", "all"):
        data.query(SITE, days[0], days[-1], ["date"], state)
    total_query_rows = sum(min(len(data.rows(SITE, d, ["page", "query"])), 50_000) for d in days)

    from importlib.metadata import version

    import duckdb

    print(f"Python {sys.version.split()[0]}, google-api-python-client {version('google-api-python-client')}, "
          f"duckdb {duckdb.__version__}; {os.cpu_count()} CPUs")
    print(f"stand-in: 150 ms + 40 µs per row returned; {n_days} final days x {args.pages * args.queries:,} "
          f"page x query rows = {total_query_rows:,} rows (plus page totals)")

    with StandIn(sites={SITE: "siteOwner"}, data=data, latency=0.150, per_row_latency=40e-6) as server, \
            tempfile.TemporaryDirectory(prefix="gsc-bench-sync-") as tmp:
        tmp = Path(tmp)
        config = server.client_config()["installed"]
        token = tmp / "config" / "gsc-backlinks" / "token.json"
        token.parent.mkdir(parents=True)
        token.write_text(json.dumps({
            "type": "authorized_user", "refresh_token": server.issue_refresh_token(), "client_id": config["client_id"],
            "client_secret": config["client_secret"], "scopes": [SCOPE_READONLY]}))
        os.chmod(token, 0o600)
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "GSC_BACKLINKS_API_ENDPOINT": server.base_url,
               "GSC_BACKLINKS_TOKEN_URI": server.token_uri, "GSC_BACKLINKS_REVOKE_URI": server.revoke_uri}

        server.reset_requests()
        t = time.perf_counter()
        base_rows, base_requests = sequential_pager(server, days[0], days[-1])
        base = time.perf_counter() - t
        print(f"\nsequential pager:   {base:6.2f} s, {base_requests} requests, {base_rows:,} rows")

        server.reset_requests()
        ours, ours_rss, ours_cpu, said = run_sync(tmp / "a.duckdb", env, days[0], days[-1])
        sent = [r.at for r in server.requests if r.kind == "searchanalytics"]
        print(f"gsc-backlinks sync: {ours:6.2f} s, {len(sent)} requests (whole process, store written), "
              f"peak {ours_rss:.0f} MiB, CPU {ours_cpu:.2f} s")
        print(f"  it said: {said.splitlines()[0]}")
        peak_minute, peak_second = peak(sent, 60), peak(sent, 1)
        print(f"  busiest 60 s: {peak_minute} requests (quota {QUOTA_PER_MINUTE:,}/min per site); "
              f"busiest second: {peak_second}")
        ratio = base / ours

        server.reset_requests()
        again, _, _, _ = run_sync(tmp / "a.duckdb", env, days[0], days[-1])
        repeat = server.count("searchanalytics")
        print(f"second sync of the same range: {again:.2f} s, {repeat} Search Analytics requests")

        server.reset_requests()
        server.failure_every = args.fail_every
        stormy, _, _, _ = run_sync(tmp / "b.duckdb", env, days[0], days[-1])
        failed = sum(1 for r in server.requests if r.kind == "searchanalytics" and r.status != 200)
        total = server.count("searchanalytics")
        server.failure_every = 0
        clean = table_rows(tmp / "a.duckdb")
        same = clean == table_rows(tmp / "b.duckdb")
        stored = len(clean["search_queries"])
        print(f"with every {args.fail_every}th request failing: {stormy:.2f} s, {failed} of {total} requests "
              f"failed (429/500/503/dropped), rows identical to the clean sync: {same}")

    print(f"\nratio sequential pager / gsc-backlinks sync: {ratio:.2f}x  (target >= {TARGET_RATIO:g}x)")
    print(f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'} speed: {ratio:.2f}x")
    print(f"{'PASS' if peak_minute <= QUOTA_PER_MINUTE else 'FAIL'} per-site quota: at most {peak_minute} requests in any minute")
    print(f"{'PASS' if repeat == 0 else 'FAIL'} second sync: {repeat} requests for final days")
    print(f"{'PASS' if same and stored == total_query_rows and failed else 'FAIL'} failures: {stored:,} page x query "
          f"rows, identical with {failed} of {total} requests failing")
    return 0


if __name__ == "__main__":
    run_main(main)
