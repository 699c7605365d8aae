"""sync --source bigquery against a loopback BigQuery that runs the tool's SQL on bulk-export tables.

The real google-cloud-bigquery client talks to ``bqstandin.BigQueryStandIn``; the real
google-auth gets its tokens from ``standin.StandIn`` (which also serves the Search Console
API).  Both stand-ins serve one generated data set (``standin.SearchData``), so what the
bulk export gives can be held against what the API gives.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from bqstandin import (
    SITE_TABLE,
    URL_TABLE,
    BigQueryStandIn,
    BqError,
    access_denied_table,
    bytes_billed_exceeded,
    load_search_data,
)

from gsc_backlinks import auth, bigquery
from gsc_backlinks.dates import pacific_now

from clihelp import error_line, run, stored
from standin import SCOPE_READONLY, SearchData, StandIn

DOMAIN = "sc-domain:example.com"
PROJECT = "gsc-export-4711"
DATASET = "searchconsole"
TODAY = pacific_now().date()
DAYS = [TODAY - dt.timedelta(days=n) for n in range(10, 2, -1)]  # 8 days, the last 3 days ago
START, END = DAYS[0].isoformat(), DAYS[-1].isoformat()
PAGES, QUERIES = 12, 5


@dataclass
class Google:
    api: StandIn
    bq: BigQueryStandIn
    data: SearchData


def _environment(monkeypatch, tmp_path, api: StandIn, bq: BigQueryStandIn) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("GSC_BACKLINKS_API_ENDPOINT", api.base_url)
    monkeypatch.setenv("GSC_BACKLINKS_TOKEN_URI", api.token_uri)
    monkeypatch.setenv("GSC_BACKLINKS_REVOKE_URI", api.revoke_uri)
    monkeypatch.setenv("GSC_BACKLINKS_BIGQUERY_ENDPOINT", bq.base_url)
    monkeypatch.setenv("GSC_BACKLINKS_RETRY_BASE", "0.01")
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GSC_BACKLINKS_CLIENT_SECRETS", "GSC_BACKLINKS_SOURCE",
                 "GSC_BACKLINKS_BIGQUERY_PROJECT", "GSC_BACKLINKS_BIGQUERY_DATASET", "GSC_BACKLINKS_MAX_GB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def google(monkeypatch, tmp_path):
    data = SearchData(sites=[DOMAIN], days=DAYS, final_until=DAYS[-1], pages_per_day=PAGES, queries_per_page=QUERIES)
    # The BigQuery stand-in takes the OAuth stand-in's word on which tokens are valid, with which scopes.
    with StandIn(data=data) as api, BigQueryStandIn(token_scopes=api._access_scope) as bq:
        _environment(monkeypatch, tmp_path, api, bq)
        bq.add_export(PROJECT, DATASET)
        load_search_data(bq, PROJECT, DATASET, data, DOMAIN)
        yield Google(api, bq, data)
        assert not bq.crashes, bq.crashes[0]


def _login(google: Google, scopes: list[str]) -> None:
    """A saved OAuth authorization, as `auth login [--bigquery]` leaves it."""
    config = google.api.client_config()["installed"]
    auth.write_private(auth.token_path(), json.dumps({
        "type": "authorized_user", "refresh_token": google.api.issue_refresh_token(" ".join(scopes)),
        "client_id": config["client_id"], "client_secret": config["client_secret"], "scopes": scopes}))


@pytest.fixture
def authorized(google):
    _login(google, [SCOPE_READONLY, auth.BIGQUERY_SCOPE])
    return google


def sync_bq(store, *args):
    return run(store, "sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, *map(str, args))


def day_queries(bq: BigQueryStandIn, *, dry_run: bool | None = False) -> list:
    """The requests that ran (or dry-ran) a day's query."""
    return [s for s in bq.requests if s.kind == "jobs.insert" and URL_TABLE in s.sql
            and (dry_run is None or s.dry_run == dry_run)]


def failed_fetching(result) -> str:
    """The one ``Error: …`` line of a sync that failed after its dry runs (whose summary line comes first)."""
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("Error: ") and sum(line.startswith("Error") for line in lines) == 1, result.stderr
    assert all(line.startswith("BigQuery dry runs: ") for line in lines[:-1]) and len(lines) <= 2, result.stderr
    return lines[-1]


def search_tables(store) -> tuple:
    """Everything the store holds of search data (None if there is no store)."""
    if not store.exists():
        return None
    return tuple(stored(store, f"SELECT * FROM {t} ORDER BY ALL")
                 for t in ("search_days", "search_pages", "search_queries"))


# --- the same numbers as the Search Console API -------------------------------------------------------


def test_days_from_the_bulk_export_equal_the_api_days_on_the_same_data(authorized, tmp_path):
    api_store, bq_store = tmp_path / "api.duckdb", tmp_path / "bq.duckdb"
    assert run(api_store, "sync", "--site", DOMAIN, "--start", START, "--end", END).exit_code == 0

    result = sync_bq(bq_store, "--start", START, "--end", END)

    assert result.exit_code == 0, result.output
    assert f"{len(DAYS)} days stored" in result.stdout
    days_sql = "SELECT day, clicks, impressions, ctr, position, page_rows, query_rows, data_state FROM search_days ORDER BY day"
    api_days, bq_days = stored(api_store, days_sql), stored(bq_store, days_sql)
    assert [d[0] for d in bq_days] == DAYS
    keys = PAGES * (QUERIES + 1)  # (page, query) keys and anonymized remainders of a day
    for a, b in zip(api_days, bq_days):
        assert (b[0], b[1], b[2], b[5], b[6], b[7]) == (a[0], a[1], a[2], a[5], a[6], "final")
        assert b[3] == pytest.approx(a[3], rel=1e-12)
        # sum_position is an integer per row: the average can differ by half a position per key and impression.
        assert abs(b[4] - a[4]) <= 0.5 * keys / a[2] + 1e-9
    pages_sql = "SELECT day, page, clicks, impressions, position FROM search_pages ORDER BY day, page"
    for a, b in zip(stored(api_store, pages_sql), stored(bq_store, pages_sql), strict=True):
        assert b[:4] == a[:4] and abs(b[4] - a[4]) <= 0.5 * (QUERIES + 1) / a[3] + 1e-9
    queries_sql = "SELECT day, page, query, clicks, impressions, ctr, position FROM search_queries ORDER BY day, page, query"
    for a, b in zip(stored(api_store, queries_sql), stored(bq_store, queries_sql), strict=True):
        assert b[:5] == a[:5] and b[5] == pytest.approx(a[5], rel=1e-12) and abs(b[6] - a[6]) <= 0.5 / a[4] + 1e-9
    assert stored(bq_store, "SELECT DISTINCT source, epoch_version, queries_truncated FROM search_days") == [
        ("bigquery", 0, False)]
    assert stored(api_store, "SELECT DISTINCT source, epoch_version FROM search_days") == [("api", None)]


def test_anonymized_queries_count_in_the_totals_and_never_as_query_rows(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    result = sync_bq(store)
    assert result.exit_code == 0, result.output

    per_day = stored(store, """
        SELECT d.day, d.impressions, p.impressions, q.impressions, q.blank
        FROM search_days d
        JOIN (SELECT day, sum(impressions) AS impressions FROM search_pages GROUP BY day) p USING (day)
        JOIN (SELECT day, sum(impressions) AS impressions, count(*) FILTER (WHERE query = '') AS blank
              FROM search_queries GROUP BY day) q USING (day)
        ORDER BY day""")
    anonymized = 0
    for _day, total, pages, queries, blank in per_day:
        assert total == pages  # the generated property is the sum of its pages, anonymized queries included
        assert queries < pages and blank == 0  # anonymized queries are no query rows
        anonymized += pages - queries
    assert anonymized > 0
    assert f"anonymized queries: {anonymized:,} impressions" in result.stdout


BIG_DAY = DAYS[-1]


@pytest.fixture(scope="module")
def big_export():
    """A day of 52,000 (page, query) keys in up to 4 rows each (about 170,000 URL-table rows)."""
    data = SearchData(sites=[DOMAIN], days=[BIG_DAY], final_until=BIG_DAY, pages_per_day=260, queries_per_page=200)
    with StandIn(data=data) as api, BigQueryStandIn(token_scopes=api._access_scope) as bq:
        bq.add_export(PROJECT, DATASET)
        load_search_data(bq, PROJECT, DATASET, data, DOMAIN, split=4, other_types=False)
        yield Google(api, bq, data)


@pytest.fixture
def big(big_export, monkeypatch, tmp_path):
    _environment(monkeypatch, tmp_path, big_export.api, big_export.bq)
    _login(big_export, [SCOPE_READONLY, auth.BIGQUERY_SCOPE])
    big_export.bq.reset_requests()
    yield big_export
    big_export.bq.page_bytes = 10 * 2**20
    assert not big_export.bq.crashes, big_export.bq.crashes[0]


def test_a_day_of_more_than_50000_query_rows_is_stored_whole_not_truncated(big, tmp_path):
    big.bq.page_bytes = 2_000_000  # several pages of results, as a large day brings
    store = tmp_path / "s.duckdb"

    result = sync_bq(store)

    assert result.exit_code == 0, result.output
    pages_fetched = [s for s in big.bq.requests if s.kind == "jobs.getQueryResults" and s.rows]
    assert len(pages_fetched) >= 3  # paged with pageToken
    assert len(big.data.query(DOMAIN, BIG_DAY, BIG_DAY, ["page", "query"])) == 50_000  # what the API gives of it
    assert stored(store, "SELECT query_rows, queries_truncated, pages_truncated FROM search_days") == [
        (52_000, False, False)]
    assert stored(store, "SELECT count(*), count(DISTINCT (page, query)) FROM search_queries") == [(52_000, 52_000)]
    assert "52,000 page x query rows (none capped)" in result.stdout
    # Received: the aggregated rows, never the table's rows.
    received = sum(s.rows for s in big.bq.requests if s.kind == "jobs.getQueryResults" and URL_TABLE in _job_sql(big, s))
    assert received == 52_000 + 260 + 2  # query rows, page totals, the property's and anonymized totals
    assert big.bq.table_rows(PROJECT, DATASET, URL_TABLE) > 3 * received


def _job_sql(google: Google, seen) -> str:
    job_id = seen.path.split("/queries/")[1].split("?")[0]
    return google.bq.jobs[(PROJECT, job_id)].sql


def test_a_query_above_the_cap_is_refused_before_any_day_is_queried(big, tmp_path):
    store = tmp_path / "s.duckdb"

    result = sync_bq(store, "--max-gb", "0.02")  # 20.5 MB: ExportLog and the property check read far less

    line = error_line(result)
    assert result.exit_code == 2
    assert f"the query for {BIG_DAY} would read" in line and "above --max-gb 0.02" in line
    assert "nothing was queried" in line
    estimate = day_queries(big.bq, dry_run=True)
    assert len(estimate) == 1 and estimate[0].processed > 0.02 * 2**30
    assert day_queries(big.bq) == []  # the day's query never ran
    assert search_tables(store) is None  # and no store was made


# --- incremental: ExportLog ------------------------------------------------------------------------


def test_a_second_sync_asks_only_exportlog(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert sync_bq(store).exit_code == 0
    held = search_tables(store)
    authorized.bq.reset_requests()

    result = sync_bq(store)

    assert result.exit_code == 0, result.output
    assert f"0 days stored, {len(DAYS)} already at their export version" in result.stdout
    assert day_queries(authorized.bq, dry_run=None) == []
    assert {s.sql.split("FROM")[1].split()[0] for s in authorized.bq.requests if s.kind == "jobs.insert"} == {
        f"`{PROJECT}.{DATASET}.ExportLog`"}
    assert search_tables(store) == held


def test_a_republished_day_replaces_the_stored_day_and_nothing_else_is_queried(authorized, tmp_path):
    store, bq, day = tmp_path / "s.duckdb", authorized.bq, DAYS[3]
    assert sync_bq(store).exit_code == 0
    clicks, impressions = stored(store, "SELECT clicks, impressions FROM search_days WHERE day = ?", [day])[0]
    before = stored(store, "SELECT * FROM search_days WHERE day <> ? ORDER BY day", [day])
    # Search Console corrects the day (here: twice the clicks) in both tables and logs epoch version 1.
    for table in (SITE_TABLE, URL_TABLE):
        bq.sql(f'UPDATE "{PROJECT}"."{DATASET}"."{table}" SET clicks = clicks * 2 WHERE data_date = ?', [day])
    bq.log_export(PROJECT, DATASET, day, epoch_version=1)
    bq.reset_requests()

    result = sync_bq(store)

    assert result.exit_code == 0, result.output
    assert "1 days stored" in result.stdout and f"replaced: 1 ({day})" in result.stdout
    ran = day_queries(bq)
    assert len(ran) == 1 and ran[0].params == {"first_day": str(day), "last_day": str(day), "search_type": "WEB"}
    assert stored(store, "SELECT clicks, impressions, epoch_version FROM search_days WHERE day = ?", [day]) == [
        (2 * clicks, impressions, 2)]  # both tables at version 1
    assert stored(store, "SELECT sum(clicks) FROM search_pages WHERE day = ?", [day]) == [(2 * clicks,)]
    assert stored(store, "SELECT * FROM search_days WHERE day <> ? ORDER BY day", [day]) == before


def test_a_day_only_one_table_was_published_for_waits(authorized, tmp_path):
    store, bq = tmp_path / "s.duckdb", authorized.bq
    new_day = DAYS[-1] + dt.timedelta(days=1)
    bq.log_export(PROJECT, DATASET, new_day, tables=(SITE_TABLE,))  # the URL table comes later in the day

    result = sync_bq(store)

    assert result.exit_code == 0, result.output
    assert f"exported in part so far (one table of two), next time: 1 ({new_day})" in result.stdout
    assert stored(store, "SELECT max(day), count(*) FROM search_days") == [(DAYS[-1], len(DAYS))]


def test_days_held_from_the_api_are_replaced_and_the_api_sync_then_leaves_them(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert run(store, "sync", "--site", DOMAIN, "--start", START, "--end", END).exit_code == 0

    result = sync_bq(store, "--start", START, "--end", END)

    assert result.exit_code == 0, result.output
    assert f"replaced days held from the Search Console API: {len(DAYS)}" in result.stdout
    assert stored(store, "SELECT DISTINCT source FROM search_days") == [("bigquery",)]
    authorized.api.reset_requests()
    again = run(store, "sync", "--site", DOMAIN, "--start", START, "--end", END)
    assert again.exit_code == 0 and authorized.api.count("searchanalytics") == 0  # final days are not asked again
    assert stored(store, "SELECT DISTINCT source FROM search_days") == [("bigquery",)]


# --- what it costs -----------------------------------------------------------------------------


def test_the_tools_queries_read_one_days_partition_never_the_whole_table(authorized, tmp_path):
    assert sync_bq(tmp_path / "s.duckdb").exit_code == 0
    dry = day_queries(authorized.bq, dry_run=True)
    assert len(dry) == len(DAYS) and all(s.processed > 0 for s in dry)
    # The same query without its data_date filter reads every partition: exactly the days' sum.
    export = bigquery.BulkExport(auth.credentials(bigquery=True), PROJECT, DATASET)
    unfiltered = bigquery.day_sql(export.prefix, by_day=True).replace("data_date BETWEEN @first_day AND @last_day AND ", "")
    whole = export.dry_run(unfiltered, {"search_type": "WEB"}, "the whole table")
    assert sum(s.processed for s in dry) == whole
    assert max(s.processed for s in dry) < whole / (len(DAYS) - 2)
    check = [s for s in authorized.bq.requests if s.kind == "jobs.insert" and s.dry_run and "GROUP BY site_url" in s.sql]
    assert check and all(0 < s.processed < whole / len(DAYS) for s in check)


def test_every_real_query_is_dry_run_first_and_billed_at_most_the_cap(authorized, tmp_path):
    result = run(tmp_path / "s.duckdb", "-v", "sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT,
                 "--max-gb", "2.5")

    assert result.exit_code == 0, result.output
    inserts = [s for s in authorized.bq.requests if s.kind == "jobs.insert"]
    real = [s for s in inserts if not s.dry_run]
    dry_sql = [s.sql for s in inserts if s.dry_run]
    assert real and all(s.sql in dry_sql for s in real)
    assert {s.body["configuration"]["query"]["maximumBytesBilled"] for s in real} == {str(int(2.5 * 2**30))}
    # Every day was dry-run before the first day's query ran.
    first_real_day = next(i for i, s in enumerate(authorized.bq.requests) if s in day_queries(authorized.bq))
    assert len([s for s in authorized.bq.requests[:first_real_day] if s in day_queries(authorized.bq, dry_run=True)]) == len(DAYS)
    assert f"BigQuery dry runs: {len(DAYS)} queries would read" in result.stderr
    assert result.stderr.count("  dry run: the query for ") == len(DAYS)  # -v: each estimate
    # -v without a terminal (cron, a pipe: no bar is drawn): progress per day in words.
    stored_lines = [line for line in result.stderr.splitlines() if ": stored, " in line]
    assert len(stored_lines) == len(DAYS)
    assert all(re.match(r"  \d{4}-\d\d-\d\d: stored, [\d,]+ page rows and [\d,]+ page x query rows", line)
               for line in stored_lines)


def test_a_query_bigquery_bills_above_the_cap_is_one_line(authorized, tmp_path):
    authorized.bq.fail_job = lambda job: bytes_billed_exceeded(21 * 2**20, 22 * 2**20) if URL_TABLE in job.sql else None
    store = tmp_path / "s.duckdb"

    result = sync_bq(store, "--max-gb", "0.02")

    line = failed_fetching(result)
    assert result.exit_code == 2
    assert "would bill more than --max-gb 0.02" in line and "23068672 or higher required" in line
    assert "0 complete days were stored" in line
    assert search_tables(store) is None


def test_a_query_of_several_days_gives_the_same_days_as_one_query_each(authorized):
    export = bigquery.BulkExport(auth.credentials(bigquery=True), PROJECT, DATASET)
    versions = dict.fromkeys(DAYS[:3], 0)

    together = export.fetch_days(DAYS[0], DAYS[2], "web", versions)
    apart = [d for day in DAYS[:3] for d in export.fetch_days(day, day, "web", {day: 0})]

    assert [d.result.day for d in together] == DAYS[:3]
    def rows(columns: dict) -> list:  # rows come in no set order
        return sorted(zip(*columns.values()))

    assert [(d.result.totals, rows(d.result.pages), rows(d.result.queries), d.anonymized) for d in together] == [
        (d.result.totals, rows(d.result.pages), rows(d.result.queries), d.anonymized) for d in apart]
    assert all(d.result.query_count == PAGES * QUERIES and not d.result.queries_truncated for d in together)


# --- failures: one line, the right exit code, the store unchanged ---------------------------------


def _no_dataset(g):
    g.bq.datasets.pop((PROJECT, DATASET))


def _no_url_table(g):
    g.bq.drop_table(PROJECT, DATASET, URL_TABLE)


def _no_export_log(g):
    g.bq.drop_table(PROJECT, DATASET, "ExportLog")


def _dataset_denied(g):
    g.bq.denied_datasets.add((PROJECT, DATASET))


def _jobs_denied(g):
    g.bq.jobs_denied.add(PROJECT)


def _quota(g):
    g.bq.quota_exhausted = True


def _rate_limited(g):
    g.bq.rate_limited = 10_000


def _other_property(g):
    g.bq.sql(f'UPDATE "{PROJECT}"."{DATASET}"."{SITE_TABLE}" SET site_url = \'sc-domain:other.example\'')


def _login_without_bigquery(g):
    _login(g, [SCOPE_READONLY])


def _token_without_bigquery_scope(g):  # the saved login says it has the scope; Google's token does not
    config = g.api.client_config()["installed"]
    auth.write_private(auth.token_path(), json.dumps({
        "type": "authorized_user", "refresh_token": g.api.issue_refresh_token(SCOPE_READONLY),
        "client_id": config["client_id"], "client_secret": config["client_secret"],
        "scopes": [SCOPE_READONLY, auth.BIGQUERY_SCOPE]}))


def _captive_portal(g):
    g.bq.html_answers = 10_000


def _billing(g):
    g.bq.fail_job = lambda job: BqError(403, "billingNotEnabled", "Billing has not been enabled for this project. "
                                                                 "Enable billing at https://console.cloud.google.com/billing.")


def _unreachable(g, monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_BIGQUERY_ENDPOINT", "http://127.0.0.1:9")


FAILURES = {
    "dataset missing": (_no_dataset, 3, ["dataset gsc-export-4711:searchconsole was not found",
                                         "Settings > Bulk data export"]),
    "table missing": (_no_url_table, 3, ["has no table searchdata_url_impression", "Settings > Bulk data export"]),
    "ExportLog missing": (_no_export_log, 3, ["has no table ExportLog"]),
    "dataset denied": (_dataset_denied, 77, ["may not read BigQuery dataset gsc-export-4711:searchconsole",
                                             "BigQuery Data Viewer", "BigQuery Job User"]),
    "jobs denied": (_jobs_denied, 77, ["may not run queries in project gsc-export-4711", "BigQuery Job User"]),
    "quota": (_quota, 75, ["BigQuery quota or rate limit exceeded", "run the command again later"]),
    "rate limit": (_rate_limited, 75, ["BigQuery quota or rate limit exceeded"]),
    "another property": (_other_property, 2, ["holds the bulk export of sc-domain:other.example, not sc-domain:"]),
    "login without BigQuery": (_login_without_bigquery, 77, ["auth login --bigquery"]),
    "no login at all": (lambda g: auth.token_path().unlink(), 77, ["not authorized with Google yet; run "
                                                                   "`gsc-backlinks auth login --bigquery`"]),
    "token without the scope": (_token_without_bigquery_scope, 77, ["no BigQuery access", "auth login --bigquery"]),
    "unreachable": (_unreachable, 69, ["cannot reach BigQuery", "GSC_BACKLINKS_BIGQUERY_ENDPOINT"]),
    "revoked login": (lambda g: g.api.revoke_all(), 77, ["Google refused the saved authorization"]),
    "captive portal": (_captive_portal, 69, ["not BigQuery JSON", "proxy or Wi-Fi sign-in page"]),
    "billing": (_billing, 77, ["billing", "Billing has not been enabled"]),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failure_is_one_line_with_its_exit_code_and_the_store_unchanged(authorized, tmp_path, monkeypatch, case):
    store = tmp_path / "s.duckdb"
    assert sync_bq(store, "--end", DAYS[3]).exit_code == 0  # a store holding half the days
    held = search_tables(store)
    breaks, code, says = FAILURES[case]
    breaks(authorized, monkeypatch) if breaks is _unreachable else breaks(authorized)
    authorized.bq.reset_requests()

    result = sync_bq(store)

    line = error_line(result)
    assert result.exit_code == code, line
    for words in says:
        assert words in line
    assert search_tables(store) == held
    if case == "login without BigQuery":
        assert authorized.bq.requests == []  # known before asking


def test_a_failure_while_fetching_keeps_the_complete_days_and_the_next_sync_resumes(authorized, tmp_path):
    store, bq = tmp_path / "s.duckdb", authorized.bq
    broken = DAYS[-3]
    bq.fail_job = lambda job: (access_denied_table(PROJECT, DATASET, URL_TABLE)
                               if job.params.get("first_day") == broken else None)

    result = sync_bq(store, "--workers", "1")  # newest day first, one at a time

    line = failed_fetching(result)
    kept = [d for (d,) in stored(store, "SELECT day FROM search_days ORDER BY day")]
    # The two newer days came first; the one the worker had begun when the error came is kept too.
    assert kept[-2:] == DAYS[-2:] and broken not in kept and len(kept) <= 3
    assert result.exit_code == 77 and f"({len(kept)} complete days were stored;" in line and "resumes" in line
    bq.fail_job = None
    bq.reset_requests()
    again = sync_bq(store)
    assert again.exit_code == 0, again.output
    assert f"{len(DAYS) - len(kept)} days stored, {len(kept)} already at their export version" in again.stdout
    assert len(day_queries(bq)) == len(DAYS) - len(kept)


def test_transient_bigquery_errors_are_retried(authorized, tmp_path):
    authorized.bq.backend_errors = 3  # 503 backendError, then fine
    result = sync_bq(tmp_path / "s.duckdb")
    assert result.exit_code == 0, result.output
    assert sum(1 for s in authorized.bq.requests if s.status == 503) == 3
    assert stored(tmp_path / "s.duckdb", "SELECT count(*) FROM search_days") == [(len(DAYS),)]


def test_a_query_bigquery_rejects_is_one_line(authorized, tmp_path):
    authorized.bq.fail_job = lambda job: BqError(400, "invalidQuery", "Unrecognized name: sum_position at [14:8]")
    result = sync_bq(tmp_path / "s.duckdb")
    line = failed_fetching(result)
    assert result.exit_code == 69 and "Unrecognized name: sum_position" in line and "bulk export" in line


OPTION_ERRORS = {
    "no project": (["sync", "--site", DOMAIN, "--source", "bigquery"], "needs --project"),
    "project name, not ID": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", "My Project"],
                             "is not a Google Cloud project ID"),
    "bad dataset": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, "--dataset", "a.b"],
                    "is not a BigQuery dataset name"),
    "bad location": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, "--location", "us west"],
                     "is not a BigQuery location"),
    "no cap": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, "--max-gb", "0"],
               "--max-gb must be a finite number of gigabytes above 0"),
    "cap below the 10 MB minimum": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT,
                                     "--max-gb", "0.005"], "at least 10 MB for each of the two tables"),
    "bigquery options for the API": (["sync", "--site", DOMAIN, "--project", PROJECT, "--max-gb", "3"],
                                     "--project, --max-gb are for --source bigquery"),
    "inspect-top": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, "--inspect-top", "3"],
                    "--inspect-top asks the Search Console API"),
    "bare site": (["sync", "--site", "example.com", "--source", "bigquery", "--project", PROJECT],
                  "is not a Search Console property name"),
    "days and start": (["sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT, "--days", "3",
                        "--start", START], "give either --days or --start/--end"),
}


@pytest.mark.parametrize("case", list(OPTION_ERRORS))
def test_options_are_checked_before_any_request(authorized, tmp_path, case):
    args, says = OPTION_ERRORS[case]
    result = run(tmp_path / "s.duckdb", *args)
    line = error_line(result)
    assert result.exit_code == 2 and says in line
    assert authorized.bq.requests == [] and authorized.api.requests == []
    assert not (tmp_path / "s.duckdb").exists()


def test_the_dataset_location_is_sent_and_a_wrong_one_is_named(authorized, tmp_path):
    authorized.bq.datasets[(PROJECT, DATASET)].location = "EU"
    assert sync_bq(tmp_path / "eu.duckdb", "--location", "EU").exit_code == 0
    assert sync_bq(tmp_path / "any.duckdb").exit_code == 0  # without --location BigQuery finds the data's

    result = sync_bq(tmp_path / "us.duckdb", "--location", "US")

    line = error_line(result)
    assert result.exit_code == 3 and "was not found in location US" in line and "--location" in line


# --- authorization ---------------------------------------------------------------------------


def test_login_with_bigquery_asks_for_the_read_only_bigquery_scope_too(google, tmp_path, monkeypatch):
    import threading
    import webbrowser

    import requests

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in speaks plain http
    google.api.scope_granted = f"{SCOPE_READONLY} {auth.BIGQUERY_SCOPE}"

    def open_url(url, new=0, autoraise=True):  # a browser that consents at once
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}, daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    secrets = tmp_path / "credentials.json"
    secrets.write_text(json.dumps(google.api.client_config()))

    login = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(secrets), "--bigquery")

    assert login.exit_code == 0, login.output
    assert "bigquery.readonly" in login.stdout
    asked = next(r for r in google.api.requests if r.kind == "auth").path
    assert "bigquery.readonly" in asked and "webmasters.readonly" in asked
    assert json.loads(auth.token_path().read_text())["scopes"] == [SCOPE_READONLY, auth.BIGQUERY_SCOPE]
    assert sync_bq(tmp_path / "s.duckdb").exit_code == 0


def test_a_login_without_bigquery_asks_for_search_console_only(google, tmp_path, monkeypatch):
    import threading
    import webbrowser

    import requests

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0, autoraise=True: threading.Thread(
        target=requests.get, args=(url,), kwargs={"timeout": 10}, daemon=True).start() or True)
    secrets = tmp_path / "credentials.json"
    secrets.write_text(json.dumps(google.api.client_config()))

    assert run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(secrets)).exit_code == 0

    asked = next(r for r in google.api.requests if r.kind == "auth").path
    assert "bigquery" not in asked


def test_a_service_account_gets_a_bigquery_token(google, tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    key = tmp_path / "key.json"
    key.write_text(json.dumps({
        "type": "service_account", "project_id": PROJECT, "private_key_id": "k1", "private_key": pem,
        "client_email": f"cron@{PROJECT}.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))

    result = sync_bq(tmp_path / "s.duckdb")

    assert result.exit_code == 0, result.output
    grant = next(r for r in google.api.requests if r.kind == "token")
    payload = grant.body["assertion"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["scope"] == auth.BIGQUERY_SCOPE


# --- the store -------------------------------------------------------------------------------


def test_a_store_from_before_the_bulk_export_keeps_its_days_marked_as_from_the_api(tmp_path):
    import duckdb

    from gsc_backlinks.store import migrations as store_mod
    from gsc_backlinks.store import open_store
    from gsc_backlinks.store.search import search_day_versions

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for number, name, sql in store_mod.MIGRATIONS[:8]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    con.execute("INSERT INTO search_days VALUES (?, 'web', ?, 'final', 3, 40, 0.075, 4.5, 1, 2, false, false, now())",
                [DOMAIN, DAYS[0]])
    con.close()

    with open_store(path, write=True) as con:
        assert search_day_versions(con, DOMAIN, "web") == {DAYS[0]: ("api", None)}
    assert stored(path, "SELECT clicks, impressions, source, epoch_version FROM search_days") == [
        (3, 40, "api", None)]


def test_the_weekly_report_names_the_bulk_export_as_the_source_of_its_search_numbers(authorized, tmp_path):
    api_store, bq_store = tmp_path / "api.duckdb", tmp_path / "bq.duckdb"
    assert run(api_store, "sync", "--site", DOMAIN, "--start", START, "--end", END).exit_code == 0
    assert sync_bq(bq_store, "--start", START, "--end", END).exit_code == 0
    pages = {}
    for name, store in (("api", api_store), ("bq", bq_store)):
        out = tmp_path / name
        result = run(store, "report", "weekly", "--site", DOMAIN, "--offline", "--out", str(out))
        assert result.exit_code == 0, result.output
        pages[name] = next(out.rglob("index.html")).read_text()

    assert "Search performance (BigQuery bulk export)" in pages["bq"]
    assert "Search performance (API)" in pages["api"] and "bulk export" not in pages["api"]


def test_the_configuration_file_can_name_the_bulk_export_as_a_propertys_source(authorized, tmp_path):
    config = tmp_path / "gsc-backlinks.toml"
    config.write_text(f'[[property]]\nname = "big"\nsite = "{DOMAIN}"\nsource = "bigquery"\n'
                      f'bigquery_project = "{PROJECT}"\n', encoding="utf-8")
    store = tmp_path / "s.duckdb"

    result = run(store, "--config", str(config), "sync", "--property", "big", "--start", START, "--end", END)

    assert result.exit_code == 0, result.output
    assert f"{len(DAYS)} days stored" in result.stdout
    assert stored(store, "SELECT DISTINCT source FROM search_days") == [("bigquery",)]
    # The command line wins over the file.
    api = run(tmp_path / "api.duckdb", "--config", str(config), "sync", "--property", "big", "--source", "api",
              "--start", START, "--end", END)
    assert api.exit_code == 0, api.output
    assert stored(tmp_path / "api.duckdb", "SELECT DISTINCT source FROM search_days") == [("api",)]


def test_the_weekly_runs_say_what_the_bulk_exports_queries_would_read_as_sync_does(google, tmp_path):
    config = tmp_path / "gsc-backlinks.toml"
    config.write_text(f'[defaults]\nout = "reports"\n[[property]]\nname = "big"\nsite = "{DOMAIN}"\n'
                      f'source = "bigquery"\nbigquery_project = "{PROJECT}"\n', encoding="utf-8")

    def weekly(store, *args):
        return run(tmp_path / store, "--config", str(config), "report", "weekly", *args)

    # No saved login: the weekly run says which login the bulk export needs, and writes the report from the store.
    unauthorized = weekly("none.duckdb", "--property", "big")
    assert "not authorized with Google (run `gsc-backlinks auth login --bigquery`)" in unauthorized.stderr

    _login(google, [SCOPE_READONLY, auth.BIGQUERY_SCOPE])
    synced = run(tmp_path / "sync.duckdb", "sync", "--site", DOMAIN, "--source", "bigquery", "--project", PROJECT,
                 "--start", START, "--end", END)
    assert synced.exit_code == 0, synced.output
    (plan,) = [line for line in synced.stderr.splitlines() if line.startswith("BigQuery dry runs: ")]
    assert plan.startswith(f"BigQuery dry runs: {len(DAYS)} queries would read ") and plan.endswith(
        "; cap 10 GB per query)")

    # The weekly report's sync covers the same days (the export holds no others): the same line.
    one = weekly("one.duckdb", "--property", "big")
    assert one.exit_code == 0, one.output
    assert plan in one.stdout.splitlines()
    everything = weekly("all.duckdb", "--all", "--no-check")
    assert everything.exit_code == 0, everything.output
    assert f"big: {plan}" in everything.stdout.splitlines()
    # Nothing more to query: no dry runs, no line; -q (cron) prints none either.
    again = weekly("all.duckdb", "--all", "--no-check")
    assert again.exit_code == 0 and "dry runs" not in again.output
    quiet = weekly("quiet.duckdb", "-q", "--property", "big")
    assert quiet.exit_code == 0 and "dry runs" not in quiet.output
    assert stored(tmp_path / "quiet.duckdb", "SELECT count(*) FROM search_days") == [(len(DAYS),)]
