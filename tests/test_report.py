"""The weekly HTML report: golden files, byte-stable output, escaping, and `report weekly`.

Golden files live in ``tests/golden/``.  After an intended change to the
report, regenerate them and review the diff before committing:

    GSC_BACKLINKS_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py -k golden
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gsc_backlinks.jobs import demo
from gsc_backlinks.jobs.importing import import_paths
from gsc_backlinks.jobs.weekly import write_weekly
from gsc_backlinks.report.drilldown import page_file

from clihelp import error_line, run, unwrapped, write_export

SITE = demo.DEMO_SITE
SLUG = "https___www.fernhill-nursery.example_"
GOLDEN = Path(__file__).parent / "golden"
NOW = "2026-11-21T17:00:00Z"
NOW_DT = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)
COMPOSTING = "https://www.fernhill-nursery.example/guides/composting/"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    demo.load_sample_data(path)
    return path


@pytest.fixture(scope="module")
def built(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = write_weekly(demo_store, SITE, out, now=NOW_DT)
    return result.index


def _scrub(html: str) -> str:
    """Drop what changes without the report changing: inlined assets, their hashes, the version."""
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.DOTALL)
    html = re.sub(r"<script>.*?</script>", "<script>…</script>", html, flags=re.DOTALL)
    html = re.sub(r"'sha256-[A-Za-z0-9+/=]+'", "'sha256-…'", html)
    return re.sub(r"gsc-backlinks \d+\.\d+\.\d+\S*", "gsc-backlinks X.Y.Z", html)


def _golden(name: str, html: str) -> None:
    path = GOLDEN / name
    text = _scrub(html)
    if os.environ.get("GSC_BACKLINKS_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with GSC_BACKLINKS_UPDATE_GOLDEN=1 once"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "golden", "now"))[:80])
        pytest.fail(f"{name} differs from the golden file (GSC_BACKLINKS_UPDATE_GOLDEN=1 to accept):\n{diff}")


# --- golden files --------------------------------------------------------------------------------


def test_golden_weekly_page(built):
    _golden("demo-index.html", built.read_text(encoding="utf-8"))


def test_golden_drill_down_page(built):
    _golden("demo-composting.html", (built.parent / page_file(COMPOSTING)).read_text(encoding="utf-8"))


# --- what the user sees ----------------------------------------------------------------------------


class _Text(HTMLParser):
    """Visible text and links of a page, as a reader gets them."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.scripts, self._skip = [], [], 0, 0
        self._glue = False  # a <wbr> (a line-break opportunity) splits no word

    def handle_starttag(self, tag, attrs):
        if tag == "wbr":
            self._glue = True
            return
        if tag in ("script", "style"):
            self._skip += 1
            self.scripts += tag == "script"
        if tag == "a":
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            if self._glue and self.text:
                self.text[-1] += data.strip()
            else:
                self.text.append(data.strip())
        self._glue = False


def _read(path: Path) -> _Text:
    parser = _Text()
    parser.feed(unwrapped(path.read_text(encoding="utf-8")))
    return parser


def test_weekly_page_shows_the_week_its_headline_numbers_and_sections(built):
    page = _read(built)
    text = " | ".join(page.text)
    assert "13–19 Nov 2026 (2026-11-13 to 2026-11-19, Pacific Time), compared with 6–12 Nov 2026" in text
    assert "generated 2026-11-21 09:00 PST" in text
    for label in ("Clicks", "Impressions", "CTR", "Average position", "Linking domains", "Linking pages", "Target pages"):
        assert f"| {label} |" in text
    for title in ("Search performance", "Top linked pages", "Linking domains", "Anchor text", "New and lost links",
                  "Where links would pay off", "Data sources"):
        assert title in page.text
    # Lost is worded as what it is.
    assert "Linking pages no longer in Google's sample" in text
    # Freshness of every source: exports by date, the API's final and fresh days.
    assert "2026-08-23 to 2026-11-19 final; 2026-11-21 is fresh, not final yet" in text


def test_headline_numbers_match_the_store(built, demo_store):
    import duckdb

    con = duckdb.connect(str(demo_store), read_only=True)
    clicks, impressions = con.execute(
        "SELECT sum(clicks), sum(impressions) FROM search_days WHERE day BETWEEN '2026-11-13' AND '2026-11-19'"
    ).fetchone()
    prev = con.execute("SELECT sum(clicks) FROM search_days WHERE day BETWEEN '2026-11-06' AND '2026-11-12'").fetchone()[0]
    con.close()
    text = " | ".join(_read(built).text)
    assert f"Clicks | {clicks:,} | {clicks - prev:+,} ({(clicks - prev) / prev * 100:+.0f}%)" in text.replace("−", "-")
    assert f"Impressions | {impressions:,}" in text
    # Linking domains: 19 rows in the Top linking sites export of 2026-11-17, 18 in the one of 2026-11-03.
    assert "Linking domains | 19 | +1 (+6%) | vs 2026-11-03: 18" in text


def test_every_linked_page_links_to_its_drill_down(built):
    page = _read(built)
    hrefs = {a["href"] for a in page.links if a.get("href", "").startswith("pages/")}
    written = {f"pages/{p.name}" for p in (built.parent / "pages").glob("*.html")}
    assert hrefs == written
    assert page_file(COMPOSTING) in hrefs
    # The opportunities table links its pages too (they have traffic but no links).
    assert page_file("https://www.fernhill-nursery.example/roses/rambling-roses/") in hrefs


def test_drill_down_page_joins_every_source(built):
    page = _read(built.parent / page_file(COMPOSTING))
    text = " | ".join(page.text)
    # Drill-down exports recorded with --target, first and last seen over two snapshots.
    # Each with its value, authority (rank 352,918 in the demo's Common Crawl sample -> 31) and relevance.
    assert re.search(r"gardenersforum\.example \| \d+ \| 31 \| \d+ · (high|medium|low) \| 7 \| 2026-11-03 \| 2026-11-17", text)
    assert re.search(r"seedswap\.example \| \d+ \| 8 \| \d+ · \w+ \| 1 \| 2026-11-17 \| 2026-11-17", text)
    # URL Inspection's referring URLs that no export names, with their source; the link check of the page
    # (2026-11-19) says its anchor, rel and status.
    assert re.search(r"https://greenthumbs\.example/blog/soil-health/ \| \d+ \| 28 \| \d+ · \w+ \| "
                     r"compost \| followed \| live \| greenthumbs\.example \| URL Inspection", text)
    # The index verdict, the page's top queries and its search week.
    assert "PASS · Submitted and indexed (URL Inspection of 2026-11-18)" in text
    # Its linking pages are known (a Linking pages export): sample links of its linking sites, which may point at
    # other pages, are left out; the page's own linking pages are listed.
    assert not any(t.startswith("Sample links from these linking sites") for t in page.text)
    assert "https://www.gardenersforum.example/threads/worm-bins/?page=2" in text
    assert "https://www.gardenersforum.example/guides/hedges/?page=10" not in text
    assert "how to compost" in page.text and "Top queries, 13–19 Nov 2026" in text
    assert any(a.get("href") == "../index.html" for a in page.links)


def test_a_page_without_drill_down_exports_says_how_to_get_them(built):
    page = _read(built.parent / page_file("https://www.fernhill-nursery.example/herbs/"))
    text = " ".join(page.text)
    assert "No drill-down export of this page yet" in text
    assert "--target https://www.fernhill-nursery.example/herbs/" in text


def test_same_store_and_now_give_byte_identical_files(demo_store, tmp_path):
    def digest(folder: Path) -> dict:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    a = write_weekly(demo_store, SITE, tmp_path / "a", now=NOW_DT).index.parent
    b = write_weekly(demo_store, SITE, tmp_path / "b", now=NOW_DT).index.parent
    assert digest(a) == digest(b) and len(digest(a)) > 20


def test_pages_are_self_contained_with_a_strict_csp(built):
    for path in [built, *sorted((built.parent / "pages").glob("*.html"))[:3]]:
        html = path.read_text(encoding="utf-8")
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
        csp = csp.replace("&#39;", "'")
        assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
        assert re.search(r"script-src 'sha256-", csp) and re.search(r"style-src 'sha256-", csp)
        # Nothing is loaded from anywhere: no src/href to another host except plain links to linking pages.
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)


# --- hostile input ---------------------------------------------------------------------------------


def _hostile_store(tmp_path) -> Path:
    store = tmp_path / "hostile.duckdb"
    demo.load_sample_data(store)
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / f"{SLUG}-Top linking text-2026-11-18.csv").write_text(
        "Rank,Link text\n1,<script>alert(1)</script>\n2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"
        "3,<img src=x onerror=alert(1)>\n", encoding="utf-8")
    (folder / f"{SLUG}-Latest links-2026-11-18.csv").write_text(
        "Linking page,Last crawled\njavascript:alert(1),2026-11-18\n"
        "\"https://evil.example/\"\"><script>alert(2)</script>\",2026-11-18\n"
        "https://ok.example/a,2026-11-17\n", encoding="utf-8")
    import_paths([str(folder)], SITE, store)
    return store


def test_hostile_anchor_text_and_urls_stay_inert(tmp_path):
    index = write_weekly(_hostile_store(tmp_path), SITE, tmp_path / "out", now=NOW_DT).index
    html = index.read_text(encoding="utf-8")
    page = _read(index)
    assert page.scripts == 1  # the report's own, nothing else
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    assert "<script>alert(1)</script>" in page.text
    for a in page.links:
        href = a.get("href", "")
        assert not href.lower().startswith("javascript:")
        if href.startswith(("http://", "https://")):
            assert set(a["rel"].split()) >= {"nofollow", "noopener", "noreferrer"}


# --- the command -----------------------------------------------------------------------------------


def _weekly(store, out: Path, *args: str):
    """`report weekly` of the demo property into `out`; the result and the folder of a report by its end date."""
    result = run(store, "report", "weekly", "--site", SITE, "--out", str(out), "--now", NOW, *args)
    return result, lambda end: out / "https_www.fernhill-nursery.example" / end / "index.html"


@pytest.fixture
def no_google(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)


def test_report_weekly_offline_writes_the_report_and_prints_its_path(demo_store, tmp_path, no_google):
    result, report = _weekly(demo_store, tmp_path / "r", "--offline")
    assert result.exit_code == 0, result.output
    index = report("2026-11-19")
    assert result.stdout.splitlines()[-1] == str(index)
    assert "Built with --offline" in unwrapped(index.read_text(encoding="utf-8"))


def test_report_weekly_without_authorization_uses_the_store_and_says_so(demo_store, tmp_path, no_google):
    result, report = _weekly(demo_store, tmp_path / "r")
    assert result.exit_code == 0, result.output
    assert "not authorized with Google (run `gsc-backlinks auth login`)" in result.stderr
    html = report("2026-11-19").read_text(encoding="utf-8")
    assert "Search data not synced: not authorized with Google" in html


def test_report_weekly_for_a_week_not_final_yet_says_so(demo_store, tmp_path, no_google):
    result, report = _weekly(demo_store, tmp_path / "r", "--offline", "--week", "2026-W47")
    assert result.exit_code == 0, result.output
    html = unwrapped(report("2026-11-22").read_text(encoding="utf-8"))
    assert "This week is not final yet (final data ends 2026-11-19)" in html
    assert "Note: This week is not final yet (final data ends 2026-11-19)" in result.stderr
    assert "16–22 Nov 2026" in html


def test_link_exports_old_at_the_end_of_the_week_get_a_notice_with_what_to_do(demo_store, tmp_path, no_google):
    import shutil

    store = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, store)
    # The demo's link exports are of 2026-11-17: 26 days before the end of the week of 7-13 Dec.
    result, report = _weekly(store, tmp_path / "r", "--offline", "--week", "2026-W50")
    assert result.exit_code == 0, result.output
    html = unwrapped(report("2026-12-13").read_text(encoding="utf-8"))
    notice = "The newest link export is from 2026-11-17, 26 days before the end of this week"
    assert notice in html and "Links → Export external links" in html
    assert f"Note: {notice}" in result.stderr  # cron mail shows it too
    # The week of the exports themselves is fresh: no notice.
    fresh, report = _weekly(store, tmp_path / "f", "--offline", "--week", "2026-W47")
    assert "newest link export is from" not in unwrapped(report("2026-11-22").read_text(encoding="utf-8"))
    # One kind exported again, the others not: the notice names those that lag.
    folder = tmp_path / "new"
    folder.mkdir()
    latest = write_export(folder, "Latest links", ["https://www.countryliving.example/best-climbing-roses/,2026-12-09"],
                          date="2026-12-10", slug="https___www.fernhill-nursery.example_")
    assert run(store, "import", str(latest), "--site", SITE).exit_code == 0
    result, report = _weekly(store, tmp_path / "r2", "--offline", "--week", "2026-W50")
    html = unwrapped(report("2026-12-13").read_text(encoding="utf-8"))
    assert "Some link exports are older than 14 days at the end of this week" in html
    assert "Top linking text (2026-11-17, 26 days)" in html and "Latest links (" not in html


def test_report_weekly_for_a_past_week_uses_the_links_of_then(demo_store, tmp_path, no_google):
    result, report = _weekly(demo_store, tmp_path / "r", "--offline", "--week", "2026-W45")
    assert result.exit_code == 0, result.output
    page = _read(report("2026-11-08"))
    text = " | ".join(page.text)
    assert "Linking domains | 18 |" in text  # the 2026-11-03 snapshot, not the later one
    assert "This week is not final yet" not in text


def _domain_chart(html: str) -> tuple[list[str], list[str]]:
    """The linking-domains chart: its caption and the hover text of each point."""
    chart = html[html.index('id="domains-history"'):html.index("</figure>", html.index('id="domains-history"'))] \
        if 'id="domains-history"' in html else ""
    # The chart is drawn twice (wide, and narrow for phones): the points of one drawing.
    titles = re.findall(r"<title>([^<]*)</title>", chart)
    return re.findall(r"<figcaption>([^<]*)", chart), titles[:len(titles) // 2]


def test_a_past_weeks_domain_chart_ends_with_the_snapshots_of_then(demo_store, tmp_path, no_google):
    result, report = _weekly(demo_store, tmp_path / "r", "--offline", "--week", "2026-W45")
    assert result.exit_code == 0, result.output
    assert _domain_chart(report("2026-11-08").read_text(encoding="utf-8")) == (
        ["Linking domains per snapshot (Top linking sites export)"], ["2026-11-03: 18 linking domains"])
    # Before any snapshot: no chart beside "no export imported".
    result, report = _weekly(demo_store, tmp_path / "r", "--offline", "--week", "2026-W40")
    assert result.exit_code == 0, result.output
    assert _domain_chart(report("2026-10-04").read_text(encoding="utf-8")) == ([], [])


def test_with_latest_links_only_the_domain_chart_counts_them(tmp_path):
    store = tmp_path / "s.duckdb"
    import_paths([str(p) for p in demo.sample_files() if "-Latest links-" in p.name], SITE, store)
    index = write_weekly(store, SITE, tmp_path / "out", now=NOW_DT).index
    assert _domain_chart(index.read_text(encoding="utf-8")) == (
        ["Linking domains per snapshot (Google&#39;s sample of links)"],
        ["2026-11-03: 18 linking domains", "2026-11-17: 19 linking domains"])
    assert "| Linking domains | 19 |" in " | ".join(_read(index).text)  # the table's count, the chart's last point


@pytest.mark.parametrize("args, message", [
    (["--week", "2026-47"], "--week '2026-47' is not an ISO week; write it like 2026-W47"),
    (["--week", "2026-W60"], "--week 2026-W60: 2026 has no week 60"),
    (["--now", "yesterday"], "--now 'yesterday' is not an ISO date-time"),
])
def test_report_weekly_refuses_bad_options_in_one_line(demo_store, tmp_path, no_google, args, message):
    result = run(demo_store, "report", "weekly", "--site", SITE, "--offline", "--out", str(tmp_path), *args)
    assert result.exit_code == 2
    assert message in error_line(result)


def test_report_weekly_imports_new_exports_of_this_property_only(tmp_path, no_google):
    store = tmp_path / "s.duckdb"
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    for p in demo.sample_files():
        (downloads / p.name).write_bytes(p.read_bytes())
    other = downloads / "sc-domain_other.example-Top linking sites-2026-11-17.csv"
    other.write_text("Site,Linking pages,Target pages\na.example,1,1\n")
    (downloads / f"{SLUG}-Top sites linking to this page-2026-11-17.csv").write_text("Site,Linking pages\na.example,1\n")
    (downloads / f"{SLUG}-Latest links-2026-11-20.csv").write_bytes(b"\x00\x01binary, not a csv")
    (downloads / "holiday.jpg").write_bytes(b"\xff\xd8")
    out = tmp_path / "r"
    result = run(store, "report", "weekly", "--site", SITE, "--offline", "--exports", str(downloads), "--out", str(out),
                 "--now", NOW)
    assert result.exit_code == 0, result.output
    # The two internal Top target pages samples have the same content on two dates: the second is a snapshot of
    # its own ("unchanged since"), not a repeat.
    assert f"{len(demo.sample_files())} new imported, 0 already held, 1 of other properties left alone" in result.stdout
    assert "Top sites linking to this page-2026-11-17.csv: a drill-down export; import it with" in result.stderr
    assert "Latest links-2026-11-20.csv" in result.stderr  # the broken one is named, the rest went in
    again = run(store, "report", "weekly", "--site", SITE, "--offline", "--exports", str(downloads), "--out", str(out),
                "--now", NOW)
    assert f"0 new imported, {len(demo.sample_files())} already held" in again.stdout


def test_report_weekly_exports_take_the_file_names_import_takes(tmp_path, no_google):
    # A prefix the user added is this property's file, as `import` reads the name; a look-alike domain is not.
    store = tmp_path / "s.duckdb"
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    sites = "Site,Linking pages,Target pages\na.example,1,1\n"
    (downloads / f"Copy of {SLUG}-Top linking sites-2026-11-24.csv").write_text(sites)
    (downloads / f"x{SLUG}-Top linking sites-2026-11-24.csv").write_text(sites)
    result = run(store, "report", "weekly", "--site", SITE, "--offline", "--exports", str(downloads),
                 "--out", str(tmp_path / "r"), "--now", NOW)
    assert "1 new imported, 0 already held, 1 of other properties left alone" in result.stdout
    assert result.exit_code == 0, result.output
    assert f"Copy of {SLUG}-Top linking sites-2026-11-24.csv" in result.stdout
    refused = run(tmp_path / "t.duckdb", "import", str(downloads / f"x{SLUG}-Top linking sites-2026-11-24.csv"),
                  "--site", SITE)
    assert "its file name says it was exported from property" in error_line(refused)


def test_report_weekly_for_a_property_the_store_lacks_names_the_close_ones(demo_store, tmp_path, no_google):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(demo_store, "report", "weekly", "--site", "https://fernhill-nursery.example/", "--offline",
                 "--out", str(tmp_path / "r"))
    assert result.exit_code == 3
    assert "the store holds nothing for property https://fernhill-nursery.example/; did you mean " \
           "https://www.fernhill-nursery.example/?" in error_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no report folder written


def test_open_hands_the_report_to_the_browser(demo_store, tmp_path, no_google, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    result, report = _weekly(demo_store, tmp_path, "--offline", "--open")
    assert result.exit_code == 0, result.output
    index = report("2026-11-19")
    assert opened == [index.resolve().as_uri()]


def test_a_drill_down_with_more_linking_pages_than_it_shows_says_so(tmp_path):
    store = tmp_path / "s.duckdb"
    demo.load_sample_data(store)
    folder = tmp_path / "big"
    folder.mkdir()
    rows = "\n".join(f"https://forum.bulbs.example/thread/{i}/" for i in range(2500))
    (folder / f"{SLUG}-Linking pages-2026-11-17.csv").write_text("Linking page\n" + rows + "\n", encoding="utf-8")
    tulips = "https://www.fernhill-nursery.example/bulbs/tulips/"
    import_paths([str(folder)], SITE, store, target=tulips)
    index = write_weekly(store, SITE, tmp_path / "out", now=NOW_DT).index
    text = " ".join(_read(index.parent / page_file(tulips)).text)
    # The drill-down's 2,500 (its top 2,000 shown) and the 4 pages the demo's link checks saw link to the
    # tulips page (always shown).
    assert "Linking pages (top 2,004 of 2,504)" in text
    assert f"gsc-backlinks page {tulips} --site {SITE} --all" in text


def test_with_one_snapshot_no_linked_page_is_called_new(tmp_path):
    store = tmp_path / "s.duckdb"
    one = [p for p in demo.sample_files() if p.name == f"{SLUG}-Top target pages-2026-11-17.csv"]
    import_paths([str(p) for p in one], SITE, store)
    index = write_weekly(store, SITE, tmp_path / "out", now=NOW_DT).index
    html = index.read_text(encoding="utf-8")
    table = html[html.index('id="linked-pages"'):html.index("</table>", html.index('id="linked-pages"'))]
    assert 'class="num new"' not in table and ">new<" not in table
