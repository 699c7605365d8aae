"""The weekly HTML report in a real browser: headless Chromium (Debian's), driven by Playwright.

The report is built once per module from the demo's sample data plus one round of
hostile exports dated 2026-11-19 (the newest snapshot, inside the report's week):
anchors that are markup or a spreadsheet formula, and linking pages that are a
``javascript:`` URL or a URL that tries to break out of its attribute.  The
pages are opened from ``file://`` with every request that is not a local file
aborted and recorded, and console messages and page errors collected: a CSP
violation (a hash that does not match the inlined CSS or JS) is a console
error, so a clean console also proves the Content-Security-Policy.

Screenshots are written under ``$GSC_BACKLINKS_ARTIFACTS`` (default
``tests/artifacts/``) for a person to look at.

Nothing is downloaded: the browser is /usr/bin/chromium, never Playwright's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import struct
from importlib import resources
from pathlib import Path

import pytest

from gsc_backlinks.jobs.demo import DEMO_SITE, load_sample_data, sample_files
from gsc_backlinks.jobs.importing import import_paths
from gsc_backlinks.jobs.weekly import write_weekly

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (CI installs Debian's chromium package)", allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    pytest.skip("the playwright Python package is not installed (pip install -e '.[test]')", allow_module_level=True)

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("GSC_BACKLINKS_ARTIFACTS") or REPO / "tests" / "artifacts")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
NOW = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)
SLUG = "https___www.fernhill-nursery.example_"
HOSTILE_DATE = "2026-11-19"  # newest snapshot, and the last day of the report's week (13-19 Nov)

SCRIPT_ANCHOR = "<script>window.__pwned=1</script>"
IMG_ANCHOR = '<img src=x onerror="window.__pwned=1">'
FORMULA_ANCHOR = '=HYPERLINK("http://evil.example","x")'
JS_URL = "javascript:alert(1)"
BREAKOUT_URL = 'https://evil.example/"><script>window.__pwned=1</script>'
LOCAL_SCHEMES = ("file://", "blob:")  # a file of the report, or the CSV the page builds in memory


def _csv_row(*values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def _hostile_exports(folder: Path) -> list[Path]:
    """The 2026-11-17 sample exports again, dated 2026-11-19, each with hostile rows added."""
    samples = {p.name: p for p in sample_files()}

    def write(title: str, extra: list[str]) -> Path:
        lines = samples[f"{SLUG}-{title}-2026-11-17.csv"].read_text(encoding="utf-8").splitlines()
        path = folder / f"{SLUG}-{title}-{HOSTILE_DATE}.csv"
        path.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
        return path

    last_rank = len(samples[f"{SLUG}-Top linking text-2026-11-17.csv"].read_text(encoding="utf-8").splitlines()) - 1
    return [
        write("Top linking text", [_csv_row(last_rank + 1, SCRIPT_ANCHOR), _csv_row(last_rank + 2, IMG_ANCHOR),
                                   _csv_row(last_rank + 3, FORMULA_ANCHOR)]),
        write("More sample links", [_csv_row(JS_URL), _csv_row(BREAKOUT_URL)]),
        write("Latest links", [_csv_row(JS_URL, "2026-11-18"), _csv_row(BREAKOUT_URL, "2026-11-18")]),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The demo store plus the hostile round, and the weekly report written from it."""
    tmp = tmp_path_factory.mktemp("report-browser")
    store_path = tmp / "store.duckdb"
    load_sample_data(store_path)
    exports = tmp / "exports"
    exports.mkdir()
    result = import_paths([str(p) for p in _hostile_exports(exports)], DEMO_SITE, store_path)
    assert [r.snapshot_date.isoformat() for r in result.results] == [HOSTILE_DATE] * 3
    assert all(r.duplicate_of is None for r in result.results)
    weekly = write_weekly(store_path, DEMO_SITE, tmp / "out", now=NOW)
    assert weekly.period.end.isoformat() == HOSTILE_DATE
    folder = weekly.index.parent
    files = sorted(folder.rglob("*.html"))
    assert len(files) == weekly.pages > 1
    return {"index": weekly.index, "folder": folder, "files": files}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A page in its own context, with everything it logs or asks for recorded; nothing leaves the machine."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(accept_downloads=True, service_workers="block", **context_options)
        self.context.set_default_timeout(10_000)
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda req: self.requests.append(req.url))

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _on_console(self, msg):
        if msg.type in ("error", "warning"):
            self.console.append(f"{msg.type}: {msg.text} ({msg.location.get('url', '')})")

    def goto(self, path: Path):
        self.page.goto(path.as_uri())
        return self.page

    def assert_clean(self):
        assert self.console == [], "console errors/warnings (a CSP violation shows here)"
        assert self.errors == [], "uncaught JavaScript errors"
        assert self.blocked == [], "requests that would have left the machine"
        assert [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)] == []

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser):
    t = Tab(browser)
    yield t
    t.close()


def _visible_rows(page, table_id: str) -> list[list[str | None]]:
    """Per visible body row: each cell's data-v (sort value), or its text when it has none."""
    return page.evaluate(
        """id => Array.from(document.querySelectorAll('#' + id + ' tbody tr')).filter(r => !r.hidden)
              .map(r => Array.from(r.cells).map(c => c.hasAttribute('data-v') ? c.getAttribute('data-v')
                                                                             : c.textContent.trim()))""",
        table_id)


def _all_rows(page, table_id: str) -> list[dict]:
    return page.evaluate(
        """id => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
              .map(r => ({text: r.textContent, first: r.cells[0].getAttribute('data-v'), hidden: r.hidden}))""",
        table_id)


def _number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file() and path.stat().st_size > 0
    return path


# --- 1. loads clean, offline ------------------------------------------------------------------


def test_index_loads_with_clean_console_and_no_network(tab, report):
    page = tab.goto(report["index"])
    assert page.title().startswith("Links and search · https://www.fernhill-nursery.example/")
    # the script ran (so the CSP let it): it shows the table tools it hides from no-JS readers
    assert page.locator("#linked-pages .tools").is_visible()
    assert page.locator("#linked-pages thead th button").count() > 0
    # the stylesheet applied (so the CSP let it): body font and table layout come from report.css
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    assert page.evaluate("getComputedStyle(document.querySelector('.scroll')).overflowX") == "auto"
    tab.assert_clean()
    assert tab.requests == [report["index"].as_uri()]


def test_every_page_loads_with_clean_console_and_no_network(tab, report):
    for path in report["files"]:
        page = tab.goto(path)
        assert page.locator("h1").inner_text().strip(), path
    tab.assert_clean()
    assert tab.requests == [p.as_uri() for p in report["files"]]


# --- 2. sorting --------------------------------------------------------------------------------


def _header(page, table_id: str, name: str):
    """The header cell whose text is ``name`` (its button's accessible name also has the ▲/▼ of the sort)."""
    heads = [h.strip() for h in page.locator(f"#{table_id} thead th").all_inner_texts()]
    assert heads.count(name) == 1, heads
    return page.locator(f"#{table_id} thead th").nth(heads.index(name))


def _sort_states(page, table_id: str) -> list[str | None]:
    return page.locator(f"#{table_id} thead th").evaluate_all("ths => ths.map(th => th.getAttribute('aria-sort'))")


def _assert_numeric_order(values, descending: bool):
    nums = [_number(v) for v in values]
    known = [n for n in nums if n is not None]
    assert known, values
    assert known == sorted(known, reverse=descending), values
    # unknown values ("new", "–") come last whichever way the column is sorted
    assert all(n is None for n in nums[len(known):]), values


def test_sort_numeric_column(tab, report):
    page = tab.goto(report["index"])
    table = "linked-pages"
    heads = page.locator(f"#{table} thead th").all_inner_texts()
    col = [h.strip() for h in heads].index("Links")
    links = _header(page, table, "Links")
    assert links.get_attribute("aria-sort") == "descending"  # the order the report chose
    initial = [r[col] for r in _visible_rows(page, table)]
    _assert_numeric_order(initial, descending=True)

    links.get_by_role("button").click()
    assert links.get_attribute("aria-sort") == "ascending"
    rows = _visible_rows(page, table)
    assert len(rows) == len(initial) == 20
    _assert_numeric_order([r[col] for r in rows], descending=False)
    assert sorted(map(float, initial)) == [float(r[col]) for r in rows]

    links.get_by_role("button").click()
    assert links.get_attribute("aria-sort") == "descending"
    _assert_numeric_order([r[col] for r in _visible_rows(page, table)], descending=True)

    # another numeric column starts descending; only one header says how the table is sorted
    sites = _header(page, table, "Sites")
    sites.get_by_role("button").click()
    states = _sort_states(page, table)
    assert states.count("descending") == 1 and states.count("ascending") == 0
    assert sites.get_attribute("aria-sort") == "descending"
    assert links.get_attribute("aria-sort") is None
    sites_col = [h.strip() for h in heads].index("Sites")
    _assert_numeric_order([r[sites_col] for r in _visible_rows(page, table)], descending=True)

    # a column with unknown values ("new" pages have no earlier count): unknowns last both ways
    change = _header(page, table, "Δ links")
    change_col = [h.strip() for h in heads].index("Δ links")
    for expected in ("descending", "ascending"):
        change.get_by_role("button").click()
        assert change.get_attribute("aria-sort") == expected
        _assert_numeric_order([r[change_col] for r in _visible_rows(page, table)], descending=expected == "descending")

    # a text column starts ascending, case-insensitive; the header button works from the keyboard
    target = _header(page, table, "Target page")
    target.get_by_role("button").focus()
    page.keyboard.press("Enter")
    assert target.get_attribute("aria-sort") == "ascending"
    texts = [r[0] for r in _visible_rows(page, table)]
    assert texts == sorted(texts, key=str.lower)
    page.keyboard.press("Enter")
    assert target.get_attribute("aria-sort") == "descending"
    texts = [r[0] for r in _visible_rows(page, table)]
    assert texts == sorted(texts, key=str.lower, reverse=True)
    tab.assert_clean()


# --- 3. filter and paging ------------------------------------------------------------------------


def test_filter_and_paging(tab, report):
    page = tab.goto(report["index"])
    box = page.locator("#daily")
    count, where = box.locator(".count"), box.locator(".pager .where")
    prev, nxt = box.get_by_role("button", name="‹ Previous"), box.get_by_role("button", name="Next ›")
    rows = _all_rows(page, "daily")
    days = [r["first"] for r in rows]
    assert len(days) == 56
    assert days == sorted(days, reverse=True)  # newest first, as the report wrote them

    def shown():
        return [r[0] for r in _visible_rows(page, "daily")]

    assert count.inner_text() == "56 rows"
    assert box.locator(".pager").is_visible()
    assert where.inner_text() == "1–14 of 56"
    assert prev.is_disabled() and nxt.is_enabled()
    assert shown() == days[:14]

    nxt.click()
    assert where.inner_text() == "15–28 of 56"
    assert shown() == days[14:28]
    assert prev.is_enabled()
    nxt.click()
    nxt.click()
    assert where.inner_text() == "43–56 of 56"
    assert shown() == days[42:]
    assert nxt.is_disabled()
    prev.click()
    assert where.inner_text() == "29–42 of 56"
    assert shown() == days[28:42]

    # filtering starts again from the first page, and pages over the matching rows only
    query = "2026-10"
    box.locator("input[data-filter]").fill(query)
    matching = [r["first"] for r in rows if query in r["text"].lower()]
    assert len(matching) == 31
    assert count.inner_text() == "31 of 56 rows match"
    assert where.inner_text() == "1–14 of 31"
    assert shown() == matching[:14]
    nxt.click()
    nxt.click()
    assert where.inner_text() == "29–31 of 31"
    assert shown() == matching[28:]
    assert nxt.is_disabled()

    # few enough matches for one page: no pager
    box.locator("input[data-filter]").fill("2026-11-1")
    matching = [r["first"] for r in rows if "2026-11-1" in r["text"].lower()]
    assert 0 < len(matching) <= 14
    assert count.inner_text() == f"{len(matching)} of 56 rows match"
    assert box.locator(".pager").is_hidden()
    assert shown() == matching

    box.locator("input[data-filter]").fill("no such day")
    assert count.inner_text() == "0 of 56 rows match"
    assert shown() == []

    box.locator("input[data-filter]").fill("")
    assert count.inner_text() == "56 rows"
    assert where.inner_text() == "1–14 of 56"
    assert shown() == days[:14]
    tab.assert_clean()


# --- 4. drill-down -----------------------------------------------------------------------------------


def test_drill_down_and_back(tab, report):
    page = tab.goto(report["index"])
    link = page.locator("#linked-pages tbody tr").first.locator("td").first.get_by_role("link")
    href, title = link.get_attribute("href"), link.get_attribute("title")
    assert re.fullmatch(r"pages/[a-z0-9-]+-[0-9a-f]{8}\.html", href), href
    assert link.get_attribute("target") is None  # the report's own page opens in place
    _screenshot(page, "report-index.png")

    link.click()
    page.wait_for_url("**/" + href)
    drill = report["folder"] / href
    assert page.url == drill.as_uri()
    assert page.locator("h1").inner_text().strip() == title
    assert page.title().startswith(title)
    facts = page.locator("section.facts")
    assert facts.get_by_role("link", name=title).get_attribute("href") == title
    assert page.get_by_role("heading", name="Who links here").is_visible()
    _screenshot(page, "report-drilldown.png")

    back = page.get_by_role("link", name="← Weekly report")
    assert back.get_attribute("href") == "../index.html"
    back.click()
    page.wait_for_url("**/index.html")
    assert page.url == report["index"].as_uri()
    assert page.locator("h1").inner_text() == "Weekly links and search report"
    tab.assert_clean()
    assert tab.requests == [report["index"].as_uri(), drill.as_uri(), report["index"].as_uri()]

    # 7. the screenshots are real full-page images
    for name in ("report-index.png", "report-drilldown.png"):
        path = ARTIFACTS / name
        assert path.is_file() and path.stat().st_size > 1000
        width, height = _png_size(path)
        assert width == 1280 and height > 720, (name, width, height)  # taller than the viewport: the full page


# --- 5. hostile input stays inert --------------------------------------------------------------------


INERT_CHECK = """() => ({
  pwned: typeof window.__pwned,
  scripts: Array.from(document.scripts).map(s => s.textContent),
  images: document.images.length,
  iframes: document.querySelectorAll('iframe, object, embed, frame').length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
              .filter(a => a.name.toLowerCase().startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => ({
    href: a.getAttribute('href'), protocol: a.protocol, rel: Array.from(a.relList), target: a.target})),
})"""


def test_hostile_input_stays_inert(tab, report):
    js = (resources.files("gsc_backlinks.report") / "static" / "report.js").read_text(encoding="utf-8")
    for path in report["files"]:
        html = path.read_text(encoding="utf-8")
        assert html.lower().count("<script") == 1, path
        assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.IGNORECASE), path

        page = tab.goto(path)
        found = page.evaluate(INERT_CHECK)
        assert found["pwned"] == "undefined", path
        assert found["scripts"] == [js], path  # the report's own script, and nothing else
        assert found["images"] == 0 and found["iframes"] == 0, path
        assert found["handlers"] == [], path
        for a in found["links"]:
            assert a["protocol"] in ("http:", "https:", "file:"), (path, a)
            assert not a["href"].strip().lower().startswith("javascript:"), (path, a)
            if a["href"].startswith("http"):
                assert {"nofollow", "noopener", "noreferrer"} <= set(a["rel"]), (path, a)
                assert a["target"] == "_blank", (path, a)
            else:  # the report's own pages and sections, relative
                assert a["protocol"] == "file:" and not re.match(r"^[a-z]+:", a["href"], re.IGNORECASE), (path, a)

    page = tab.goto(report["index"])
    # the anchors are shown as the text they are
    anchors = page.locator("#anchors tbody td")
    for text in (SCRIPT_ANCHOR, IMG_ANCHOR, FORMULA_ANCHOR):
        cell = anchors.filter(has_text=re.compile("^" + re.escape(text) + "$"))
        assert cell.count() == 1, text
        assert cell.is_visible(), text
        assert cell.evaluate("td => td.children.length") == 0, text  # text only, no element made of it

    # a javascript: linking page is text, never a link
    new_pages = page.locator("#new-pages tbody td")
    js_cell = new_pages.filter(has_text=re.compile("^" + re.escape(JS_URL) + "$"))
    assert js_cell.count() == 1
    assert js_cell.locator("a").count() == 0
    # the URL that tries to close its attribute is one link, shown as literal text, safely encoded
    evil = page.locator("#new-pages a", has_text="evil.example")
    assert evil.count() == 1
    assert evil.inner_text() == BREAKOUT_URL
    assert evil.get_attribute("href") == "https://evil.example/%22%3E%3Cscript%3Ewindow.__pwned=1%3C/script%3E"
    assert set(evil.get_attribute("rel").split()) >= {"nofollow", "noopener", "noreferrer"}

    # still nothing ran after the tables were sorted and filtered (rows are moved, never re-parsed)
    page.locator("#anchors thead th button").first.click()
    page.locator("#anchors input[data-filter]").fill("pwned")
    assert page.locator("#anchors .count").inner_text() == "2 of 23 rows match"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 1
    tab.assert_clean()


# --- 6. CSV download -----------------------------------------------------------------------------------


def _download_csv(page, table_id: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.locator(f"#{table_id} button[data-csv]").click()
    download = info.value
    assert download.failure() is None
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return download.suggested_filename, text


def test_csv_download(tab, report):
    page = tab.goto(report["index"])
    name, text = _download_csv(page, "anchors")
    assert name == "anchors.csv"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Rank", "Anchor text", "Class"]
    body = rows[1:]
    assert len(body) == 23
    assert [r[0] for r in body] == [str(i) for i in range(1, 24)]  # numbers plain, in the table's order
    by_text = {r[1]: r for r in body}
    assert "'" + FORMULA_ANCHOR in by_text  # formula neutralized
    assert FORMULA_ANCHOR not in by_text
    assert not any(r[1].startswith(("=", "+", "-", "@")) for r in body)
    assert by_text[SCRIPT_ANCHOR][0] == "21" and by_text[IMG_ANCHOR][0] == "22"  # markup kept as the text it is
    assert f'"\'{FORMULA_ANCHOR.replace(chr(34), chr(34) * 2)}"' in text  # quoted the CSV way

    # the file holds every row that matches the filter, not only the page on screen
    page.locator("#daily input[data-filter]").fill("2026-10")
    name, text = _download_csv(page, "daily")
    assert name == "daily.csv"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Day", "Clicks", "Impressions", "Data"]
    assert len(rows) == 1 + 31
    assert all(r[0].startswith("2026-10-") for r in rows[1:])
    assert all(re.fullmatch(r"\d+", r[1]) and re.fullmatch(r"\d+", r[2]) for r in rows[1:])  # raw, no "1,234"
    tab.assert_clean()
    assert [u for u in tab.requests if not u.startswith("blob:")] == [report["index"].as_uri()]


def test_csv_download_leaves_what_is_unknown_empty(tab, report):
    # Unknown is one thing: the page says "unknown", the CSV an empty cell (never -1 or a dash).
    page = tab.goto(report["index"])
    name, text = _download_csv(page, "domains")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    authority = header.index("Authority")
    unknown = [r for r in body if r[authority] == ""]
    assert unknown and all(r[authority] in ("",) or r[authority].isdigit() for r in body)
    assert not any(cell in ("-1", "–", "None", "unknown") for r in body for cell in r)
    shown = page.locator("#domains td.muted").all_inner_texts()
    assert "unknown" in shown and "-1" not in shown
    tab.assert_clean()


# --- without JavaScript, and valid ids -------------------------------------------------------------


def test_without_javascript_every_row_is_shown(browser, report):
    tab = Tab(browser, java_script_enabled=False)
    try:
        page = tab.goto(report["index"])
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the CSS still applies
        daily = page.locator("#daily tbody tr")
        assert daily.count() == 56
        assert all(daily.nth(i).is_visible() for i in (0, 13, 14, 55))  # no paging: every row, as written
        assert page.locator("div.table .tools").first.is_hidden()  # tools that need JS are not offered
        assert page.locator("div.table .pager").first.is_hidden()
        assert page.locator("#linked-pages thead th button").count() == 0
        tab.assert_clean()
    finally:
        tab.close()


def test_element_ids_are_unique(tab, report):
    dupes = {}
    for path in report["files"]:
        page = tab.goto(path)
        found = page.evaluate("""() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => {
                                   seen[e.id] = (seen[e.id] || 0) + 1; });
                                   return Object.keys(seen).filter(k => seen[k] > 1); }""")
        if found:
            dupes[str(path.relative_to(report["folder"]))] = found
    assert dupes == {}


# --- 8. mobile ---------------------------------------------------------------------------------------


OVERFLOW_CHECK = """() => {
  const se = document.scrollingElement, w = window.innerWidth;
  const wide = Array.from(document.body.querySelectorAll('*'))
    .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > w + 1)
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
                         + ' right=' + Math.round(e.getBoundingClientRect().right));
  const scrolls = Array.from(document.querySelectorAll('.scroll')).map(s => ({
    id: s.closest('div.table').id, scroll: s.scrollWidth, client: s.clientWidth,
    overflow: getComputedStyle(s).overflowX}));
  return {scrollWidth: se.scrollWidth, innerWidth: w, wide, scrolls};
}"""


def test_mobile_has_no_horizontal_page_scroll(browser, report):
    tab = Tab(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        for path in report["files"]:
            page = tab.goto(path)
            found = page.evaluate(OVERFLOW_CHECK)
            assert found["innerWidth"] == 390, path
            assert found["scrollWidth"] <= found["innerWidth"] + 1, (path.name, found["wide"])
            assert all(s["overflow"] == "auto" for s in found["scrolls"]), path
            if path == report["index"]:
                # the wide tables scroll inside their own box instead
                wide = {s["id"] for s in found["scrolls"] if s["scroll"] > s["client"] + 1}
                assert "linked-pages" in wide, found["scrolls"]
                shot = _screenshot(page, "report-index-mobile.png")
                width, height = _png_size(shot)
                assert width == 390 * 2 and height > 844 * 2
        tab.assert_clean()
    finally:
        tab.close()
