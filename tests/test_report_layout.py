"""The weekly report as a person meets it, in a real browser (Debian's Chromium): the first screen answers
"what changed in my links", charts read on a phone, any part of a header cell sorts, and the demo's index
prints on at most four A4 pages.

Built from the demo (`gsc-backlinks demo`), which is the tour of the product.  Screenshots go under
``$GSC_BACKLINKS_ARTIFACTS`` (default ``tests/artifacts/``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_report_browser import ARTIFACTS, Tab, browser  # noqa: F401  (the browser fixture is used by name)

from gsc_backlinks.jobs.demo import run_demo
from gsc_backlinks.report.templating import breakable

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MIN_CHART_TEXT_PX = 11
MAX_PRINTED_PAGES = 4


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo-layout")).index


def _open(browser, index: Path, viewport: dict) -> Tab:  # noqa: F811
    tab = Tab(browser, viewport=viewport)
    tab.goto(index)
    return tab


def _in_first_screen(page, selector: str) -> bool:
    return page.evaluate(
        """sel => { const e = document.querySelector(sel); if (!e) return false; const r = e.getBoundingClientRect();
                    return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""", selector)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_first_screen_is_this_week_in_links(browser, demo_index, viewport):  # noqa: F811
    tab = _open(browser, demo_index, viewport)
    page = tab.page
    try:
        assert page.locator("main > section.block").first.get_attribute("id") == "s-week"
        verdict = page.locator("#s-week .verdict")
        assert re.match(r"(A good week|Attention|A quiet week|First snapshot)", verdict.inner_text())
        assert _in_first_screen(page, "#s-week .verdict")
        labels = page.locator("#s-week .stat .label").all_inner_texts()
        assert labels[:2] == ["New linking domains", "Lost linking domains"]
        assert _in_first_screen(page, "#s-week .stat:nth-child(1)")
        assert _in_first_screen(page, "#s-week .stat:nth-child(2)")
        # Gross counts, each with the value of what came and went.
        assert re.fullmatch(r"\d[\d,]*", page.locator("#s-week .stat .value").first.inner_text())
        assert page.locator("#s-week .stat .delta").first.inner_text().startswith("value ")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"first-screen-{viewport['width']}.png"))
        tab.assert_clean()
    finally:
        tab.close()


def test_chart_text_is_at_least_11px_on_a_phone(browser, demo_index):  # noqa: F811
    tab = _open(browser, demo_index, PHONE)
    try:
        sizes = tab.page.evaluate(
            """() => { const out = [];
                for (const s of document.querySelectorAll('figure.chart svg')) {
                  const r = s.getBoundingClientRect(); if (!r.width) continue;   // the drawing for the other width
                  const k = r.width / s.viewBox.baseVal.width;
                  for (const t of s.querySelectorAll('text')) out.push(parseFloat(getComputedStyle(t).fontSize) * k);
                } return out; }""")
        assert len(sizes) > 20  # every chart of the page is drawn for the phone
        assert min(sizes) >= MIN_CHART_TEXT_PX
        # No chart needs sideways scrolling.
        assert tab.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        tab.close()


def test_names_and_dates_never_break_inside_on_a_phone(browser, demo_index):  # noqa: F811
    tab = _open(browser, demo_index, PHONE)
    try:
        # Hyphenated names and dates ("rhs-members.example", "2026-11-17") stay on one line wherever they are:
        # the verdict, notices, intros, table cells, the data sources.
        split = tab.page.evaluate(
            """() => Array.from(document.querySelectorAll('.nw')).filter(e => e.getClientRects().length > 1)
                      .map(e => e.textContent)""")
        assert tab.page.locator(".verdict .nw").count() >= 1
        assert tab.page.locator(".nw").count() > 50
        assert split == []
        # The data sources read as text, not a letter per line: each value is as wide as the screen allows.
        widths = tab.page.evaluate(
            "() => Array.from(document.querySelectorAll('.sources dd')).map(d => d.getBoundingClientRect().width)")
        assert len(widths) > 5 and min(widths) > 300
    finally:
        tab.close()


def test_printed_tables_fit_the_page_width(browser, demo_index):  # noqa: F811
    a4_content = {"width": 718, "height": 1000}  # A4 less the print margins, at 96 px per inch
    tab = _open(browser, demo_index, a4_content)
    try:
        tab.page.emulate_media(media="print")
        too_wide = tab.page.evaluate(
            """() => Array.from(document.querySelectorAll('table')).filter(t => t.getBoundingClientRect().width > 718)
                      .map(t => t.closest('div.table').id)""")
        assert too_wide == []
        assert tab.page.evaluate("() => document.documentElement.scrollWidth <= 718")
        # The link gap's widest details stay on screen only.
        assert tab.page.locator("#link-gap th", has_text="Their link").is_hidden()
    finally:
        tab.close()


def test_clicking_anywhere_in_a_header_cell_sorts(browser, demo_index):  # noqa: F811
    tab = _open(browser, demo_index, DESKTOP)
    page = tab.page
    try:
        th = page.locator("#domains thead th").first  # "Linking domain": a wide text column
        th.scroll_into_view_if_needed()
        box = th.bounding_box()
        label = th.locator("button").bounding_box()
        assert box and label and box["x"] + box["width"] - 4 > label["x"] + label["width"] + 20  # room beside the label
        page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)  # the empty right end of the cell
        assert th.get_attribute("aria-sort") == "ascending"
        names = page.evaluate("""() => Array.from(document.querySelectorAll('#domains tbody tr')).filter(r => !r.hidden)
                                  .map(r => r.cells[0].textContent.trim())""")
        assert names == sorted(names, key=str.lower) and len(names) > 3
        page.mouse.click(box["x"] + 3, box["y"] + 3)  # the top left corner: the other way round
        assert th.get_attribute("aria-sort") == "descending"
        tab.assert_clean()
    finally:
        tab.close()


def test_a_wide_table_on_a_phone_says_it_scrolls(browser, demo_index):  # noqa: F811
    tab = _open(browser, demo_index, PHONE)
    try:
        wide = tab.page.evaluate(
            """() => Array.from(document.querySelectorAll('div.table.scrolls'))
                      .map(t => [t.id, getComputedStyle(t.querySelector('.scroll-hint')).display])""")
        assert wide, "some tables are wider than a phone"
        assert all(display == "block" for _, display in wide)
    finally:
        tab.close()


def test_the_demo_index_prints_on_at_most_four_a4_pages(browser, demo_index):  # noqa: F811
    tab = _open(browser, demo_index, DESKTOP)
    try:
        pdf = tab.page.pdf(format="A4", print_background=False)
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "demo-index.pdf").write_bytes(pdf)
        assert 1 <= pages <= MAX_PRINTED_PAGES
        # What print leaves out says where to find it.
        tab.page.emulate_media(media="print")
        assert tab.page.locator("#daily").is_hidden()
        notes = tab.page.locator(".print-only").all_inner_texts()
        assert any("left out of print" in n for n in notes)
    finally:
        tab.close()


@pytest.mark.parametrize("text, html", [
    ("countryliving.example", "countryliving.<wbr>example"),
    ("https://www.example.com/a-b/", 'https://<wbr>www.<wbr>example.<wbr>com/<wbr><span class="nw">a-b/</span>'),
    ("how to prune roses", "how to prune roses"),  # words wrap at spaces already
    ("rosehall-gardens.example", '<span class="nw">rosehall-gardens.</span><wbr>example'),  # never after a hyphen
    ("lost on 2026-11-17.", 'lost on <span class="nw">2026-11-17.</span>'),  # dates stay whole in prose
    ("forum.gardenersforum.example/winter pruning tips/",  # a URL with spaces: each part breaks at its boundaries
     "forum.<wbr>gardenersforum.<wbr>example/<wbr>winter pruning tips/"),
    ("a" * 40 + "-b", "a" * 40 + "-b"),  # too long to keep whole: the browser may break it rather than overflow
    ('<b>x.example</b>', "&lt;b&gt;x.example&lt;/b&gt;"),  # markup stays text, without break hints
])
def test_names_break_at_their_own_boundaries(text, html):
    assert str(breakable(text)) == html
