"""Third-party exports end to end: `import` keeps them as snapshots beside Search Console's, every view shows
what each source sees, `competitors` and `links gap` turn competitors' links into an outreach list, the link
checker and the weekly report read them too.

The files are written in the shapes the tools really write (see tests/vendorfiles.py for their headers).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from test_value import cc_file
from vendorfiles import (
    AHREFS_BACKLINKS,
    AHREFS_REFERRING_DOMAINS,
    BING_BACKLINKS,
    MAJESTIC_BACKLINKS,
    MOZ_INBOUND_LINKS,
    MOZ_PREAMBLE,
    SEMRUSH_BACKLINKS,
    for_excel,
    row_of,
    sheets_resaved,
    utf8_csv,
    vendor_file,
)

from clihelp import SITE, error_line, import_ok, run, stored, unwrapped, write_export

AHREFS_NAME = "www.example.com-backlinks-subdomains_2026-05-20_09-12-44.csv"
RIVAL = "rival.example"
OTHER = "other-rival.example"


def ahrefs_rows(target_host: str = "www.example.com", pages: list[tuple] = ()) -> list[list]:
    return [row_of(AHREFS_BACKLINKS, referring_page_url=url, target_url=f"https://{target_host}{path}",
                   anchor=anchor, domain_rating=dr, nofollow=nofollow, first_seen=first, last_seen="2026-05-19",
                   lost=lost, lost_status="removed" if lost else "", drop_reason="link removed" if lost else "")
            for url, path, anchor, dr, nofollow, first, lost in pages]


OWN_PAGES = [
    ("https://blog.gardening.com/roses/", "/roses/", "rose guide", 71, "false", "2026-04-01", ""),
    ("https://www.toolsandsheds.example/best-sheds/", "/", "example", 35, "true", "2026-05-15", ""),
    ("https://old.forum.example/t/1", "/", "example shop", 20, "false", "2026-01-01", "2026-05-10"),
]


@pytest.fixture
def store(tmp_path) -> Path:
    """A store with Search Console's sample and Top linking sites (bbc.co.uk, gardening.com, github.io)."""
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "More sample links"), write_export(tmp_path, "Top linking sites"))
    return store


def rows_of(store: Path, sql: str, params=()) -> list[tuple]:
    return stored(store, sql, params)


def observations(store: Path) -> list[tuple]:
    return rows_of(store, """SELECT source, linking_url, target_url, anchor_text, nofollow, ahrefs_dr
                             FROM link_observations ORDER BY linking_url""")


# --- import -----------------------------------------------------------------------------------------------


def test_an_ahrefs_export_is_a_dated_snapshot_of_link_observations(store, tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES)))

    result = import_ok(store, path)

    assert f"+ {path}: Ahrefs backlinks export, 3 rows, snapshot #1 dated 2026-05-20 (date from file name)" \
        in result.stdout
    assert rows_of(store, "SELECT vendor, export, competitor, snapshot_date, row_count FROM vendor_snapshots") == [
        ("ahrefs", "ahrefs_backlinks", "", __import__("datetime").date(2026, 5, 20), 3)]
    assert observations(store) == [
        ("ahrefs", "https://blog.gardening.com/roses/", "https://www.example.com/roses/", "rose guide", False, 71.0),
        ("ahrefs", "https://old.forum.example/t/1", "https://www.example.com/", "example shop", False, 20.0),
        ("ahrefs", "https://www.toolsandsheds.example/best-sheds/", "https://www.example.com/", "example", True, 35.0),
    ]
    again = import_ok(store, path)
    assert "already imported (same content as snapshot #1" in again.stdout
    assert rows_of(store, "SELECT count(*) FROM link_observations") == [(3,)]


def _one_link(header, **values):
    return [row_of(header, **values)]


SHAPES = {
    "sheets-resaved ahrefs": ("www.example.com-backlinks - Sheet1.csv", lambda: sheets_resaved(
        AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES[:1])), "ahrefs"),
    "ahrefs for excel (utf-16le tsv)": (AHREFS_NAME, lambda: for_excel(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES[:1])),
                                        "ahrefs"),
    "semrush crlf": ("example.com-backlinks.csv", lambda: utf8_csv(SEMRUSH_BACKLINKS, _one_link(
        SEMRUSH_BACKLINKS, source_url="https://blog.gardening.com/roses/", target_url="https://www.example.com/roses/",
        anchor="rose guide", page_ascore=40, nofollow="false")), "semrush"),
    "majestic with a broken row": ("majestic.csv", lambda: utf8_csv(MAJESTIC_BACKLINKS, _one_link(
        MAJESTIC_BACKLINKS, target_url="https://www.example.com/roses/", source_url="https://blog.gardening.com/roses/",
        anchor_text="rose guide", flagnofollow="")) + b'"https://www.example.com/,"broken\n' + utf8_csv(
        MAJESTIC_BACKLINKS, _one_link(MAJESTIC_BACKLINKS, target_url="https://www.example.com/",
                                      source_url="https://b.example/x", anchor_text="shop")).split(b"\n", 1)[1],
        "majestic"),
    "moz with preamble": ("moz.csv", lambda: utf8_csv(MOZ_INBOUND_LINKS, _one_link(
        MOZ_INBOUND_LINKS, url="https://blog.gardening.com/roses/", target_url="https://www.example.com/roses/",
        anchor_text="rose guide", domain_authority=60), before=MOZ_PREAMBLE), "moz"),
    "bing": ("bing.csv", lambda: utf8_csv(BING_BACKLINKS, _one_link(
        BING_BACKLINKS, source_url="https://blog.gardening.com/roses/", target_url="https://www.example.com/roses/",
        anchor_text="rose guide")), "bing"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_tools_export_is_imported_through_the_cli(store, tmp_path, shape):
    name, make, vendor = SHAPES[shape]
    path = vendor_file(tmp_path, name, make())

    result = import_ok(store, path, extra=("--date", "2026-05-21"))

    assert "1 imported" in result.stdout
    assert ("ahrefs" if vendor == "ahrefs" else vendor, "https://blog.gardening.com/roses/",
            "https://www.example.com/roses/") in [r[:3] for r in observations(store)]
    if shape.startswith("majestic"):
        assert "note:" in result.stdout and "skipped" in result.stdout


def test_a_referring_domains_export_and_a_zip_of_two_tools(store, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("rd.csv", utf8_csv(AHREFS_REFERRING_DOMAINS, [row_of(
            AHREFS_REFERRING_DOMAINS, domain="newsite.example", dr=50, first_seen="2026-05-01")]))
        z.writestr("semrush.csv", utf8_csv(SEMRUSH_BACKLINKS, _one_link(
            SEMRUSH_BACKLINKS, source_url="https://c.example/", target_url="https://www.example.com/", anchor="x")))
    path = vendor_file(tmp_path, "exports.zip", buf.getvalue())

    import_ok(store, path, extra=("--date", "2026-05-21"))

    assert rows_of(store, "SELECT linking_domain, ahrefs_dr FROM vendor_domains") == [("newsite.example", 50.0)]
    assert rows_of(store, "SELECT source, linking_url FROM link_observations") == [("semrush", "https://c.example/")]


def test_one_bad_file_among_good_ones_imports_nothing(store, tmp_path):
    good = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES)))
    (tmp_path / "sc").mkdir()
    sc = write_export(tmp_path / "sc", "Latest links", date="2026-05-25")
    bad = vendor_file(tmp_path, "rival.csv", utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(RIVAL, OWN_PAGES)))
    before = rows_of(store, "SELECT count(*) FROM snapshots")

    line = error_line(run(store, "import", good, sc, bad, "--site", SITE))

    assert "its target URLs (https://rival.example/roses/, …) are not pages of property" in line
    assert "--competitor DOMAIN" in line
    assert rows_of(store, "SELECT count(*) FROM snapshots") == before
    assert rows_of(store, "SELECT count(*) FROM vendor_snapshots") == [(0,)]
    assert rows_of(store, "SELECT count(*) FROM link_observations") == [(0,)]


@pytest.mark.parametrize("header, cut, tool_says", [
    (AHREFS_BACKLINKS, ("Target URL",), "an Ahrefs backlinks export but has no 'Target URL' column; export it "
                                        "again from Ahrefs"),
    (MAJESTIC_BACKLINKS, ("Source URL",), "a Majestic backlinks export but has no 'Source URL' column; export it "
                                          "again from Majestic"),
    (SEMRUSH_BACKLINKS, ("Source url", "Target url"), "a Semrush backlinks export but has no 'Source url' or "
                                                      "'Target url' columns; export it again from Semrush"),
])
def test_a_tool_export_missing_a_needed_column_is_named_with_its_tool(store, tmp_path, header, cut, tool_says):
    kept = [name for name in header if name not in cut]
    path = vendor_file(tmp_path, "export.csv", utf8_csv(kept, [["x"] * len(kept)]))
    before = rows_of(store, "SELECT count(*) FROM snapshots")

    for extra in ((), ("--skip-unknown",)):  # a tool's file with a column cut is no file to pass over
        line = error_line(run(store, "import", path, "--site", SITE, *extra))
        assert line == f"Error: {path}: looks like {tool_says} with every column"

    assert rows_of(store, "SELECT count(*) FROM snapshots") == before
    assert rows_of(store, "SELECT count(*) FROM vendor_snapshots") == [(0,)]


def test_an_empty_file_is_not_said_to_come_from_search_console_only(store, tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, b"")
    line = error_line(run(store, "import", path, "--site", SITE))
    assert line == (f"Error: {path}: is empty; download the export again from Search Console (or the tool it "
                    "came from)")


def test_competitor_and_target_options_are_for_their_own_kinds_of_file(store, tmp_path):
    sc = write_export(tmp_path, "Latest links", date="2026-05-25")
    line = error_line(run(store, "import", sc, "--site", SITE, "--competitor", RIVAL))
    assert "--competitor is for third-party exports" in line
    ahrefs = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES)))
    line = error_line(run(store, "import", ahrefs, "--site", SITE, "--target", "https://www.example.com/roses/"))
    assert "--target is for Search Console's drill-down exports; this is an Ahrefs backlinks export" in line
    line = error_line(run(store, "import", ahrefs, "--site", SITE, "--competitor", "www.example.com"))
    assert "is your own site" in line
    line = error_line(run(store, "import", ahrefs, "--site", SITE, "--competitor", "not a domain"))
    assert "--competitor 'not a domain' is not a domain" in line
    assert rows_of(store, "SELECT count(*) FROM vendor_snapshots") == [(0,)]


# --- competitors and the gap ------------------------------------------------------------------------------

RIVAL_PAGES = [  # (linking URL, path, anchor, DR, nofollow, first seen, lost)
    ("https://www.bbc.co.uk/news/rival/", "/", "rival", 92, "false", "2026-03-01", ""),  # links to you too
    ("https://garden-weekly.example/tools/", "/shop/", "garden tools", 64, "false", "2026-03-01", ""),
    ("https://tiny-directory.example/list", "/", "=HYPERLINK(\"http://evil.example\",\"x\")", 3, "true",
     "2026-03-01", ""),
    ("https://compost-news.example/a", "/compost/", "compost", 30, "false", "2026-02-01", "2026-04-01"),  # lost
]
OTHER_PAGES = [
    ("https://garden-weekly.example/sheds/", "/sheds/", "sheds", 64, "false", "2026-03-01", ""),
    ("https://lonely.example/p", "/", "other", 10, "false", "2026-03-01", ""),
]


@pytest.fixture
def rivals(store, tmp_path) -> Path:
    for name, host, pages in ((RIVAL, "www.rival.example", RIVAL_PAGES), (OTHER, OTHER, OTHER_PAGES)):
        path = vendor_file(tmp_path / name, f"{name}-backlinks_2026-05-20_10-00-00.csv",
                           utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(host, pages)))
        result = import_ok(store, path, extra=("--competitor", name))
        assert f"competitor {name}" in result.stdout
    ranks = cc_file(tmp_path / "cc-main-2026-test-domain-ranks.txt.gz",
                    {"bbc.co.uk": 50, "garden-weekly.example": 2_000, "lonely.example": 900_000,
                     "tiny-directory.example": 5_000_000})
    assert run(store, "authority", "load", ranks).exit_code == 0
    return store


def test_competitors_are_listed_added_and_removed(rivals):
    listed = json.loads(run(rivals, "competitors", "--site", SITE, "--format", "json").stdout)
    assert [(r["competitor"], r["exports"], r["linking_domains"]) for r in listed["rows"]] == [
        (OTHER, 1, 2), (RIVAL, 1, 3)]

    assert run(rivals, "competitors", "--site", SITE, "--add", "https://www.Third.example/").exit_code == 0
    listed = json.loads(run(rivals, "competitors", "--site", SITE, "--format", "json").stdout)
    assert [r["competitor"] for r in listed["rows"]] == [OTHER, RIVAL, "third.example"]

    assert run(rivals, "competitors", "--site", SITE, "--remove", OTHER).exit_code == 0
    assert [r["competitor"] for r in json.loads(run(rivals, "competitors", "--site", SITE, "--format",
                                                    "json").stdout)["rows"]] == [RIVAL, "third.example"]
    assert rows_of(rivals, "SELECT count(*) FROM link_observations WHERE linking_url LIKE '%lonely%'") == [(0,)]
    line = error_line(run(rivals, "competitors", "--site", SITE, "--remove", "nobody.example"))
    assert "nobody.example is not a competitor of" in line


def test_removing_a_competitor_says_what_went_with_it(rivals):
    before = rows_of(rivals, "SELECT count(*) FROM link_observations")[0][0]

    table = run(rivals, "competitors", "--site", SITE, "--remove", OTHER)
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0] == (
        f"Removed competitor {OTHER} and its 1 imported export and 2 link rows")
    assert rows_of(rivals, "SELECT count(*) FROM link_observations")[0][0] == before - 2

    # With CSV or JSON on stdout, the line goes to stderr and the data stays clean.
    result = run(rivals, "competitors", "--site", SITE, "--add", "third.example")
    assert result.exit_code == 0 and "Removed" not in result.output
    result = run(rivals, "competitors", "--site", SITE, "--remove", "third.example", "--format", "json")
    assert result.stderr == "Removed competitor third.example and its 0 imported exports and 0 link rows\n"
    assert [r["competitor"] for r in json.loads(result.stdout)["rows"]] == [RIVAL]


def test_your_own_domain_cannot_be_added_as_a_competitor(rivals, tmp_path):
    before = rows_of(rivals, "SELECT count(*) FROM competitors")

    line = error_line(run(rivals, "competitors", "--site", SITE, "--add", "https://shop.example.com/"))

    assert line == (f"Error: --add example.com is your own site ({SITE}); import its exports without --competitor")
    assert rows_of(rivals, "SELECT count(*) FROM competitors") == before
    ahrefs = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES)))
    imported = error_line(run(rivals, "import", ahrefs, "--site", SITE, "--competitor", "example.com"))
    assert imported.replace("--competitor example.com", "--add example.com", 1) == line


@pytest.mark.parametrize("option", ["--add", "--remove"])
def test_a_competitor_that_is_no_domain_is_named_with_the_option_given(rivals, option):
    line = error_line(run(rivals, "competitors", "--site", SITE, option, "!!"))
    assert line == f"Error: {option} '!!' is not a domain; write it as example.org"


def test_link_gap_lists_domains_linking_to_competitors_and_not_to_you_by_value(rivals):
    result = run(rivals, "links", "gap", "--site", SITE, "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    # bbc.co.uk links to you (Search Console's Top linking sites): not in the gap. compost-news is lost: no link.
    assert [r["linking_domain"] for r in rows] == ["garden-weekly.example", "lonely.example", "tiny-directory.example"]
    top = rows[0]
    assert top["competitor_count"] == 2 and top["competitors"] == f"{OTHER}, {RIVAL}"
    assert [(k["competitor"], k["linking_url"], k["anchor_text"], k["followed"]) for k in top["links"]] == [
        (OTHER, "https://garden-weekly.example/sheds/", "sheds", True),
        (RIVAL, "https://garden-weekly.example/tools/", "garden tools", True)]
    assert top["tool_metric"] == "Ahrefs Domain rating" and top["tool_metric_value"] == 64.0
    assert top["authority"] > rows[1]["authority"] > rows[2]["authority"]
    assert [r["value"] for r in rows] == sorted((r["value"] for r in rows), reverse=True)

    two = json.loads(run(rivals, "links", "gap", "--site", SITE, "--min-competitors", "2", "--format", "json").stdout)
    assert [r["linking_domain"] for r in two["rows"]] == ["garden-weekly.example"]
    only = json.loads(run(rivals, "links", "gap", "--site", SITE, "--competitor", OTHER, "--format", "json").stdout)
    assert [r["linking_domain"] for r in only["rows"]] == ["garden-weekly.example", "lonely.example"]


def test_link_gap_csv_is_spreadsheet_safe(rivals):
    result = run(rivals, "links", "gap", "--site", SITE, "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    hostile = next(r for r in rows if r["linking_domain"] == "tiny-directory.example")
    assert hostile["anchor_text"].startswith("'=HYPERLINK")
    assert hostile["followed"] == "no"


def test_link_gap_says_truly_which_competitor_the_example_link_is_of(rivals):
    table = run(rivals, "links", "gap", "--site", SITE, "--min-competitors", "2", "--top", "0")
    doc = json.loads(run(rivals, "links", "gap", "--site", SITE, "--min-competitors", "2", "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(run(rivals, "links", "gap", "--site", SITE, "--min-competitors", "2",
                                               "--format", "csv").stdout)))

    note = next(n for n in doc["notes"] if n.startswith("Example linking page"))
    assert "of the first competitor listed (in CSV too; JSON's links field has every competitor's)" in note
    assert note in " ".join(table.stdout.split())  # the table says the same (however the terminal wraps it)
    # CSV: one example, the first competitor's; JSON: every competitor's link.
    assert [(r["linking_domain"], r["competitors"], r["example_url"], r["anchor_text"]) for r in rows] == [
        ("garden-weekly.example", f"{OTHER}, {RIVAL}", "https://garden-weekly.example/sheds/", "sheds")]
    assert "links" not in rows[0]
    assert [k["linking_url"] for k in doc["rows"][0]["links"]] == [
        "https://garden-weekly.example/sheds/", "https://garden-weekly.example/tools/"]


def test_link_gap_without_competitor_data_says_what_to_do(store):
    line = error_line(run(store, "links", "gap", "--site", SITE))
    assert "--competitor DOMAIN" in line
    line = error_line(run(store, "links", "gap", "--site", SITE, "--competitor", RIVAL))
    assert f"no export of competitor {RIVAL} imported" in line


def test_link_gap_asking_for_more_competitors_than_held_says_so(rivals):
    line = error_line(run(rivals, "links", "gap", "--site", SITE, "--min-competitors", "3"))
    assert line == (f"Error: --min-competitors 3 asks for more competitors than the 2 with an export for {SITE} "
                    f"({OTHER}, {RIVAL}); lower it, or import another competitor's export with gsc-backlinks import "
                    f"FILE --site {SITE} --competitor DOMAIN")
    line = error_line(run(rivals, "links", "gap", "--site", SITE, "--competitor", RIVAL, "--min-competitors", "2",
                          "--format", "json"))
    assert f"than the 1 given with --competitor ({RIVAL}); lower it" in line


def test_your_own_tool_export_counts_as_a_link_to_you_in_the_gap(rivals, tmp_path):
    own = [("https://lonely.example/q", "/", "example", 10, "false", "2026-05-01", "")]
    import_ok(rivals, vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=own))))

    rows = json.loads(run(rivals, "links", "gap", "--site", SITE, "--format", "json").stdout)["rows"]

    assert "lonely.example" not in [r["linking_domain"] for r in rows]


# --- coverage ---------------------------------------------------------------------------------------------


def test_links_domains_shows_which_sources_list_each_domain(store, tmp_path):
    import_ok(store, vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES))))

    result = run(store, "links", "domains", "--site", SITE, "--sources", "--format", "json")

    data = json.loads(result.stdout)
    sources = {r["linking_domain"]: r["sources"] for r in data["rows"]}
    assert sources["gardening.com"] == "Search Console, Ahrefs"
    assert sources["bbc.co.uk"] == "Search Console"
    assert sources["toolsandsheds.example"] == "Ahrefs"  # only Ahrefs sees it
    assert "forum.example" not in sources  # Ahrefs lists its one link as lost
    # Search Console: bbc.co.uk, gardening.com, github.io (Top linking sites and sample); Ahrefs: 2 live.
    assert ("Ahrefs lists 2 linking domains, Search Console 3, both 1: Search Console's sample misses 1 linking "
            "domain Ahrefs sees; Ahrefs misses 2 that Google counts.") in data["notes"]

    table = run(store, "links", "sources", "--site", SITE, env={"COLUMNS": "120"})
    assert "Ahrefs backlinks export" in table.stdout and "Ahrefs lists 2 linking domains" in table.stdout


def test_links_anchors_of_a_page_has_the_anchors_a_tool_lists(store, tmp_path):
    import_ok(store, write_export(tmp_path, "Top target pages"),
              vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES))))

    home = run(store, "links", "anchors", "--site", SITE, "--target", "https://www.example.com/", "--format", "json")

    assert home.exit_code == 0, home.output
    rows = {r["anchor_text"]: r for r in json.loads(home.stdout)["rows"]}
    # The live nofollow link Ahrefs lists; its lost one ("example shop") is history, not an anchor of the page.
    assert set(rows) == {"example"}
    assert (rows["example"]["linking_pages"], rows["example"]["followed"], rows["example"]["sources"]) == (1, 0, "Ahrefs")


def test_with_only_a_tools_export_nothing_reads_as_google_seeing_none(tmp_path):
    store = tmp_path / "tools-only.duckdb"
    import_ok(store, vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES))))

    listed = run(store, "links", "sources", "--site", SITE, "--format", "json")
    assert listed.exit_code == 0, listed.output
    notes = json.loads(listed.stdout)["notes"]
    assert any(n.startswith("Ahrefs lists 2 linking domains; no Search Console link export is held") for n in notes)
    assert not any("Search Console 0" in n for n in notes)
    # The domains table needs Search Console's: one line saying what to export, and where the tool's are.
    line = error_line(run(store, "links", "domains", "--site", SITE, "--sources"))
    assert "no 'Top linking sites' or 'More sample links' export imported" in line
    assert "gsc-backlinks links sources --site" in line


def test_the_link_checker_also_checks_the_pages_a_tool_lists(store, tmp_path):
    from gsc_backlinks.analysis.checks import known_linking_pages
    from gsc_backlinks.analysis.snapshots import Snapshots
    from gsc_backlinks.store import open_store

    import_ok(store, vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, ahrefs_rows(pages=OWN_PAGES))))
    with open_store(store) as con:
        pages = dict(known_linking_pages(con, Snapshots.read(con, SITE)))

    assert pages["https://www.toolsandsheds.example/best-sheds/"] == "toolsandsheds.example"
    assert "https://old.forum.example/t/1" in pages  # a "lost" link: a fresh fetch confirms or corrects it
    assert "https://alice.github.io/links/" in pages  # Google's sample as before


# --- the weekly report ------------------------------------------------------------------------------------


def test_weekly_report_has_a_link_gap_section_and_warns_of_old_competitor_exports(rivals, tmp_path):
    out = tmp_path / "out"
    result = run(rivals, "report", "weekly", "--site", SITE, "--offline", "--out", out, "--week", "2026-W28")

    assert result.exit_code == 0, result.output
    page = unwrapped(next(out.rglob("index.html")).read_text())
    assert 'id="s-gap"' in page and "garden-weekly.example" in page
    assert "The competitor exports are old" in page and f"{RIVAL} (Ahrefs, 2026-05-20)" in page
    assert "Ahrefs backlinks export (competitor rival.example)" in page

    recent = tmp_path / "recent"
    assert run(rivals, "report", "weekly", "--site", SITE, "--offline", "--out", recent,
               "--week", "2026-W22").exit_code == 0
    assert "The competitor exports are old" not in next(recent.rglob("index.html")).read_text()
