"""`gsc-backlinks page URL`: finding the page as users type it, and each output format."""

from __future__ import annotations

import json

import pytest

from gsc_backlinks.jobs import demo
from gsc_backlinks.jobs.importing import import_paths
from gsc_backlinks.report.drilldown import page_file

from clihelp import error_line, run

SITE = demo.DEMO_SITE
HOST = "www.fernhill-nursery.example"
SLUG = "https___www.fernhill-nursery.example_"
COMPOSTING = f"https://{HOST}/guides/composting/"
PRUNE = f"https://{HOST}/guides/how%20to%20prune%20roses/"
NATURAL = f"https://{HOST}/blog/%E3%83%8A%E3%83%81%E3%83%A5%E3%83%A9%E3%83%AB%E3%82%AC%E3%83%BC%E3%83%87%E3%83%B3/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    demo.load_sample_data(path)
    # A big drill-down: 10,000 linking pages of one site to the tulips page.
    folder = tmp_path_factory.mktemp("big")
    rows = "\n".join(f"https://forum.bulbs.example/thread/{i}/" for i in range(10_000))
    (folder / f"{SLUG}-Linking pages-2026-11-17.csv").write_text("Linking page\n" + rows + "\n", encoding="utf-8")
    import_paths([str(folder)], SITE, path, target=f"https://{HOST}/bulbs/tulips/")
    return path


@pytest.fixture(autouse=True)
def no_google(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)


def _json(store, url, *extra):
    result = run(store, "page", url, "--site", SITE, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("typed, found", [
    (COMPOSTING, COMPOSTING),
    (f"{HOST}/guides/composting/", COMPOSTING),                       # no scheme
    ("fernhill-nursery.example/guides/composting", COMPOSTING),        # no www., no trailing slash
    (f"http://{HOST}/guides/composting/", COMPOSTING),                 # the other scheme
    (f"https://{HOST.upper()}/guides/composting/#comments", COMPOSTING),  # case and fragment
    (f"{HOST}/guides/composting/?utm_source=news&utm_medium=email&gclid=x", COMPOSTING),  # tracking parameters
    ("/guides/composting", COMPOSTING),                                # just the path
    (f"https://{HOST}/guides/how to prune roses/", PRUNE),             # raw spaces, as Search Console writes them
    (f"{HOST}/guides/how%20to%20prune%20roses", PRUNE),                # percent-encoded
    (f"https://{HOST}/blog/ナチュラルガーデン/", NATURAL),                 # raw Unicode
    (NATURAL.lower(), NATURAL),                                        # lower-case escapes
    ("/roses/rambling-roses", f"https://{HOST}/roses/rambling-roses/"),  # known from search data only
])
def test_the_page_is_found_however_it_is_typed(store, typed, found):
    data = _json(store, typed)
    assert data["page"] == found
    assert data["match"] == ("exact" if typed == found else "same page") or data["match"] == "exact"


def test_an_unknown_page_lists_the_closest_known_ones(store):
    result = run(store, "page", "/guides/compostng/", "--site", SITE)
    assert result.exit_code == 3
    line = error_line(result)
    assert "no data for https://www.fernhill-nursery.example/guides/compostng/ in the store" in line
    assert "closest known pages: https://www.fernhill-nursery.example/guides/composting/" in line


def test_a_page_of_another_property_is_refused(store):
    result = run(store, "page", "https://example.org/guides/composting/", "--site", SITE)
    assert result.exit_code == 2
    assert "https://example.org/guides/composting/ is not a URL of property" in error_line(result)


def test_json_has_the_documented_shape(store):
    data = _json(store, COMPOSTING)
    assert list(data) == ["property", "page", "typed", "match", "other_spellings", "period", "links", "linking_sites",
                          "linking_pages_total", "linking_pages", "site_samples", "inspection", "search", "top_queries",
                          "anchor_matches", "missing", "value_basis"]
    assert data["period"] == {"start": "2026-10-23", "end": "2026-11-19",
                              "previous_start": "2026-09-25", "previous_end": "2026-10-22"}
    assert data["links"]["incoming_links"] == 20 and data["links"]["internal_links"] == 26
    assert data["links"]["history"][0] == {"snapshot_date": "2026-11-03", "incoming_links": 6, "linking_sites": 2}
    # Best value first: greenthumbs.example's pages are about composting; its rank 611,047 in the demo's
    # Common Crawl sample gives authority 100 x (1 - log10(611047) / 8) = 28.  Relevance 38 ("medium") is the
    # figure the weekly report's drill-down page of this page shows: both are rated by the same Valuer.
    first = data["linking_sites"][0]
    assert {k: first[k] for k in ("site", "linking_pages", "first_seen", "last_seen", "source", "authority",
                                  "authority_rank", "relevance_band")} == {
        "site": "greenthumbs.example", "linking_pages": 5, "first_seen": "2026-11-03", "last_seen": "2026-11-17",
        "source": "Top sites linking to this page", "authority": 28, "authority_rank": 611047, "relevance_band": "medium"}
    values = [s["value"] for s in data["linking_sites"]]
    assert values == sorted(values, reverse=True)
    assert first["value"] == round(0.5 * first["authority"] + 0.5 * first["relevance"])
    assert first["authority_source"] == "Common Crawl web graph (harmonic centrality), cc-main-2026-demo-sample"
    assert data["anchor_matches"] == [{"anchor_text": "composting guide", "class": "partial match"}]
    assert any("cc-main-2026-demo-sample" in line for line in data["value_basis"])
    sources = {p["source"] for p in data["linking_pages"]}
    # Every source that lists a page is named; a page a link check has fetched says so.
    assert sources == {"Linking pages export, link check", "URL Inspection, link check", "link check", "Ahrefs",
                       "Ahrefs, link check"}
    # Sample links of the sites that link here, apart: the export does not name their target.
    assert {p["linking_domain"] for p in data["site_samples"]} <= {s["site"] for s in data["linking_sites"]}
    assert data["site_samples"]
    assert data["inspection"]["verdict"] == "PASS" and data["inspection"]["inspected_at"] == "2026-11-18T09:30:00Z"
    s = data["search"]
    assert s["clicks"] > 0 and s["impressions"] > s["clicks"] and 0 < s["ctr"] < 1 and s["previous"]["clicks"] > 0
    assert data["top_queries"][0]["query"] == "how to compost"
    assert data["missing"] == []


def test_missing_sources_say_how_to_get_them(store):
    data = _json(store, "/roses/rambling-roses/")
    missing = "\n".join(data["missing"])
    assert "incoming links: not in the newest Top target pages export" in missing
    assert f"gsc-backlinks import FILE --site {SITE} --target https://{HOST}/roses/rambling-roses/" in missing
    assert f"gsc-backlinks inspect https://{HOST}/roses/rambling-roses/ --site {SITE}" in missing


def test_table_fits_an_80_column_terminal(store):
    result = run(store, "page", COMPOSTING, "--site", SITE, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    out = result.stdout
    assert "links: incoming 20, linking sites 5" in out
    assert "Index: PASS · Submitted and indexed" in out
    assert "how to compost" in out and "gardenersforum.example" in out
    # Long linking URLs are shortened in the middle, not cut off.
    assert "www.gardenersforum.exam…bins/?page=2" in out


def test_a_page_with_10000_linking_pages_is_limited_unless_all(store):
    url = f"https://{HOST}/bulbs/tulips/"
    table = run(store, "page", url, "--site", SITE, env={"COLUMNS": "80"})
    assert table.exit_code == 0
    # The drill-down's 10,000, and the 4 pages the demo's link checks saw link here: 50 shown, best value first.
    assert "Linking pages (10,004)" in table.stdout
    assert "… 9,954 more; --all lists every one" in table.stdout
    shown = table.stdout.split("Linking pages (10,004)")[1].split("… 9,954 more")[0]
    rows = [line for line in shown.splitlines() if "│" in line and "Linking page" not in line]
    assert len(rows) == 50 and table.stdout.count("forum.bulbs.example/thread/") >= 46
    everything = run(store, "page", url, "--site", SITE, "--all", env={"COLUMNS": "80"})
    assert everything.stdout.count("forum.bulbs.example/thread/") == 10_000
    data = _json(store, url)
    assert data["linking_pages_total"] == 10_004 and len(data["linking_pages"]) == 1000
    assert len(_json(store, url, "--all")["linking_pages"]) == 10_004


def test_html_is_the_drill_down_page_of_the_weekly_report(store, tmp_path):
    result = run(store, "page", "/guides/composting", "--site", SITE, "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "https_www.fernhill-nursery.example" / page_file(COMPOSTING)
    assert result.stdout.strip() == str(path)
    html = path.read_text(encoding="utf-8")
    assert "<h1>https://www.fernhill-nursery.example/guides/composting/</h1>" in html
    for section in ("Search traffic", "Top queries", "Who links here", "Links over time"):
        assert f"<h2>{section}</h2>" in html
    assert "Content-Security-Policy" in html and "← Weekly report" not in html


def test_html_that_cannot_be_written_is_one_line_and_leaves_nothing_behind(store, tmp_path):
    blocked = tmp_path / "https_www.fernhill-nursery.example"
    blocked.write_text("a file where the property's folder would go")
    result = run(store, "page", "/guides/composting", "--site", SITE, "--format", "html", "--out", str(tmp_path))
    assert error_line(result).startswith(f"Error: cannot write {blocked / page_file(COMPOSTING)}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == [blocked.name]


def test_inspect_without_authorization_says_so_and_shows_the_stored_result(store):
    result = run(store, "page", COMPOSTING, "--site", SITE, "--inspect", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Not inspected now: not authorized" in result.stderr
    assert "(inspected 2026-11-18)" in " ".join(result.stdout.split())


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "http://[bad"])
def test_what_is_not_a_web_address_is_refused_as_typed(store, typed):
    result = run(store, "page", typed, "--site", SITE)
    assert result.exit_code == 2
    assert f"{typed!r} is not a web page address" in error_line(result)
