"""auth, sites, sync and inspect against a loopback stand-in for Google.

The real google-auth-oauthlib, google-auth and google-api-python-client talk to
``standin.StandIn`` on 127.0.0.1, which answers in Google's wire format.
oauthlib refuses plain-http OAuth endpoints unless OAUTHLIB_INSECURE_TRANSPORT
is set: the tests set it for the stand-in only; the tool itself never does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
import time

import duckdb
import pytest
import requests

from gsc_backlinks import auth
from gsc_backlinks.dates import pacific_now

from clihelp import error_line, run, stored, write_export
from googlehelp import DAYS, DOMAIN, END, FINAL_UNTIL, START, TODAY, service_key
from standin import SearchData


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _client_file(server, tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(server.client_config()))
    return path


# --- auth login -----------------------------------------------------------------------------


def _browser_that_consents(monkeypatch):
    """webbrowser.open replaced by a 'browser' that follows Google's redirect to the loopback."""
    import webbrowser

    visits = []

    def open_url(url, new=0, autoraise=True):
        def visit():
            answer = requests.get(url, timeout=10)  # follows the 302 to http://localhost:PORT/?code=…
            visits.append((answer.status_code, answer.text))

        threading.Thread(target=visit, daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    return visits


def test_login_runs_the_loopback_flow_and_saves_a_private_token(google, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in speaks plain http
    visits = _browser_that_consents(monkeypatch)
    store = tmp_path / "s.duckdb"

    result = run(store, "auth", "login", "--client-secrets", str(_client_file(google, tmp_path)))

    assert result.exit_code == 0, result.output
    token_file = auth.token_path()
    assert _mode(token_file) == 0o600
    saved = json.loads(token_file.read_text())
    assert saved["type"] == "authorized_user" and saved["refresh_token"].startswith("1//")
    assert "token_uri" not in saved  # where a refresh token goes is never read from the file
    assert visits and visits[0][0] == 200 and "authorization received" in visits[0][1]
    assert "3 Search Console properties" in result.stdout
    # PKCE code exchange happened at the stand-in, and the token never reached the terminal.
    assert google.count("token") == 1 and google.count("sites.list") == 1
    for secret in (saved["refresh_token"], saved["token"], saved["client_secret"]):
        assert secret not in result.output
    auth_request = next(r for r in google.requests if r.kind == "auth")
    assert "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fwebmasters.readonly" in auth_request.path


def test_login_refused_in_the_browser_is_one_line_and_saves_nothing(google, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    google.deny_consent = True  # the user clicks Cancel on Google's consent screen
    visits = _browser_that_consents(monkeypatch)

    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(_client_file(google, tmp_path)))

    assert result.exit_code == 77
    assert result.stderr.count("Error: ") == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith("Error: access was not granted in the browser")
    deadline = time.monotonic() + 10
    while not visits and time.monotonic() < deadline:  # the browser reads the tab's answer after the CLI ended
        time.sleep(0.02)
    assert visits and visits[0][0] == 200 and "not granted" in visits[0][1]  # the tab says so too
    assert not auth.token_path().exists() and google.count("token") == 0


def test_login_with_a_pasted_redirect_url(google, tmp_path, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    printed: list[str] = []

    def paste() -> str:  # the user opens the URL elsewhere and pastes the address they land on
        url = next(line.strip() for text in printed for line in text.splitlines() if "/o/oauth2/auth?" in line)
        answer = requests.get(url, allow_redirects=False, timeout=10)
        return answer.headers["Location"] + "\n"

    creds = auth.login_user(_client_file(google, tmp_path), open_browser=False, read_paste=paste,
                            echo=printed.append, timeout=20)

    assert creds.refresh_token
    assert _mode(auth.token_path()) == 0o600
    assert "paste it here" in printed[-1]


def test_pasted_url_of_another_login_is_refused():
    with pytest.raises(auth.AuthError, match="state mismatch"):
        auth.code_from_redirect("http://localhost:8080/?state=other&code=abc", state="mine")
    with pytest.raises(auth.AuthError, match="not granted"):
        auth.code_from_redirect("http://localhost:8080/?error=access_denied&state=mine", state="mine")
    assert auth.code_from_redirect("4/0Abc-code", state="mine") == "4/0Abc-code"


def test_login_without_a_client_file_points_to_the_example(google, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(tmp_path / "s.duckdb", "auth", "login")
    line = error_line(result)
    assert result.exit_code == 2
    assert "credentials.example.json" in line and "Desktop OAuth client" in line


def test_login_refuses_the_example_placeholders(google, tmp_path):
    from clihelp import REPO

    result = run(tmp_path / "s.duckdb", "auth", "login", "--client-secrets", str(REPO / "credentials.example.json"))
    assert result.exit_code == 2
    assert "placeholder values" in error_line(result)


def test_service_account_login_keeps_a_reference_not_the_key(google, tmp_path):
    key = service_key(tmp_path)
    result = run(tmp_path / "s.duckdb", "auth", "login", "--service-account", str(key))

    assert result.exit_code == 0, result.output
    assert "cron@p.iam.gserviceaccount.com" in result.stdout and "Users and permissions" in result.stdout
    saved = auth.token_path().read_text()
    assert "PRIVATE KEY" not in saved and _mode(auth.token_path()) == 0o600
    assert google.count("token") == 1  # the jwt-bearer grant went to GSC_BACKLINKS_TOKEN_URI, not Google

    status = run(tmp_path / "s.duckdb", "auth", "status")
    assert status.exit_code == 0 and "service account cron@p.iam.gserviceaccount.com" in status.stdout


# --- auth status / logout / refresh ----------------------------------------------------------


def test_status_reports_and_checks_live_and_saves_the_refreshed_token(authorized, tmp_path):
    before = json.loads(auth.token_path().read_text())
    assert "token" not in before

    result = run(tmp_path / "s.duckdb", "auth", "status")

    assert result.exit_code == 0, result.output
    assert "Google account via OAuth" in result.stdout
    assert "test-client.apps.googleusercontent.com" in result.stdout
    assert "webmasters.readonly" in result.stdout
    assert "3 Search Console properties" in result.stdout
    after = json.loads(auth.token_path().read_text())
    assert after["token"].startswith("ya29.") and after["expiry"]  # refreshed, saved again
    assert _mode(auth.token_path()) == 0o600
    assert after["token"] not in result.output and after["refresh_token"] not in result.output


def test_status_when_not_logged_in(google, tmp_path):
    result = run(tmp_path / "s.duckdb", "auth", "status")
    assert result.exit_code == 77
    assert "auth login" in error_line(result)


def test_a_revoked_refresh_token_gives_one_line(authorized, tmp_path):
    authorized.revoke_all()
    result = run(tmp_path / "s.duckdb", "sites")
    line = error_line(result)
    assert result.exit_code == 77
    assert "invalid_grant" in line and "gsc-backlinks auth login" in line and "7 days" in line
    assert "Traceback" not in result.output


def test_an_expired_access_token_is_refreshed_on_the_way(authorized, tmp_path):
    assert run(tmp_path / "s.duckdb", "sites").exit_code == 0
    first = json.loads(auth.token_path().read_text())["token"]
    authorized.expire_access_tokens()
    result = run(tmp_path / "s.duckdb", "sites")
    assert result.exit_code == 0, result.output
    assert json.loads(auth.token_path().read_text())["token"] != first


def test_logout_revokes_with_google_and_deletes_the_file(authorized, tmp_path):
    refresh = json.loads(auth.token_path().read_text())["refresh_token"]
    result = run(tmp_path / "s.duckdb", "auth", "logout")
    assert result.exit_code == 0
    assert "revoked with Google" in result.stdout
    assert not auth.token_path().exists()
    assert refresh in authorized.revoked
    assert run(tmp_path / "s.duckdb", "sites").exit_code == 77


# --- sites ------------------------------------------------------------------------------------


def test_sites_lists_properties_as_google_names_them(authorized, tmp_path):
    result = run(tmp_path / "s.duckdb", "sites", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["sites"]
    assert [(r["site"], r["type"], r["permission"]) for r in rows] == [
        ("https://shop.example.org/", "URL prefix", "Restricted user"),
        ("https://www.example.com/", "URL prefix", "Full user"),
        (DOMAIN, "Domain", "Owner"),
    ]
    table = run(tmp_path / "s.duckdb", "sites")
    assert "sc-domain:example.com" in table.stdout and "Owner" in table.stdout


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("sc-domain:exampel.com", "did you mean sc-domain:example.com"),
        ("https://example.com/", "did you mean"),
        ("example.com", "use sc-domain:example.com for a Domain property or https://example.com/"),
    ],
)
def test_a_site_not_in_the_account_lists_close_matches(authorized, tmp_path, site, expected):
    result = run(tmp_path / "s.duckdb", "sync", "--site", site, "--start", START, "--end", END)
    assert result.exit_code == 2
    assert expected in error_line(result)
    assert authorized.count("searchanalytics") == 0


# --- sync -------------------------------------------------------------------------------------


def _sync(store, *extra):
    return run(store, "sync", "--site", DOMAIN, "--start", START, "--end", END, *extra)


def test_sync_stores_totals_pages_and_queries_that_match_google(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    result = _sync(store)
    assert result.exit_code == 0, result.output
    data = authorized.data

    days = stored(store, "SELECT day, data_state, clicks, impressions, query_rows FROM search_days ORDER BY day")
    assert [d[0] for d in days] == DAYS
    assert [d[1] for d in days] == ["final" if d <= FINAL_UNTIL else "fresh" for d in DAYS]
    for day, _state, clicks, impressions, query_rows in days:
        total = data.rows(DOMAIN, day, ["date"], "all")[0]
        assert (clicks, impressions) == (total["clicks"], total["impressions"])
        assert query_rows == len(data.rows(DOMAIN, day, ["page", "query"], "all"))
    # Page totals include anonymized queries; the property total is the sum of page totals.
    day = DAYS[0]
    page_sum = stored(store, "SELECT sum(clicks) FROM search_pages WHERE day = ?", [day])[0][0]
    query_sum = stored(store, "SELECT sum(clicks) FROM search_queries WHERE day = ?", [day])[0][0]
    assert page_sum == days[0][2] and query_sum <= page_sum
    assert f"{len(DAYS)} days stored (9 final, 2 fresh)" in result.stdout


def test_second_sync_sends_nothing_for_final_days_and_refetches_fresh_ones(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert _sync(store).exit_code == 0
    authorized.reset_requests()

    final_only = run(store, "sync", "--site", DOMAIN, "--start", START, "--end", FINAL_UNTIL.isoformat())
    assert final_only.exit_code == 0
    assert authorized.count("searchanalytics") == 0
    assert "0 days stored" in final_only.stdout and "9 already final" in final_only.stdout

    again = _sync(store)
    assert again.exit_code == 0
    asked = {r.body["startDate"] for r in authorized.requests if r.kind == "searchanalytics"}
    assert asked == {d.isoformat() for d in DAYS if d > FINAL_UNTIL}  # the two fresh days only


def test_fresh_days_become_final_when_google_finalizes_them(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert _sync(store).exit_code == 0
    authorized.data.final_until = DAYS[-1]
    assert _sync(store).exit_code == 0
    assert stored(store, "SELECT count(*) FROM search_days WHERE data_state = 'fresh'") == [(0,)]


def test_a_day_without_data_is_kept_as_final_and_empty_and_recent_days_wait_for_google(authorized, tmp_path):
    quiet_day = DAYS[3]  # before the newest final day: Google has nothing for it, and never will
    authorized.data.empty_days = {quiet_day}
    store = tmp_path / "s.duckdb"

    result = run(store, "sync", "--site", DOMAIN, "--start", START, "--end", TODAY.isoformat())

    assert result.exit_code == 0, result.output
    asked = {r.body["startDate"] for r in authorized.requests
             if r.kind == "searchanalytics" and r.body.get("dimensions") != ["date"]}
    assert quiet_day.isoformat() not in asked  # the date totals said so: no page request for it
    assert stored(store, "SELECT data_state, clicks, page_rows, query_rows FROM search_days WHERE day = ?",
                [quiet_day]) == [("final", 0, 0, 0)]
    recent = [TODAY - dt.timedelta(days=1), TODAY]  # after the last day Google has: not stored, said
    assert stored(store, "SELECT count(*) FROM search_days WHERE day > ?", [DAYS[-1]]) == [(0,)]
    assert f"no data yet from Google for 2 recent day(s) ({recent[0]} to {recent[1]})" in result.stdout

    authorized.reset_requests()
    assert _sync(store).exit_code == 0
    assert quiet_day.isoformat() not in {r.body["startDate"] for r in authorized.requests
                                         if r.kind == "searchanalytics"}


def test_paging_across_25k_pages_and_the_50k_cap_flags_truncation(google, authorized, tmp_path):
    google.data = SearchData(sites=[DOMAIN], days=DAYS[:2], final_until=DAYS[1], pages_per_day=600,
                             queries_per_page=100)  # 60,000 page x query rows a day
    store = tmp_path / "s.duckdb"

    result = run(store, "sync", "--site", DOMAIN, "--start", DAYS[0].isoformat(), "--end", DAYS[1].isoformat())

    assert result.exit_code == 0, result.output
    assert stored(store, "SELECT query_rows, queries_truncated, pages_truncated FROM search_days") == [
        (50_000, True, False), (50_000, True, False)
    ]
    starts = sorted(r.body["startRow"] for r in google.requests
                    if r.kind == "searchanalytics" and r.body.get("dimensions") == ["page", "query"])
    assert starts == [0, 0, 25_000, 25_000, 50_000, 50_000]
    assert "truncated: 2 day(s) reached the API's 50,000-row cap" in result.stdout


def test_a_storm_of_429_and_5xx_still_gives_exactly_the_same_rows(authorized, tmp_path):
    clean = tmp_path / "clean.duckdb"
    assert _sync(clean).exit_code == 0
    authorized.failure_rate = 0.3
    stormy = tmp_path / "stormy.duckdb"

    result = _sync(stormy)

    assert result.exit_code == 0, result.output
    assert "retried" in result.stdout
    query = "SELECT day, page, query, clicks, impressions, ctr, position FROM search_queries ORDER BY ALL"
    assert stored(stormy, query) == stored(clean, query)


def test_errors_after_the_last_retry_say_so_and_keep_whole_days(authorized, tmp_path):
    authorized.quota_exhausted = True
    store = tmp_path / "s.duckdb"
    result = _sync(store)
    line = error_line(result)
    assert result.exit_code == 75
    assert "quota" in line and "15 minutes" in line
    assert stored(store, "SELECT count(*) FROM search_days") == [(0,)]


def test_a_property_without_access_gives_one_line(authorized, tmp_path):
    authorized.forbidden_sites.add(DOMAIN)
    result = _sync(tmp_path / "s.duckdb")
    assert result.exit_code == 77
    assert "no access to property sc-domain:example.com" in error_line(result)


def test_a_token_without_the_search_console_scope_gives_one_line(google, tmp_path):
    google.scope_granted = "openid"
    config = google.client_config()["installed"]
    auth.write_private(auth.token_path(), json.dumps({
        "type": "authorized_user", "refresh_token": google.issue_refresh_token(scope="openid"),
        "client_id": config["client_id"], "client_secret": config["client_secret"], "scopes": ["openid"],
    }))
    result = run(tmp_path / "s.duckdb", "sites")
    assert result.exit_code == 77
    assert "lacks the Search Console scope" in error_line(result)


def test_an_interrupted_sync_keeps_whole_days_and_the_next_one_resumes(authorized, tmp_path, monkeypatch):
    import gsc_backlinks.jobs.sync as sync_mod

    real = sync_mod.fetch_page
    broken_day = DAYS[4]

    def fetch_page(api, site, day, *args):
        if day == broken_day:
            raise KeyboardInterrupt
        return real(api, site, day, *args)

    monkeypatch.setattr(sync_mod, "fetch_page", fetch_page)
    store = tmp_path / "s.duckdb"
    result = _sync(store, "--workers", "1")
    assert result.exit_code == 130
    held = stored(store, "SELECT day, query_rows FROM search_days ORDER BY day")
    assert broken_day not in [d for d, _ in held] and held  # days before the stop are kept
    for day, query_rows in held:  # ... and each is whole
        assert stored(store, "SELECT count(*) FROM search_queries WHERE day = ?", [day])[0][0] == query_rows

    monkeypatch.setattr(sync_mod, "fetch_page", real)
    authorized.reset_requests()
    assert _sync(store).exit_code == 0
    asked = {r.body["startDate"] for r in authorized.requests
             if r.kind == "searchanalytics" and r.body.get("dimensions") != ["date"]}
    assert broken_day.isoformat() in asked
    assert not asked & {d.isoformat() for d, _ in held if d <= FINAL_UNTIL}
    assert stored(store, "SELECT count(*) FROM search_days") == [(len(DAYS),)]


# --- inspect -----------------------------------------------------------------------------------


def test_inspect_stores_each_result_with_its_date(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    result = run(store, "inspect", "https://www.example.com/roses/", "www.example.com/missing-page",
                 "--site", DOMAIN, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    by_url = {r["url"]: r for r in doc["results"]}
    assert by_url["https://www.example.com/roses/"]["verdict"] == "PASS"
    assert by_url["https://www.example.com/roses/"]["referring_urls"]
    assert by_url["https://www.example.com/missing-page"]["verdict"] == "NEUTRAL"
    assert doc["inspections_today"] == 2
    rows = stored(store, "SELECT url, verdict, inspected_day, len(referring_urls) > 0 FROM inspections ORDER BY url")
    assert [r[1] for r in rows] == ["NEUTRAL", "PASS"]
    assert rows[1][3] is True and rows[0][2] == pacific_now().date()
    # The table shows Google's last crawl as the Pacific date, as `page` and the report do (04:12 UTC: the 19th).
    table = run(store, "inspect", "https://www.example.com/roses/", "--site", DOMAIN, env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    line = next(x for x in table.stdout.splitlines() if "/roses/" in x)
    assert "2026-11-19" in line and "2026-11-20" not in line


def test_inspect_refuses_urls_outside_the_property(authorized, tmp_path):
    result = run(tmp_path / "s.duckdb", "inspect", "https://elsewhere.example.net/", "--site", DOMAIN)
    assert result.exit_code == 2
    assert "is not a URL of property sc-domain:example.com" in error_line(result)
    assert authorized.count("inspect") == 0


def test_inspect_respects_the_daily_quota_across_runs(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert run(store, "inspect", "https://www.example.com/a", "--site", DOMAIN).exit_code == 0
    con = duckdb.connect(str(store))
    con.execute("INSERT INTO inspections SELECT x.* REPLACE (x.url || r.i::VARCHAR AS url) "
                "FROM inspections x, range(1998) r(i)")
    con.close()

    result = run(store, "inspect", "https://www.example.com/b", "https://www.example.com/c", "--site", DOMAIN)

    assert result.exit_code == 0
    assert "1 not inspected: the daily quota is spent" in result.stdout
    assert authorized.count("inspect") == 2


def test_inspect_when_google_says_the_quota_is_spent(authorized, tmp_path):
    authorized.inspect_quota_left = 0
    result = run(tmp_path / "s.duckdb", "inspect", "https://www.example.com/a", "--site", DOMAIN)
    assert result.exit_code == 75
    assert "quota" in error_line(result)


def test_sync_inspect_top_reuses_recent_results(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    export = write_export(tmp_path, "Top target pages", slug="example.com")  # most linked first
    assert run(store, "import", export, "--site", DOMAIN).exit_code == 0

    first = run(store, "sync", "--site", DOMAIN, "--days", "3", "--inspect-top", "2")
    assert first.exit_code == 0, first.output
    assert "inspected 2 of the 2 most-linked pages" in first.stdout
    authorized.reset_requests()
    second = run(store, "sync", "--site", DOMAIN, "--days", "3", "--inspect-top", "2")
    assert "inspected 0 of the 2 most-linked pages, reused 2" in second.stdout
    assert authorized.count("inspect") == 0


def test_the_rate_limiter_keeps_under_the_per_minute_quota(monkeypatch):
    from gsc_backlinks import api

    now = [0.0]
    monkeypatch.setattr(api.time, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    limiter = api.RateLimiter(api.SEARCH_ANALYTICS_PER_MINUTE, burst=5, clock=lambda: now[0])
    stamps = []
    for _ in range(3_000):
        limiter.acquire()
        stamps.append(now[0])
    per_minute = max(sum(1 for t in stamps if start <= t < start + 60) for start in stamps[::50])
    assert per_minute <= api.SEARCH_ANALYTICS_PER_MINUTE + 5 < 1_200  # Google's per-site Search Analytics quota
    assert stamps[-1] == pytest.approx(2_995 / (api.SEARCH_ANALYTICS_PER_MINUTE / 60), rel=0.01)


def test_login_no_browser_on_the_command_line_reads_the_pasted_url(google, tmp_path):
    import subprocess
    import sys

    from clihelp import REPO

    env = {**os.environ, "OAUTHLIB_INSECURE_TRANSPORT": "1"}  # the fixture's variables are in os.environ
    proc = subprocess.Popen(
        [sys.executable, "-m", "gsc_backlinks", "--store", str(tmp_path / "s.duckdb"), "auth", "login",
         "--no-browser", "--client-secrets", str(_client_file(google, tmp_path))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )
    url = None
    while url is None:  # the URL to open "on any machine"
        line = proc.stderr.readline()
        assert line, "the URL was never printed"
        if "/o/oauth2/auth?" in line:
            url = line.strip()
    landed = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    out, _ = proc.communicate(landed + "\n", timeout=60)

    assert proc.returncode == 0
    assert "token saved" in out
    assert _mode(auth.token_path()) == 0o600


def test_a_malformed_api_endpoint_is_one_line_not_seven_retries(authorized, tmp_path, monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_API_ENDPOINT", "127.0.0.1:8080")
    result = run(tmp_path / "s.duckdb", "sites")
    assert result.exit_code == 2
    assert "GSC_BACKLINKS_API_ENDPOINT='127.0.0.1:8080' is not an http(s) URL" in error_line(result)
    assert authorized.count("sites.list") == 0


# --- report weekly ------------------------------------------------------------------------------


def test_report_weekly_syncs_first_then_reports_the_latest_final_week(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    (tmp_path / "exports").mkdir()
    write_export(tmp_path / "exports", "Top target pages", slug="example.com")
    out = tmp_path / "reports"
    result = run(store, "report", "weekly", "--site", DOMAIN, "--exports", str(tmp_path / "exports"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Synced {DOMAIN}: " in result.stdout and f"newest final day {FINAL_UNTIL}" in result.stdout
    # The week is the last 7 final days; its clicks are Google's property totals for them.
    week = [d for d in DAYS if d <= FINAL_UNTIL][-7:]
    index = out / "sc-domain_example.com" / FINAL_UNTIL.isoformat() / "index.html"
    assert result.stdout.splitlines()[-1] == str(index)
    clicks = sum(authorized.data.rows(DOMAIN, d, ["date"], "all")[0]["clicks"] for d in week)
    html = index.read_text(encoding="utf-8")
    assert f'<div class="label">Clicks</div>\n<div class="value">{clicks:,}</div>' in html
    # A second report the same day asks Google only for the days not final yet.
    authorized.reset_requests()
    again = run(store, "report", "weekly", "--site", DOMAIN, "--out", str(out))
    assert again.exit_code == 0, again.output
    asked = {r.body["startDate"] for r in authorized.requests if r.kind == "searchanalytics"}
    assert asked == {d.isoformat() for d in DAYS if d > FINAL_UNTIL}


def test_report_weekly_goes_on_from_the_store_when_google_refuses(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert _sync(store).exit_code == 0
    authorized.forbidden_sites.add(DOMAIN)
    result = run(store, "report", "weekly", "--site", DOMAIN, "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "Search data not synced:" in result.stderr
    assert (tmp_path / "r" / "sc-domain_example.com" / FINAL_UNTIL.isoformat() / "index.html").exists()


# --- page --inspect ---------------------------------------------------------------------------


def test_page_inspect_asks_google_now_and_shows_its_referring_urls(authorized, tmp_path):
    store = tmp_path / "s.duckdb"
    assert _sync(store).exit_code == 0
    result = run(store, "page", "www.example.com/roses", "--site", DOMAIN, "--inspect", "--format", "json")
    assert result.exit_code == 0, result.output
    assert authorized.count("inspect") == 1
    data = json.loads(result.stdout)
    # Not a page the store knew: with --inspect it is inspected as typed (made canonical).
    assert data["page"] == "https://www.example.com/roses" and data["match"] == "not in the store"
    assert data["inspection"]["verdict"] == "PASS"
    assert data["inspection"]["inspected_at"].startswith(pacific_now().date().isoformat()[:4])
    referring = [p for p in data["linking_pages"] if p["source"] == "URL Inspection"]
    assert referring and all(p["linking_url"].startswith("http") for p in referring)
    assert stored(store, "SELECT count(*) FROM inspections")[0][0] == 1
