"""Numbers shown the same way everywhere: unknown is one thing, brand queries, time zones, missing weeks.

(Issue: "Real exports, honest numbers", points 11-14.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gsc_backlinks.analysis.anchors import AnchorRules, brand_queries
from gsc_backlinks.jobs import demo

from clihelp import SITE, import_ok, run, write_export

NOW = "2026-11-21T17:00:00Z"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    demo.load_sample_data(path)
    return path


@pytest.fixture(scope="module")
def report(demo_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = run(demo_store, "report", "weekly", "--site", demo.DEMO_SITE, "--offline", "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


# --- 11. unknown is one thing ------------------------------------------------------------------------


def test_a_page_without_synced_search_data_has_null_clicks_in_json(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Top target pages"))
    doc = json.loads(run(store, "page", "/roses/", "--site", SITE, "--format", "json").stdout)
    assert doc["search"]["clicks"] is None and doc["search"]["impressions"] is None
    assert doc["search"]["previous"]["clicks"] is None


def test_a_page_without_rows_in_synced_days_had_zero_clicks(demo_store):
    # Search Console leaves out pages without impressions: where the property's days are held, that is 0.
    doc = json.loads(run(demo_store, "page", "/gift-vouchers/", "--site", demo.DEMO_SITE, "--format", "json").stdout)
    assert isinstance(doc["search"]["clicks"], int)


def test_terminal_csv_and_json_say_unknown_the_same_way(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking sites"), write_export(tmp_path, "More sample links"))
    tranco = tmp_path / "top-1m.csv"
    tranco.write_text("1,google.com\r\n50,bbc.co.uk\r\n", newline="")
    assert run(store, "authority", "load", str(tranco)).exit_code == 0
    table = run(store, "links", "domains", "--site", SITE, "--sort", "value", env={"COLUMNS": "160"}).stdout
    assert "unknown" in table and "None" not in table
    csv_text = run(store, "links", "domains", "--site", SITE, "--sort", "value", "--format", "csv").stdout
    gardening = next(line for line in csv_text.splitlines() if line.startswith("gardening.com,"))
    assert ",," in gardening and "None" not in csv_text  # authority: an empty cell
    rows = json.loads(run(store, "links", "domains", "--site", SITE, "--sort", "value", "--format", "json").stdout)["rows"]
    assert next(r for r in rows if r["linking_domain"] == "gardening.com")["authority"] is None


def test_the_report_shows_unknown_as_one_word_with_an_empty_sort_key(report):
    html = report.read_text(encoding="utf-8")
    assert 'data-v="-1"><span' not in html  # unknown was -1 to sort and to save as CSV
    assert '<td class="num muted" data-v=""><span title="Not in the loaded rank file(s)">unknown</span></td>' in html


# --- 12. brand queries ------------------------------------------------------------------------------


def test_the_first_word_of_the_domain_is_a_brand_query_and_never_makes_an_exact_match():
    site = "https://www.fernhill-nursery.example/"
    assert brand_queries(site) == {"fernhill"}
    rules = AnchorRules.build(site, queries=["fernhill", "compost bins", "fernhill nursery opening times"])
    assert rules.queries == {"compost bins"}  # both brand queries are left out
    assert rules.classify("fernhill") == "branded"  # the domain's own first word, as a query is: the brand
    assert rules.classify("compost bins") == "exact match"
    assert brand_queries("https://www.example.com/") == frozenset()  # one word: the brand term itself covers it


def test_the_report_states_the_number_of_queries_once(report):
    html = report.read_text(encoding="utf-8")
    assert "the site&#39;s top 100 search queries of the last 28 days, brand queries left out" in html
    assert '<td data-v="fernhill">fernhill</td><td data-v="0">branded</td>' in html


# --- 13. time zones ---------------------------------------------------------------------------------------


def test_every_time_in_the_report_is_pacific_with_its_zone(report):
    index = re.sub(r"</?(?:span|wbr)\b[^>]*>", "", report.read_text(encoding="utf-8"))  # the text, not its wrapping
    assert "generated 2026-11-21 09:00 PST" in index or "2026-11-21 09:00 PST" in index
    assert "fetched 2026-11-21 08:55 PST" in index  # stored as 16:55 UTC
    assert " UTC" not in index
    drill = (report.parent / "pages").glob("guides-composting-*.html")
    text = re.sub(r"</?(?:span|wbr)\b[^>]*>", "", next(drill).read_text(encoding="utf-8"))
    assert "<dt>Last crawled by Google</dt><dd class=\"\">2026-11-15 20:12 PST</dd>" in text  # 04:12 UTC
    assert " UTC" not in text


# --- 14. a past week with no search data --------------------------------------------------------------


def test_a_week_without_search_data_says_so_not_that_it_is_not_final(demo_store, tmp_path):
    out = tmp_path / "r"
    result = run(demo_store, "report", "weekly", "--site", demo.DEMO_SITE, "--offline", "--out", out,
                 "--week", "2026-W20", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "Note: No search data is stored for this week" in result.stderr
    assert "not final yet" not in result.stderr
