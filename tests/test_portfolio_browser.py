"""The portfolio page in a real browser (Debian's Chromium, driven by Playwright): it loads from file://
with nothing blocked by its Content-Security-Policy, sorts like the report's tables, links to each report,
and keeps a hostile property name inert."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_report_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, sync_playwright  # skips as that module does

from gsc_backlinks.dates import Period
from gsc_backlinks.report.portfolio import PropertyRow, write_portfolio

HOSTILE = '<img src=x onerror="window.__pwned=1">'
WEEK = Period(dt.date(2026, 11, 13), dt.date(2026, 11, 19))
TODAY = dt.date(2026, 11, 21)


def _history(*counts: int) -> tuple:
    return tuple((dt.date(2026, 10, 6) + dt.timedelta(days=7 * i), n) for i, n in enumerate(counts))


@pytest.fixture(scope="module")
def page_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("portfolio-browser") / "reports"
    rows = []
    for name, clicks, new, lost, tone in (("fernhill", 3743, 2, 1, "quiet"), ("rosehall", 120, 9, 0, "good"),
                                          (HOSTILE, 880, 0, 14, "attention")):
        index = out / name.replace("<", "_").replace(">", "_").replace('"', "_").replace(" ", "_") / "2026-11-19" / "index.html"
        index.parent.mkdir(parents=True)
        index.write_text("<!DOCTYPE html><title>report</title>", encoding="utf-8")
        rows.append(PropertyRow(site=f"sc-domain:{name.split()[0].strip('<')}.example", name=name, index=index,
                                period=WEEK, compared=True, new_domains=new, lost_domains=lost, new_value=new * 10,
                                lost_value=lost * 7, verdict=f"{tone} week {HOSTILE}", tone=tone, clicks=clicks,
                                previous_clicks=clicks - 10, exports_date=dt.date(2026, 11, 17), today=TODAY,
                                domains_history=_history(10, 12, 11 + new)))
    rows.append(PropertyRow(site="sc-domain:broken.example", name="broken", problems=("no report: store is busy",)))
    return write_portfolio(rows, out, now=dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC))


def test_portfolio_page_is_clean_sortable_and_links_to_each_report(page_path):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(service_workers="block")
            problems: list[str] = []
            blocked: list[str] = []
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                          else (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(page_path.as_uri())

            def names():
                return page.evaluate("() => Array.from(document.querySelectorAll('#properties tbody tr'))"
                                     ".map(r => r.cells[0].textContent.trim())")

            assert names() == ["fernhill", "rosehall", HOSTILE, "broken"]
            page.click("#properties th:nth-child(8) button")  # Clicks: most first, unknown last
            assert names() == ["fernhill", HOSTILE, "rosehall", "broken"]
            page.click("#properties th:nth-child(8) button")
            assert names() == ["rosehall", HOSTILE, "fernhill", "broken"]
            page.click("#properties th:nth-child(5) button")  # Lost domains
            assert names()[0] == HOSTILE
            assert page.evaluate("() => document.querySelectorAll('svg.spark').length") == 3
            assert page.evaluate("() => window.__pwned") is None  # the hostile name is text
            # Four properties need no filter (a table of more than ten rows has one); CSV is there.
            assert page.locator("#properties [data-filter]").is_hidden()
            assert page.locator("#properties [data-csv]").is_visible()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "portfolio.png"), full_page=True)
            with page.expect_navigation():
                page.click("#properties tbody tr >> text=fernhill")
            assert page.url.endswith("/fernhill/2026-11-19/index.html") and page.title() == "report"
            assert problems == [] and blocked == []
        finally:
            browser.close()
