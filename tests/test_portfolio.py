"""`report weekly --all`: every property of the configuration file, the portfolio page, the run lock.

Offline runs use the demo's store plus a second property's exports in a shared
exports folder; the online run has everything real on 127.0.0.1: the Search
Console stand-in (syncs), loopback linking sites (link checks, whose per-host
delay must hold across properties) and an SMTP server (mail).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from linksites import LinkSites

from gsc_backlinks import auth
from gsc_backlinks.jobs.demo import DEMO_SITE, load_sample_data
from gsc_backlinks.jobs.lock import run_lock

from clihelp import SITE, SLUG, error_line, run, stored, write_export
from googlehelp import DAYS, FINAL_UNTIL
from smtpstandin import SmtpServer
from standin import SCOPE_READONLY, SearchData, StandIn

NOW = "2026-11-21T17:00:00Z"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("GSC_BACKLINKS_CONFIG", "GSC_BACKLINKS_EXPORTS", "GSC_BACKLINKS_OUT", "GSC_BACKLINKS_SITE",
                 "GSC_BACKLINKS_SMTP_HOST", "GSC_BACKLINKS_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("portfolio-demo") / "store.duckdb"
    load_sample_data(store)
    return store


class Offline:
    """A folder with a store holding the demo property, a shared exports folder with another property's
    exports, and a configuration file of three properties (one the store knows nothing of)."""

    def __init__(self, folder: Path, demo_store: Path):
        self.folder = folder
        self.store = folder / "store.duckdb"
        shutil.copyfile(demo_store, self.store)
        self.exports = folder / "exports"
        self.exports.mkdir()
        for title in ("More sample links", "Top linking sites", "Top target pages", "Top linking text"):
            write_export(self.exports, title, date="2026-11-10")
        write_export(self.exports, "Top linking sites", ["bbc.co.uk,40,6", "gardening.com,8,2", "rhs.org.uk,3,1"],
                     date="2026-11-17")
        self.config = folder / "gsc-backlinks.toml"
        self.config.write_text(f"""
[defaults]
exports = "exports"
out = "reports"

[[property]]
name = "fernhill"
site = "{DEMO_SITE}"
brand = ["Fernhill"]

[[property]]
name = "example"
site = "{SITE}"

[[property]]
name = "nothing"
site = "sc-domain:nothing-held.example"
""", encoding="utf-8")

    def all(self, *args: str, env: dict | None = None):
        return run(self.store, "--config", str(self.config), "report", "weekly", "--all", "--now", NOW, *args, env=env)


@pytest.fixture
def offline(tmp_path, demo_store) -> Offline:
    return Offline(tmp_path, demo_store)


class Links(HTMLParser):
    """The rows of the portfolio table: each row's cells' text and the links in it."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._in_body = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append({"cells": [], "hrefs": [], "class": a.get("class") or ""})
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
            self._in_cell = True
        elif tag == "a" and self.rows and a.get("href"):
            self.rows[-1]["hrefs"].append(a["href"])
        elif tag == "svg" and self.rows:
            self.rows[-1]["cells"][-1] += "[sparkline]"

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell and self.rows:
            self.rows[-1]["cells"][-1] += data


def portfolio_rows(page: Path) -> list[dict]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.rows


def test_all_offline_writes_every_report_and_the_portfolio_and_says_which_failed(offline):
    result = offline.all("--offline")
    assert result.exit_code == 1, result.output
    err = result.stderr.strip().splitlines()
    assert err[0] == ("nothing: no report: the store holds nothing for property sc-domain:nothing-held.example. The "
                      f"store holds: {SITE}, {DEMO_SITE}")
    assert err[-1] == ("Error: 1 of 3 properties had problems (nothing; each is said above and on the portfolio page); "
                       "the other reports and the portfolio page are written")
    page = offline.folder / "reports" / "index.html"
    assert result.stdout.splitlines()[-1] == str(page)
    assert "example: 5 new exports imported, 0 already held" in result.stdout
    assert "fernhill: 0 new exports imported" in result.stdout  # the folder is shared; each takes its own

    rows = portfolio_rows(page)
    assert [r["cells"][0] for r in rows] == ["fernhill", "example", "nothing"]
    fern, example, nothing = rows
    assert fern["cells"][2:7] == ["2", "55", "1", "2", "Attention: you lost a link from rhs-members.example (authority "
                                                      "58) to /hedging/: the link was removed on 19 Nov."]
    assert fern["cells"][7:10] == ["3,743", "+168 (+5%)", "2026-11-17 (4 days old)"]
    assert fern["cells"][10] == "[sparkline]Linking domains: 18 on 2026-11-03 to 19 on 2026-11-17"
    assert example["cells"][2] == "1" and example["cells"][4] == "0"  # rhs.org.uk came, nothing left
    assert nothing["class"] == "failed" and nothing["cells"][6].startswith("Failed: no report: the store holds nothing")
    for row in (fern, example):
        target = (page.parent / row["hrefs"][0]).resolve()
        assert target.is_file() and target.name == "index.html"
    assert fern["hrefs"] == ["https_www.fernhill-nursery.example/2026-11-19/index.html"]
    assert nothing["hrefs"] == []

    # Cron: -q prints only errors; a second run imports nothing new and writes the same page.
    before = page.read_bytes()
    quiet = offline.all("--offline", "-q")
    assert quiet.exit_code == 1 and quiet.stdout == ""
    assert quiet.stderr.strip().splitlines()[0].startswith("nothing: no report")
    assert page.read_bytes() == before


def test_a_broken_export_is_said_and_the_others_go_on(offline):
    (offline.exports / f"{SLUG}-Top target pages-2026-11-18.csv").write_text(
        "Target page,Incoming links,Linking sites\nhttps://www.example.com/,lots,3\n")
    cfg = offline.config.read_text().replace('[[property]]\nname = "nothing"\nsite = "sc-domain:nothing-held.example"\n', "")
    offline.config.write_text(cfg)
    result = offline.all("--offline")
    assert result.exit_code == 1
    problem = [line for line in result.stderr.splitlines() if line.startswith("example: an export could not be read")]
    assert len(problem) == 1 and "Top target pages-2026-11-18.csv" in problem[0]
    assert "fernhill" not in result.stderr  # the other property went on as usual
    rows = portfolio_rows(offline.folder / "reports" / "index.html")
    assert rows[1]["cells"][6].startswith("Problem: an export could not be read")
    assert (offline.folder / "reports" / rows[1]["hrefs"][0]).is_file()  # its report is written all the same


def test_command_line_options_win_over_the_file(offline, tmp_path):
    other = tmp_path / "elsewhere"
    result = offline.all("--offline", "--out", str(other))
    assert (other / "index.html").is_file() and not (offline.folder / "reports").exists()
    assert result.stdout.splitlines()[-1] == str(other / "index.html")
    brand = offline.all("--offline", "--brand", "Fernhill")
    assert brand.exit_code == 2 and "--brand is per property" in brand.stderr
    both = offline.all("--offline", "--site", SITE)
    assert both.exit_code == 2 and "give --all, or one property (--site / --property), not both" in both.stderr


def test_alert_without_any_recipient_is_refused_before_anything_runs(offline):
    result = offline.all("--offline", "--alert")
    assert error_line(result) == ("Error: --alert mails the reports when something mattered, and no property has "
                                  "recipients: give --mail-to ADDR (or mail_to in the configuration file)")
    assert result.exit_code == 2 and not (offline.folder / "reports").exists()  # nothing ran
    # The same as one property's --alert without recipients.
    one = run(offline.store, "--config", str(offline.config), "report", "weekly", "--property", "fernhill",
              "--offline", "--alert", "--now", NOW)
    assert error_line(one).startswith("Error: --alert mails the report when something mattered: give --mail-to ADDR")


def test_a_file_where_the_reports_folder_should_be_is_refused_before_anything_runs(offline):
    afile = offline.folder / "afile"
    afile.write_text("not a folder")
    result = offline.all("--offline", "--out", str(afile))
    assert error_line(result) == (f"Error: --out {afile}: not a folder (a file is there); give the folder the reports "
                                  "are written under")
    assert result.exit_code == 2
    one = run(offline.store, "--config", str(offline.config), "report", "weekly", "--property", "fernhill",
              "--offline", "--out", str(afile), "--now", NOW)
    assert error_line(one) == error_line(result)
    offline.config.write_text(offline.config.read_text().replace('out = "reports"', 'out = "afile"'), encoding="utf-8")
    from_file = offline.all("--offline")
    assert error_line(from_file) == (f"Error: the configuration file's out {afile}: not a folder (a file is there); "
                                     "give the folder the reports are written under")
    assert afile.read_text() == "not a folder" and not (offline.folder / "reports").exists()


def test_quiet_prints_no_notes_for_cron_and_one_property_is_one_property(offline):
    args = ("--config", str(offline.config), "report", "weekly", "--property", "fernhill", "--offline", "--now", NOW)
    said = run(offline.store, *args)
    assert said.exit_code == 0, said.output
    assert "Note: The competitor exports are old" in said.stderr
    quiet = run(offline.store, "-q", *args)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout.strip() == said.stdout.strip().splitlines()[-1]  # only the report's path
    cfg = offline.config.read_text()
    offline.config.write_text(cfg[:cfg.index('[[property]]\nname = "example"')], encoding="utf-8")
    assert "Portfolio of 1 property (1 without problems):" in offline.all("--offline").stdout.splitlines()


def test_a_second_run_says_which_run_holds_the_lock_or_waits_for_it(offline):
    with run_lock(offline.store, command="report weekly --all"):
        busy = offline.all("--offline")
    assert busy.exit_code == 75
    line = busy.stderr.strip()
    assert re.fullmatch(rf"Error: another run is under way on store {re.escape(str(offline.store))}: pid \d+, started "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(report weekly --all\); it ends by itself \(a lock is let "
                        r"go when its process ends\); wait for it, or give --wait SECONDS", line), line
    assert not (offline.folder / "reports").exists()  # nothing ran

    held = threading.Event()

    def hold():
        with run_lock(offline.store, command="test"):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    waited = offline.all("--offline", "--wait", "30")
    thread.join()
    assert time.monotonic() - started >= 0.4
    assert waited.exit_code == 1 and (offline.folder / "reports" / "index.html").is_file()  # ran once it was free


# --- online: sync, check, report and mail for every property ------------------------------------------


def _doc(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>'


@pytest.fixture
def online(tmp_path, monkeypatch):
    """Two URL-prefix properties on the loopback sites, known to the Search Console stand-in, with an
    authorization saved; both are linked from the same blog host."""
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "1")
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=127.0.0.1")
    with LinkSites() as sites:
        fern, rose = sites.url("www.fernhill.test", "/"), sites.url("www.rosehall.test", "/")
        data = SearchData(sites=[fern, rose], days=DAYS, final_until=FINAL_UNTIL, pages_per_day=6, queries_per_page=3)
        with StandIn(sites={fern: "siteOwner", rose: "siteFullUser"}, data=data) as google:
            monkeypatch.setenv("GSC_BACKLINKS_API_ENDPOINT", google.base_url)
            monkeypatch.setenv("GSC_BACKLINKS_TOKEN_URI", google.token_uri)
            monkeypatch.setenv("GSC_BACKLINKS_REVOKE_URI", google.revoke_uri)
            monkeypatch.setenv("GSC_BACKLINKS_RETRY_BASE", "0.01")
            monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
            client = google.client_config()["installed"]
            auth.write_private(auth.token_path(), json.dumps({
                "type": "authorized_user", "refresh_token": google.issue_refresh_token(),
                "client_id": client["client_id"], "client_secret": client["client_secret"], "scopes": [SCOPE_READONLY]}))
            exports = tmp_path / "exports"
            exports.mkdir()
            for site, page in ((fern, "roses"), (rose, "tulips")):
                sites.page("blog.test", f"/{page}", _doc(f'<p>Read <a href="{site}{page}/">the {page} guide</a>.</p>'))
                sites.page("news.test", f"/{page}", _doc("<p>No link here.</p>"))
                slug = site.replace(":", "_").replace("/", "_")
                write_export(exports, "More sample links", [sites.url("blog.test", f"/{page}"),
                                                            sites.url("news.test", f"/{page}")], slug=slug)
            yield {"sites": sites, "google": google, "fern": fern, "rose": rose, "exports": exports}


def test_all_online_syncs_checks_reports_and_mails_every_property(online, tmp_path):
    fern, rose = online["fern"], online["rose"]
    store = tmp_path / "store.duckdb"
    config = tmp_path / "gsc-backlinks.toml"
    config.write_text(f"""
[defaults]
exports = "exports"
out = "reports"
mail_to = ["seo@agency.example"]

[[property]]
name = "fernhill"
site = "{fern}"
mail_to = ["owner@fernhill.example", "seo@agency.example"]

[[property]]
name = "rosehall"
site = "{rose}"
""", encoding="utf-8")
    with SmtpServer(tmp_path) as smtp:
        result = run(store, "--config", str(config), "report", "weekly", "--all", env=smtp.env())
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("fernhill", "rosehall"):
        assert f"{name}: 1 new exports imported" in out
        assert re.search(rf"{name}: Synced .*: \d+ days fetched", out)
        assert f"{name}: 2 linking pages checked" in out
    assert "fernhill: mailed to owner@fernhill.example, seo@agency.example" in out
    assert "rosehall: mailed to seo@agency.example" in out

    # Every property's links were checked and its search data synced.
    checked = dict(stored(store, "SELECT property, count(*) FROM page_checks GROUP BY 1"))
    assert checked == {fern: 2, rose: 2}
    days = dict(stored(store, "SELECT property, count(*) FROM search_days GROUP BY 1"))
    assert days[fern] > 0 and days[rose] > 0
    # Politeness holds across properties: the blog host linking to both was never asked twice within a second.
    starts = sorted(h.started for h in online["sites"].requests_to("blog.test"))
    assert len(starts) >= 2
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.95, starts

    # One mail per property, to its own recipients, each with its report attached.
    assert sorted(r.rcpt_tos for r in smtp.received) == [("owner@fernhill.example", "seo@agency.example"),
                                                         ("seo@agency.example",)]
    for got in smtp.received:
        msg = got.parsed()
        assert [a.get_content_type() for a in msg.iter_attachments()] == ["application/zip"]
    rows = portfolio_rows(tmp_path / "reports" / "index.html")
    assert [r["cells"][0] for r in rows] == ["fernhill", "rosehall"]
    assert all(r["cells"][7] not in ("unknown", "") for r in rows)  # clicks from the synced data


def test_google_refusing_one_property_fails_it_and_the_others_go_on(online, tmp_path):
    online["google"].sites.pop(online["rose"])  # this account can no longer see it
    store = tmp_path / "store.duckdb"
    config = tmp_path / "gsc-backlinks.toml"
    config.write_text(f'[defaults]\nexports = "exports"\n\n[[property]]\nsite = "{online["fern"]}"\n\n'
                      f'[[property]]\nname = "rosehall"\nsite = "{online["rose"]}"\n', encoding="utf-8")
    result = run(store, "--config", str(config), "report", "weekly", "--all", "--no-check")
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("rosehall: Search data not synced")]
    assert len(failed) == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: 1 of 2 properties had problems (rosehall;")
    reports = sorted((tmp_path / "reports").glob("*/*/index.html"))
    assert len(reports) == 2  # rosehall's report is written from what the store holds, and says so
    assert "Search data not synced" in reports[[p.parts[-3] for p in reports].index(
        online["rose"].replace("://", "_").replace(":", "_").strip("/").replace("/", "_"))].read_text()
    assert stored(store, "SELECT count(*) FROM page_checks") == [(0,)]  # --no-check


def test_the_files_competitors_are_kept_with_their_property(offline):
    offline.config.write_text(offline.config.read_text().replace(
        'brand = ["Fernhill"]', 'brand = ["Fernhill"]\ncompetitors = ["mossandstone.example", "greenfingers.example"]'),
        encoding="utf-8")

    offline.all("--offline", "-q")

    listed = run(offline.store, "--config", str(offline.config), "competitors", "--property", "fernhill",
                 "--format", "json")
    assert listed.exit_code == 0, listed.output
    names = [r["competitor"] for r in json.loads(listed.stdout)["rows"]]
    # The demo's own competitor exports, and the one only the file names.
    assert "mossandstone.example" in names and "greenfingers.example" in names
