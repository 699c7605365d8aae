"""Reading Search Console Links exports: kinds, file forms, dates, languages, storing."""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gsc_backlinks import urls
from gsc_backlinks.errors import ExportError, UnknownExportError
from gsc_backlinks.exports import KINDS, collect, parse_export
from gsc_backlinks.jobs.importing import import_paths

from clihelp import stored
from exportfiles import (
    HEADERS,
    HEADERS_SITE_LINKS,
    SITE,
    csv_bytes,
    gsc_name,
    set_mtime,
    write_bytes,
    write_csv,
    write_xlsx,
    write_zip,
    xlsx_bytes,
)

PROP = urls.parse_property(SITE)
TARGET = "https://www.example.com/roses/"

EXTERNAL_PAGES = [
    "https://www.seedswap.example/guides/hedges/",
    "https://news.hortweekly.co.uk/guides/hedges/?page=3",
    "https://amy.wordpress-garden.example/wildlife/",
]
OWN_PAGES = [
    "https://www.example.com/",
    "https://www.example.com/blog/roses-in-winter/",
    "https://www.example.com/shop/",
]


def parse_file(path, prop=PROP, **kw):
    """collect() + parse_export() of a path that holds exactly one export."""
    collected = collect([path])
    assert len(collected.files) == 1, [f.display for f in collected.files]
    return parse_export(collected.files[0], prop, **kw)


def rows(parsed):
    return parsed.table.to_pylist()


# --- each kind, detected from its header row ------------------------------------------------


def test_more_sample_links(tmp_path):
    path = write_csv(tmp_path / gsc_name("More sample links"), HEADERS["sample_links"],
                     [[u] for u in EXTERNAL_PAGES])
    parsed = parse_file(path)
    assert parsed.kind == "sample_links"
    assert parsed.language == "en"
    assert parsed.file_rows == 3
    assert [r["linking_url"] for r in rows(parsed)] == EXTERNAL_PAGES
    assert [r["linking_domain"] for r in rows(parsed)] == [
        "seedswap.example", "hortweekly.co.uk", "wordpress-garden.example"]
    assert all(r["last_crawled"] is None for r in rows(parsed))


def test_latest_links_reads_iso_dates(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"],
                     [[EXTERNAL_PAGES[0], "2026-05-17"], [EXTERNAL_PAGES[1], "2026-04-30"]])
    parsed = parse_file(path)
    assert parsed.kind == "latest_links"
    assert [(r["linking_url"], r["last_crawled"]) for r in rows(parsed)] == [
        (EXTERNAL_PAGES[0], dt.date(2026, 5, 17)),
        (EXTERNAL_PAGES[1], dt.date(2026, 4, 30)),
    ]


def test_top_target_pages_external(tmp_path):
    path = write_csv(tmp_path / gsc_name("Top target pages"), HEADERS["top_target_pages"],
                     [["https://www.example.com/perennials/", 18, 6], ["https://www.example.com/", 15, 5]])
    parsed = parse_file(path)
    assert parsed.kind == "top_target_pages"
    assert rows(parsed) == [
        {"target_url": "https://www.example.com/perennials/", "incoming_links": 18, "linking_sites": 6,
         "internal_links": None},
        {"target_url": "https://www.example.com/", "incoming_links": 15, "linking_sites": 5, "internal_links": None},
    ]


def test_internal_top_target_pages_downloaded_as_copy(tmp_path):
    path = write_csv(tmp_path / "https___www.example.com_-Top target pages-2026-05-18 (1).csv",
                     HEADERS["internal_target_pages"],
                     [["https://www.example.com/", 40], ["https://www.example.com/roses/", 39]])
    parsed = parse_file(path)
    assert parsed.kind == "internal_target_pages"
    assert parsed.snapshot_date == dt.date(2026, 5, 18)
    assert [(r["target_url"], r["internal_links"], r["incoming_links"]) for r in rows(parsed)] == [
        ("https://www.example.com/", 40, None), ("https://www.example.com/roses/", 39, None)]


def test_top_linking_sites(tmp_path):
    path = write_csv(tmp_path / gsc_name("Top linking sites"), HEADERS["top_linking_sites"],
                     [["gardenersforum.example", 45, 15], ["news.hortweekly.co.uk", 21, 7], ["Bücher.de", 2, 1]])
    parsed = parse_file(path)
    assert parsed.kind == "top_linking_sites"
    assert [(r["site"], r["linking_domain"], r["linking_pages"], r["target_pages"]) for r in rows(parsed)] == [
        ("gardenersforum.example", "gardenersforum.example", 45, 15),
        ("news.hortweekly.co.uk", "hortweekly.co.uk", 21, 7),
        ("bücher.de", "xn--bcher-kva.de", 2, 1),
    ]


def test_top_linking_text(tmp_path):
    path = write_csv(tmp_path / gsc_name("Top linking text"), HEADERS["top_linking_text"],
                     [[1, "https www example com"], [2, "visit website"], [3, "roses, and more"]])
    parsed = parse_file(path)
    assert parsed.kind == "top_linking_text"
    assert [(r["rank"], r["anchor_text"]) for r in rows(parsed)] == [
        (1, "https www example com"), (2, "visit website"), (3, "roses, and more")]


def test_top_sites_linking_to_this_page_needs_target(tmp_path):
    path = write_csv(tmp_path / gsc_name("Top sites linking to this page"), HEADERS["target_linking_sites"],
                     [["gardenersforum.example", 4], ["hortweekly.co.uk", 2]])
    with pytest.raises(ExportError) as info:
        parse_file(path)
    assert "--target" in str(info.value)
    assert str(path) in str(info.value)

    parsed = parse_file(path, target=TARGET)
    assert parsed.kind == "target_linking_sites"
    assert parsed.target_url == TARGET
    assert [(r["site"], r["linking_pages"], r["target_pages"]) for r in rows(parsed)] == [
        ("gardenersforum.example", 4, None), ("hortweekly.co.uk", 2, None)]


def test_your_pages_linking_to_this_page_needs_target(tmp_path):
    path = write_csv(tmp_path / gsc_name("Your pages linking to this page"), HEADERS["internal_linking_pages"],
                     [[u] for u in OWN_PAGES])
    with pytest.raises(ExportError) as info:
        parse_file(path)
    assert "--target" in str(info.value)

    parsed = parse_file(path, target=TARGET)
    assert parsed.kind == "internal_linking_pages"
    assert parsed.target_url == TARGET
    assert [r["linking_url"] for r in rows(parsed)] == OWN_PAGES


def test_linking_page_only_file_of_own_pages_with_target_is_internal_drill_down(tmp_path):
    path = write_csv(tmp_path / "export.csv", ["Linking page"], [[u] for u in OWN_PAGES])
    parsed = parse_file(path, target=TARGET)
    assert parsed.kind == "internal_linking_pages"
    assert parsed.target_url == TARGET


def test_linking_page_only_file_of_own_pages_without_target_asks_for_it(tmp_path):
    path = write_csv(tmp_path / "export.csv", ["Linking page"], [[u] for u in OWN_PAGES])
    with pytest.raises(ExportError, match="--target"):
        parse_file(path)


def test_linking_page_only_file_of_external_pages_with_target_is_site_drill_down(tmp_path):
    path = write_csv(tmp_path / "export.csv", ["Linking page"], [[u] for u in EXTERNAL_PAGES])
    parsed = parse_file(path, target=TARGET)
    assert parsed.kind == "site_linking_pages"
    assert parsed.target_url == TARGET
    assert [r["linking_url"] for r in rows(parsed)] == EXTERNAL_PAGES


def test_linking_page_only_file_of_external_pages_without_target_is_sample_links(tmp_path):
    path = write_csv(tmp_path / "export.csv", ["Linking page"], [[u] for u in EXTERNAL_PAGES])
    parsed = parse_file(path)
    assert parsed.kind == "sample_links"
    assert parsed.target_url is None


def test_target_is_ignored_for_a_file_titled_more_sample_links(tmp_path):
    path = write_csv(tmp_path / gsc_name("More sample links"), ["Linking page"], [[u] for u in EXTERNAL_PAGES])
    parsed = parse_file(path, target=TARGET)
    assert parsed.kind == "sample_links"
    assert parsed.target_url is None
    assert any("--target ignored" in n for n in parsed.notes)


def test_shipped_sample_data_is_all_recognised():
    import json

    from gsc_backlinks.exports.thirdparty import parse_vendor_export, vendor_of

    folder = Path(urls.__file__).parent / "sample_data"
    targets = json.loads((folder / "drilldowns.json").read_text())
    tools = json.loads((folder / "thirdparty.json").read_text())
    collected = collect([folder])
    prop = urls.parse_property("https://www.fernhill-nursery.example/")
    kinds = sorted({parse_export(raw, prop, target=targets.get(raw.filename)).kind
                    for raw in collected.files if raw.filename not in tools})
    assert kinds == sorted(["sample_links", "latest_links", "top_target_pages", "internal_target_pages",
                            "top_linking_sites", "top_linking_text", "target_linking_sites", "site_linking_pages"])
    # The demo's Ahrefs exports (of the property and of two competitors) are read as Ahrefs exports, every row.
    vendor = [raw for raw in collected.files if raw.filename in tools]
    assert sorted(raw.filename for raw in vendor) == sorted(tools)
    for raw in vendor:
        assert vendor_of(raw).key == "ahrefs_backlinks"
        parsed = parse_vendor_export(raw, site=None if tools[raw.filename] else prop,
                                     competitor=tools[raw.filename] or None)
        assert parsed.rows == parsed.file_rows > 20 and parsed.skipped_rows == 0 and parsed.date_source == "file name"
    # The search performance, URL Inspection, link-check and rank samples are not exports.
    assert sorted(Path(p).name for p in collected.skipped) == ["cc-main-2026-demo-sample-domain-ranks.txt.gz",
                                                                "drilldowns.json", "inspections.json",
                                                                "link-checks.json", "search-performance.csv.gz",
                                                                "thirdparty.json"]


# --- file forms ----------------------------------------------------------------------------

LATEST = [[EXTERNAL_PAGES[0], "2026-05-17"], ["https://example.org/Flooring Supply", "2026-05-16"],
          ["https://example.org/iphoneのjavascript処理速度/", "2026-05-15"]]
LATEST_CANON = [
    (EXTERNAL_PAGES[0], dt.date(2026, 5, 17)),
    ("https://example.org/Flooring%20Supply", dt.date(2026, 5, 16)),
    ("https://example.org/iphone%E3%81%AEjavascript%E5%87%A6%E7%90%86%E9%80%9F%E5%BA%A6/", dt.date(2026, 5, 15)),
]


def latest_pairs(parsed):
    return [(r["linking_url"], r["last_crawled"]) for r in rows(parsed)]


@pytest.mark.parametrize(
    ("options", "note"),
    [
        pytest.param({}, None, id="utf-8"),
        pytest.param({"bom": True}, None, id="utf-8-bom"),
        pytest.param({"encoding": "utf-16-le", "bom": True}, "read as utf-16-le", id="utf-16-le-bom"),
        pytest.param({"encoding": "utf-16-be", "bom": True}, "read as utf-16-be", id="utf-16-be-bom"),
        pytest.param({"encoding": "utf-16-le"}, "read as utf-16-le", id="utf-16-le-no-bom"),
        pytest.param({"encoding": "utf-16-be"}, "read as utf-16-be", id="utf-16-be-no-bom"),
        pytest.param({"delimiter": ";"}, None, id="semicolon"),
        pytest.param({"delimiter": "\t"}, None, id="tab"),
        pytest.param({"line_end": "\r\n"}, None, id="crlf"),
        pytest.param({"line_end": "\r\n", "bom": True, "encoding": "utf-16-le"}, "read as utf-16-le",
                     id="utf-16-crlf"),
        pytest.param({"quoting": csv.QUOTE_ALL}, None, id="all-quoted"),
    ],
)
def test_csv_forms_give_the_same_rows(tmp_path, options, note):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], LATEST, **options)
    parsed = parse_file(path)
    assert parsed.kind == "latest_links"
    assert latest_pairs(parsed) == LATEST_CANON
    if note:
        assert note in parsed.notes
    else:
        assert not any(n.startswith("read as") for n in parsed.notes)


def test_quoted_fields_with_commas_and_quotes(tmp_path):
    path = write_csv(tmp_path / gsc_name("Top linking text"), HEADERS["top_linking_text"],
                     [[1, 'roses, tulips and "bulbs"'], [2, "multi\nline"]])
    parsed = parse_file(path)
    assert [r["anchor_text"] for r in rows(parsed)] == ['roses, tulips and "bulbs"', "multi\nline"]


def test_quoted_url_with_comma_in_one_column_file(tmp_path):
    path = write_csv(tmp_path / gsc_name("More sample links"), HEADERS["sample_links"],
                     [["https://example.org/a,b"], [EXTERNAL_PAGES[0]]])
    parsed = parse_file(path)
    assert [r["linking_url"] for r in rows(parsed)] == ["https://example.org/a,b", EXTERNAL_PAGES[0]]


def test_google_sheets_csv_with_grouped_counts(tmp_path):
    # Sheets writes no BOM, quotes "1,234" and ends lines with CRLF.
    data = (b"Target page,Incoming links,Linking sites\r\n"
            b"https://www.example.com/,\"1,234\",56\r\n"
            b"https://www.example.com/roses/,\"12,000\",\"1,001\"\r\n")
    path = write_bytes(tmp_path / "Links - Top target pages.csv", data)
    parsed = parse_file(path)
    assert parsed.kind == "top_target_pages"
    assert [(r["target_url"], r["incoming_links"], r["linking_sites"]) for r in rows(parsed)] == [
        ("https://www.example.com/", 1234, 56), ("https://www.example.com/roses/", 12000, 1001)]


def test_cp1252_file_saved_by_a_spreadsheet(tmp_path):
    text = "Site;Linking pages;Target pages\r\ncafé-crème.example;3;1\r\nexample.org;2;1\r\n"
    path = write_bytes(tmp_path / gsc_name("Top linking sites"), text.encode("cp1252"))
    parsed = parse_file(path)
    assert parsed.kind == "top_linking_sites"
    assert "read as cp1252" in parsed.notes
    assert [r["site"] for r in rows(parsed)] == ["café-crème.example", "example.org"]
    assert rows(parsed)[0]["linking_domain"] == "xn--caf-crme-60ag.example"


def test_cp1252_linking_page_is_stored_as_utf8_escapes(tmp_path):
    path = write_bytes(tmp_path / gsc_name("More sample links"),
                       "Linking page\nhttps://example.org/café\n".encode("cp1252"))
    parsed = parse_file(path)
    assert [r["linking_url"] for r in rows(parsed)] == ["https://example.org/caf%C3%A9"]


def test_leading_blank_lines_and_trailing_blank_lines(tmp_path):
    data = b"\r\n\r\nLinking page,Last crawled\r\n" + f"{EXTERNAL_PAGES[0]},2026-05-17\r\n\r\n".encode()
    path = write_bytes(tmp_path / gsc_name("Latest links"), data)
    parsed = parse_file(path)
    assert latest_pairs(parsed) == [(EXTERNAL_PAGES[0], dt.date(2026, 5, 17))]


def test_xlsx_export(tmp_path):
    path = write_xlsx(tmp_path / gsc_name("Latest links", ext="xlsx"), HEADERS["latest_links"],
                      [[EXTERNAL_PAGES[0], dt.datetime(2026, 5, 17)], [EXTERNAL_PAGES[1], "2026-05-16"]])
    parsed = parse_file(path)
    assert parsed.kind == "latest_links"
    assert parsed.snapshot_date == dt.date(2026, 5, 18)
    assert latest_pairs(parsed) == [(EXTERNAL_PAGES[0], dt.date(2026, 5, 17)),
                                    (EXTERNAL_PAGES[1], dt.date(2026, 5, 16))]


def test_xlsx_counts_are_integers(tmp_path):
    path = write_xlsx(tmp_path / gsc_name("Top target pages", ext="xlsx"), HEADERS["top_target_pages"],
                      [["https://www.example.com/", 1234, 12], ["https://www.example.com/a", 7.0, 1]])
    parsed = parse_file(path)
    assert [(r["incoming_links"], r["linking_sites"]) for r in rows(parsed)] == [(1234, 12), (7, 1)]


def test_xlsx_with_export_in_second_sheet(tmp_path):
    path = write_xlsx(tmp_path / "links.xlsx", sheets=[
        ("Notes", [["Exported from Search Console"], ["by the SEO team"]]),
        ("Table", [HEADERS["top_linking_sites"], ["gardenersforum.example", 45, 15]]),
    ])
    parsed = parse_file(path)
    assert parsed.kind == "top_linking_sites"
    assert [(r["site"], r["linking_pages"], r["target_pages"]) for r in rows(parsed)] == [
        ("gardenersforum.example", 45, 15)]


def test_xlsx_without_a_known_header_is_unknown(tmp_path):
    path = write_xlsx(tmp_path / "budget.xlsx", ["Month", "Spend"], [["May", 10]])
    with pytest.raises(UnknownExportError) as info:
        parse_file(path)
    assert "'Month'" in str(info.value)


def test_zip_with_several_exports_ignores_macos_metadata(tmp_path):
    members = {
        gsc_name("Latest links"): csv_bytes(HEADERS["latest_links"], LATEST),
        gsc_name("Top linking sites"): csv_bytes(HEADERS["top_linking_sites"], [["example.org", 3, 1]]),
        "sub/" + gsc_name("Top target pages", ext="xlsx"): xlsx_bytes(
            HEADERS["top_target_pages"], [["https://www.example.com/", 3, 2]]),
        "__MACOSX/._" + gsc_name("Latest links"): b"\x00\x05\x16\x07junk",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "README.md": b"not an export",
    }
    zpath = write_zip(tmp_path / "links-export.zip", members)
    collected = collect([zpath])
    assert [f.filename for f in collected.files] == [
        gsc_name("Latest links"), gsc_name("Top linking sites"), gsc_name("Top target pages", ext="xlsx")]
    assert all(f.display.startswith(str(zpath) + ":") for f in collected.files)
    kinds = [parse_export(f, PROP).kind for f in collected.files]
    assert kinds == ["latest_links", "top_linking_sites", "top_target_pages"]


def test_zip_named_like_an_export_gives_its_date(tmp_path):
    zpath = write_zip(tmp_path / gsc_name("Latest links", "2026-03-04", ext="zip"),
                      {"table.csv": csv_bytes(HEADERS["latest_links"], LATEST)})
    parsed = parse_file(zpath)
    assert parsed.kind == "latest_links"
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2026, 3, 4), "file name")


def test_folder_is_walked_recursively(tmp_path):
    folder = tmp_path / "downloads"
    write_csv(folder / gsc_name("Latest links"), HEADERS["latest_links"], LATEST)
    write_csv(folder / "may" / gsc_name("Top linking text"), HEADERS["top_linking_text"], [[1, "roses"]])
    write_csv(folder / "may" / "deep" / gsc_name("Top linking sites"), HEADERS["top_linking_sites"],
              [["example.org", 1, 1]])
    write_csv(folder / ".hidden.csv", HEADERS["latest_links"], LATEST)
    write_csv(folder / ".git" / "x.csv", HEADERS["latest_links"], LATEST)
    write_bytes(folder / "notes.pdf", b"%PDF-1.4")
    write_bytes(folder / "may" / "screenshot.png", b"\x89PNG")
    collected = collect([folder])
    assert sorted(f.filename for f in collected.files) == sorted(
        [gsc_name("Latest links"), gsc_name("Top linking text"), gsc_name("Top linking sites")])
    assert sorted(collected.skipped) == sorted([str(folder / "notes.pdf"), str(folder / "may" / "screenshot.png")])
    assert sorted(parse_export(f, PROP).kind for f in collected.files) == [
        "latest_links", "top_linking_sites", "top_linking_text"]


def test_folder_without_exports_is_an_error(tmp_path):
    write_bytes(tmp_path / "notes.pdf", b"%PDF-1.4")
    with pytest.raises(ExportError, match="no CSV"):
        collect([tmp_path])


# --- snapshot date ---------------------------------------------------------------------------

NOON_2025_03_04 = dt.datetime(2025, 3, 4, 12, 0)


def test_date_option_wins(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links", "2026-05-18", copy=2), HEADERS["latest_links"], LATEST,
                     mtime=NOON_2025_03_04)
    parsed = parse_file(path, date_option=dt.date(2024, 1, 31))
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2024, 1, 31), "--date")


def test_date_from_file_name_with_copy_suffix(tmp_path):
    path = write_csv(tmp_path / "https___www.example.com_-Latest links-2026-05-18 (2).csv",
                     HEADERS["latest_links"], LATEST, mtime=NOON_2025_03_04)
    parsed = parse_file(path)
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2026, 5, 18), "file name")


def test_date_from_file_time_when_name_has_none(tmp_path):
    path = write_csv(tmp_path / "latest.csv", HEADERS["latest_links"], LATEST, mtime=NOON_2025_03_04)
    parsed = parse_file(path)
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2025, 3, 4), "file time")


def test_impossible_date_in_file_name_falls_back_to_file_time(tmp_path):
    path = write_csv(tmp_path / "latest-2026-02-30.csv", HEADERS["latest_links"], LATEST)
    set_mtime(path, NOON_2025_03_04)
    parsed = parse_file(path)
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2025, 3, 4), "file time")


# --- languages and unknown headers ---------------------------------------------------------------


def test_german_top_target_pages_semicolon(tmp_path):
    data = ("Zielseite;Eingehende Links;Verweisende Websites\r\n"
            "https://www.example.com/rosen/;1.234;56\r\n"
            "https://www.example.com/;12;3\r\n").encode("utf-8-sig")
    path = write_bytes(tmp_path / gsc_name("Top target pages"), data)
    parsed = parse_file(path)
    assert parsed.kind == "top_target_pages"
    assert parsed.language == "de"
    assert "headers in language 'de'" in parsed.notes
    assert [(r["target_url"], r["incoming_links"], r["linking_sites"]) for r in rows(parsed)] == [
        ("https://www.example.com/rosen/", 1234, 56), ("https://www.example.com/", 12, 3)]


@pytest.mark.parametrize(
    "header",
    [["サイト", "リンク元ページ数", "ターゲット ページ数"], ["サイト", "リンク元ページ", "ターゲットページ数"]],
)
def test_japanese_top_linking_sites(tmp_path, header):
    path = write_csv(tmp_path / "上位のリンク元サイト.csv", header, [["example.jp", 12, 3], ["blog.example.co.jp", 4, 1]])
    parsed = parse_file(path)
    assert parsed.kind == "top_linking_sites"
    assert parsed.language == "ja"
    assert [(r["site"], r["linking_domain"], r["linking_pages"], r["target_pages"]) for r in rows(parsed)] == [
        ("example.jp", "example.jp", 12, 3), ("blog.example.co.jp", "example.co.jp", 4, 1)]


def test_header_matching_ignores_case_spaces_and_bom(tmp_path):
    data = "\ufeff  LINKING PAGE ,  last crawled\n".encode() + f"{EXTERNAL_PAGES[0]},2026-05-17\n".encode()
    path = write_bytes(tmp_path / gsc_name("Latest links"), data)
    assert parse_file(path).kind == "latest_links"


def test_unknown_header_names_the_header_and_asks_for_it(tmp_path):
    path = write_csv(tmp_path / "report.csv", ["Seite verlinkt von", "Datum"], [["https://x.org/", "1.1.2026"]])
    with pytest.raises(UnknownExportError) as info:
        parse_file(path)
    message = str(info.value)
    assert message == (f"{path}: header ['Seite verlinkt von', 'Datum'] is not a Links export header this version "
                       "knows; if it is a Links export in another UI language, please send us its header row so "
                       "that a later version reads it")
    # Words for users: nothing tells them to edit the installed package.
    assert "HEADER_ALIASES" not in message and "kinds.py" not in message


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("1234", 1234), ("1,234", 1234), ("1.234", 1234), ("1 234", 1234), ("1\u00a0234", 1234),
     ("1,234,567", 1234567), ("12.0", 12), (" 7 ", 7), ("0", 0)],
)
def test_counts_parsed_defensively(tmp_path, text, value):
    path = write_csv(tmp_path / gsc_name("Top target pages"), HEADERS["top_target_pages"],
                     [["https://www.example.com/", text, "1"]])
    parsed = parse_file(path)
    assert rows(parsed)[0]["incoming_links"] == value


@pytest.mark.parametrize("text", ["12.5", "lots", "-3", "1,23"])
def test_bad_count_names_row_and_column(tmp_path, text):
    path = write_csv(tmp_path / gsc_name("Top target pages"), HEADERS["top_target_pages"],
                     [["https://www.example.com/", "1", "1"], ["https://www.example.com/a", text, "1"]])
    with pytest.raises(ExportError) as info:
        parse_file(path)
    message = str(info.value)
    assert "row 3" in message and "Incoming links" in message and repr(text) in message


def test_bad_date_names_row(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"],
                     [[EXTERNAL_PAGES[0], "2026-05-17"], [EXTERNAL_PAGES[1], "yesterday"]])
    with pytest.raises(ExportError, match=r"row 3: 'yesterday' in column 'Last crawled' is not a date"):
        parse_file(path)


def test_bad_date_with_spaces_names_row(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"],
                     [[EXTERNAL_PAGES[0], "2026-05-17"], [EXTERNAL_PAGES[1], " 2026-13-01 "]])
    with pytest.raises(ExportError, match=r"row 3"):
        parse_file(path)


def test_dates_with_spaces_are_read(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"],
                     [[EXTERNAL_PAGES[0], " 2026-05-17 "]])
    assert latest_pairs(parse_file(path)) == [(EXTERNAL_PAGES[0], dt.date(2026, 5, 17))]


# --- storing: normalized URLs, duplicates, all-or-nothing ---------------------------------------


def test_stored_linking_pages_are_canonical(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], [
        ["https://blog.foo.co.uk/Flooring Supply", "2026-05-17"],
        ["https://qiita.example/iphoneのjavascript処理速度/", "2026-05-16"],
        ["HTTPS://WWW.Example.ORG:443/a/./b#frag", "2026-05-15"],
        ["javascript:alert(1)", "2026-05-14"],
    ])
    store = tmp_path / "store.duckdb"
    report = import_paths([str(path)], SITE, store)
    assert [r.rows for r in report.results] == [4]
    assert report.results[0].notes == ("1 rows are not http(s) URLs (kept as text)",)
    got = stored(store, "SELECT linking_url, linking_domain, last_crawled FROM linking_pages "
                        "ORDER BY last_crawled DESC")
    assert got == [
        ("https://blog.foo.co.uk/Flooring%20Supply", "foo.co.uk", dt.date(2026, 5, 17)),
        ("https://qiita.example/iphone%E3%81%AEjavascript%E5%87%A6%E7%90%86%E9%80%9F%E5%BA%A6/",
         "qiita.example", dt.date(2026, 5, 16)),
        ("https://www.example.org/a/b", "example.org", dt.date(2026, 5, 15)),
        ("javascript:alert(1)", None, dt.date(2026, 5, 14)),
    ]


def test_rows_that_collide_after_normalization_are_merged(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], [
        ["https://example.org/a b", "2026-05-10"],
        ["https://example.org/a%20b", "2026-05-17"],
        ["HTTPS://EXAMPLE.ORG/a%20b#x", "2026-05-01"],
    ])
    store = tmp_path / "store.duckdb"
    report = import_paths([str(path)], SITE, store)
    assert report.results[0].rows == 1
    assert report.results[0].file_rows == 3
    assert report.results[0].notes == (
        "2 rows repeat the linking page of another row (the same URL once canonical); merged",)
    assert stored(store, "SELECT linking_url, last_crawled FROM linking_pages") == [
        ("https://example.org/a%20b", dt.date(2026, 5, 17))]


def test_repeats_in_a_file_in_url_order_are_merged_without_the_store(tmp_path):
    # Search Console's own order (by URL, byte order here): the reader merges the repeats itself.
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], [
        ["HTTPS://EXAMPLE.ORG/a%20b#x", "2026-05-01"],
        ["https://example.org/a b", "2026-05-10"],
        ["https://example.org/a%20b", "2026-05-17"],
        ["https://example.org/c", ""],
    ])
    parsed = parse_file(path)
    assert parsed.one_row_per_url
    assert parsed.notes == [
        "2 rows repeat the linking page of another row (the same URL once canonical); merged"]
    assert sorted(rows(parsed), key=lambda r: r["linking_url"]) == [
        {"linking_url": "https://example.org/a%20b", "linking_domain": "example.org",
         "last_crawled": dt.date(2026, 5, 17)},
        {"linking_url": "https://example.org/c", "linking_domain": "example.org", "last_crawled": None},
    ]


def test_many_repeats_are_left_to_the_store_to_merge(tmp_path, monkeypatch):
    from gsc_backlinks.exports import reader

    monkeypatch.setattr(reader, "MERGE_IN_PYTHON_MAX", 1)
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], [
        ["HTTPS://EXAMPLE.ORG/a%20b#x", "2026-05-01"],
        ["https://example.org/a b", "2026-05-10"],
    ])
    assert not parse_file(path).one_row_per_url
    store = tmp_path / "store.duckdb"
    import_paths([str(path)], SITE, store)
    assert stored(store, "SELECT linking_url, last_crawled FROM linking_pages") == [
        ("https://example.org/a%20b", dt.date(2026, 5, 10))]


@pytest.mark.parametrize("empties", [3, 1500])  # a few rows are cut out by slices, many by a filter
def test_empty_rows_are_left_out_and_the_rest_kept_in_place(tmp_path, empties):
    pages = [f"https://site{i:04d}.example/page" for i in range(300)]
    cells = [[" "]] * empties + [[u] for u in pages[:150]] + [[""]] + [[u] for u in pages[150:]]
    parsed = parse_file(write_csv(tmp_path / gsc_name("More sample links"), HEADERS["sample_links"], cells))
    assert [r["linking_url"] for r in rows(parsed)] == pages
    assert f"{empties + 1} empty rows left out" in parsed.notes


URL_POOL = [  # most are one page written six ways, so repeats are common
    "https://example.org/a b", "https://example.org/a%20b", "HTTPS://EXAMPLE.ORG/a%20b",
    "https://example.org/a%20b#top", "https://example.org:443/a%20b", "https://example.org/a%20b#",
    "https://bücher.example/é", "https://xn--bcher-kva.example/%C3%A9", "javascript:alert(1)", "",
]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(URL_POOL), st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 4))),
                min_size=1, max_size=10), st.booleans())
def test_stored_pages_are_one_per_canonical_url_with_the_latest_crawl(pairs, in_url_order):
    # Whether the reader merges (file in URL order) or the store does (any other order),
    # the stored rows are the same: one per canonical URL, the latest crawl date kept.
    if in_url_order:
        pairs = sorted(dict(pairs).items())  # strictly increasing, as Search Console writes them
    expected: dict[str, dt.date | None] = {}
    for url, crawled in pairs:
        canon = urls.canonical_url(url)
        if canon:
            held = expected.get(canon)
            expected[canon] = max((d for d in (held, crawled) if d), default=None)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / gsc_name("Latest links"), HEADERS["latest_links"],
                         [[url, crawled.isoformat() if crawled else ""] for url, crawled in pairs])
        store = Path(tmp) / "store.duckdb"
        try:
            import_paths([str(path)], SITE, store)
        except ExportError:  # every row empty
            assert not expected
            return
        assert dict(stored(store, "SELECT linking_url, last_crawled FROM linking_pages")) == expected
        assert stored(store, "SELECT count(*) FROM linking_pages") == [(len(expected),)]


def test_snapshot_records_kind_date_language_and_target(tmp_path):
    a = write_csv(tmp_path / gsc_name("Top sites linking to this page"), HEADERS["target_linking_sites"],
                  [["example.org", 2]])
    b = write_bytes(tmp_path / gsc_name("Top target pages", "2026-05-19"),
                    b"Zielseite;Eingehende Links;Verweisende Websites\nhttps://www.example.com/;5;2\n")
    store = tmp_path / "store.duckdb"
    import_paths([str(a), str(b)], SITE, store, target="www.example.com/roses/")
    assert stored(store, "SELECT property, kind, snapshot_date, date_source, target_url, language, row_count "
                         "FROM snapshots ORDER BY snapshot_id") == [
        (SITE, "target_linking_sites", dt.date(2026, 5, 18), "file name", TARGET, "en", 1),
        (SITE, "top_target_pages", dt.date(2026, 5, 19), "file name", None, "de", 1),
    ]


def test_import_twice_is_a_duplicate(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"], LATEST)
    store = tmp_path / "store.duckdb"
    first = import_paths([str(path)], SITE, store)
    assert first.results[0].duplicate_of is None
    assert first.results[0].rows == 3
    before = stored(store, "SELECT (SELECT count(*) FROM snapshots), (SELECT count(*) FROM linking_pages)")

    copy = write_bytes(tmp_path / "again" / gsc_name("Latest links", copy=1), path.read_bytes())
    second = import_paths([str(path), str(copy)], SITE, store)
    for result in second.results:
        assert result.duplicate_of == (first.results[0].snapshot_id, dt.date(2026, 5, 18), str(path))
        assert result.rows == 0
    assert stored(store, "SELECT (SELECT count(*) FROM snapshots), (SELECT count(*) FROM linking_pages)") == before


def test_a_file_held_already_is_not_parsed_again(tmp_path, monkeypatch):
    # A cron job that imports the whole Downloads folder every day reads only the new exports.
    from gsc_backlinks.jobs import importing

    old = write_csv(tmp_path / "in" / gsc_name("Latest links"), HEADERS["latest_links"], LATEST)
    store = tmp_path / "store.duckdb"
    first = import_paths([str(old)], SITE, store)
    new = write_csv(tmp_path / "in" / gsc_name("Top target pages"), HEADERS["top_target_pages"],
                    [["https://www.example.com/", "5", "2"]])
    parsed = []
    real = importing.parse_export
    monkeypatch.setattr(importing, "parse_export", lambda raw, *a, **k: parsed.append(raw.filename) or real(raw, *a, **k))

    second = import_paths([str(tmp_path / "in")], SITE, store)

    assert parsed == [new.name]
    by_file = {Path(r.source).name: r for r in second.results}
    assert by_file[old.name].duplicate_of == (first.results[0].snapshot_id, dt.date(2026, 5, 18), str(old))
    assert by_file[old.name].kind == "latest_links" and by_file[old.name].rows == 0
    assert by_file[new.name].duplicate_of is None and by_file[new.name].rows == 1
    assert [Path(r.source).name for r in second.results] == sorted([old.name, new.name])  # the folder's order


def test_second_file_bad_stores_nothing(tmp_path):
    good = write_csv(tmp_path / "in" / gsc_name("Latest links"), HEADERS["latest_links"], LATEST)
    bad = write_csv(tmp_path / "in" / gsc_name("Top target pages"), HEADERS["top_target_pages"],
                    [["https://www.example.com/", "many", "1"]])
    store = tmp_path / "store.duckdb"
    with pytest.raises(ExportError):
        import_paths([str(good), str(bad)], SITE, store)
    assert not store.exists()

    # with an existing store: unchanged
    other = write_csv(tmp_path / gsc_name("Top linking text"), HEADERS["top_linking_text"], [[1, "roses"]])
    import_paths([str(other)], SITE, store)
    before = stored(store, "SELECT snapshot_id, kind FROM snapshots")
    with pytest.raises(ExportError):
        import_paths([str(tmp_path / "in")], SITE, store)
    assert stored(store, "SELECT snapshot_id, kind FROM snapshots") == before
    assert stored(store, "SELECT count(*) FROM linking_pages") == [(0,)]


def test_unknown_file_stops_the_import_unless_skipped(tmp_path):
    folder = tmp_path / "in"
    write_csv(folder / gsc_name("Latest links"), HEADERS["latest_links"], LATEST)
    write_csv(folder / "budget.csv", ["Month", "Spend"], [["May", "10"]])
    store = tmp_path / "store.duckdb"
    with pytest.raises(UnknownExportError):
        import_paths([str(folder)], SITE, store)
    assert not store.exists()
    report = import_paths([str(folder)], SITE, store, skip_unknown=True)
    assert [r.kind for r in report.results] == ["latest_links"]
    assert len(report.unknown) == 1 and "budget.csv" in report.unknown[0]


# --- files from another property ----------------------------------------------------------------


def test_file_name_of_another_property_is_refused(tmp_path):
    path = write_csv(tmp_path / "https___other.com_-Latest links-2026-05-18.csv", HEADERS["latest_links"], LATEST)
    with pytest.raises(ExportError) as info:
        parse_file(path)
    message = str(info.value)
    assert "https___other.com_" in message and SITE in message


def test_file_name_of_the_property_with_user_prefix_is_accepted(tmp_path):
    path = write_csv(tmp_path / "gsc_example.com-Latest links-2026-05-17.csv", HEADERS["latest_links"], LATEST)
    parsed = parse_file(path, prop=urls.parse_property("sc-domain:example.com"))
    assert parsed.kind == "latest_links"


def test_file_name_of_a_domain_that_only_ends_like_the_property_is_refused(tmp_path):
    path = write_csv(tmp_path / "notexample.com-Latest links-2026-05-18.csv", HEADERS["latest_links"], LATEST)
    with pytest.raises(ExportError):
        parse_file(path, prop=urls.parse_property("sc-domain:example.com"))


def test_top_target_pages_outside_property_is_refused(tmp_path):
    path = write_csv(tmp_path / "targets.csv", HEADERS["top_target_pages"],
                     [["https://other.com/", 10, 2], ["https://other.com/a", 3, 1]])
    with pytest.raises(ExportError) as info:
        parse_file(path)
    message = str(info.value)
    assert "--site" in message and "https://other.com/" in message


def test_a_few_target_pages_outside_property_are_noted(tmp_path):
    path = write_csv(tmp_path / "targets.csv", HEADERS["top_target_pages"],
                     [["https://www.example.com/", 10, 2], ["https://www.example.com/a", 3, 1],
                      ["http://www.example.com/old", 1, 1]])
    parsed = parse_file(path)
    assert parsed.file_rows == 3
    assert any("1 target pages are outside" in n for n in parsed.notes)


# --- what real exports do (issue 15) ----------------------------------------------------------------
# Real exports end without a newline, so every fixture below is written that way (final_newline=False).

EMPTY_EXPORTS = [  # (kind, header, file title, --target, what the note says Google lists none of)
    ("sample_links", HEADERS["sample_links"], "More sample links", None, "sample links"),
    ("latest_links", HEADERS["latest_links"], "Latest links", None, "latest links"),
    ("top_target_pages", HEADERS["top_target_pages"], "Top target pages", None, "pages with links from other sites"),
    ("internal_target_pages", HEADERS["internal_target_pages"], "Top target pages", None, "pages with internal links"),
    ("top_linking_sites", HEADERS["top_linking_sites"], "Top linking sites", None, "linking sites"),
    ("top_linking_text", HEADERS["top_linking_text"], "Top linking text", None, "link texts"),
    ("target_linking_sites", HEADERS["target_linking_sites"], "Top sites linking to this page", TARGET,
     f"sites linking to {TARGET}"),
    ("target_linking_sites", HEADERS_SITE_LINKS, "Top sites linking to this page", TARGET,
     f"sites linking to {TARGET}"),
    ("internal_linking_pages", HEADERS["internal_linking_pages"], "Your pages linking to this page", TARGET,
     f"pages of yours linking to {TARGET}"),
    ("site_linking_pages", ["Linking page"], None, TARGET, f"pages of that site linking to {TARGET}"),
]


@pytest.mark.parametrize(("kind", "header", "title", "target", "items"), EMPTY_EXPORTS,
                         ids=[f"{e[0]}-{','.join(e[1])}" for e in EMPTY_EXPORTS])
def test_an_empty_export_is_an_empty_snapshot(tmp_path, kind, header, title, target, items):
    # Search Console writes an empty table as its header alone, with no newline: "none on that date".
    name = gsc_name(title) if title else "export-2026-05-18.csv"
    path = write_csv(tmp_path / name, header, [], final_newline=False)
    assert path.read_bytes() == ",".join(header).encode()
    store = tmp_path / "store.duckdb"
    report = import_paths([str(path)], SITE, store, target=target)
    [result] = report.results
    assert (result.kind, result.rows, result.file_rows, result.snapshot_date) == (kind, 0, 0, dt.date(2026, 5, 18))
    assert result.notes == (f"Google lists no {items} on 2026-05-18 (an empty export: kept as a snapshot with 0 rows)",)
    table = KINDS[kind].table
    assert stored(store, "SELECT kind, row_count, target_url FROM snapshots") == [(kind, 0, target)]
    assert stored(store, f"SELECT count(*) FROM {table}") == [(0,)]


@pytest.mark.parametrize("tail", [b"\n", b"\r\n", b"\r\n\r\n  \n"])
def test_an_empty_export_with_line_ends_after_its_header_is_empty_too(tmp_path, tail):
    path = write_bytes(tmp_path / gsc_name("Latest links"), b"Linking page,Last crawled" + tail)
    parsed = parse_file(path)
    assert (parsed.kind, parsed.file_rows, parsed.table.num_rows) == ("latest_links", 0, 0)
    assert parsed.table.schema.names == ["linking_url", "linking_domain", "last_crawled"]


def test_an_empty_xlsx_export_is_an_empty_snapshot(tmp_path):
    path = write_xlsx(tmp_path / gsc_name("Top linking sites", ext="xlsx"), HEADERS["top_linking_sites"], [])
    parsed = parse_file(path)
    assert (parsed.kind, parsed.file_rows) == ("top_linking_sites", 0)
    assert parsed.notes == ["Google lists no linking sites on 2026-05-18 (an empty export: kept as a snapshot "
                            "with 0 rows)"]


def test_an_empty_export_after_a_full_one_is_the_newest_snapshot(tmp_path):
    # A property that had linking pages and now has none must see 0, not the old rows.
    store = tmp_path / "store.duckdb"
    full = write_csv(tmp_path / gsc_name("Latest links", "2026-05-11"), HEADERS["latest_links"], LATEST,
                     final_newline=False)
    empty = write_csv(tmp_path / gsc_name("Latest links", "2026-05-18"), HEADERS["latest_links"], [],
                      final_newline=False)
    import_paths([str(full), str(empty)], SITE, store)
    assert stored(store, "SELECT snapshot_date, row_count FROM snapshots ORDER BY snapshot_date") == [
        (dt.date(2026, 5, 11), 3), (dt.date(2026, 5, 18), 0)]


def test_rows_without_a_final_newline_are_all_read(tmp_path):
    for line_end in ("\n", "\r\n"):  # 2022-2026 files use LF, 2020 files CRLF
        path = write_csv(tmp_path / line_end.encode().hex() / gsc_name("Latest links"), HEADERS["latest_links"],
                         LATEST, line_end=line_end, final_newline=False)
        assert not path.read_bytes().endswith(b"\n")
        assert latest_pairs(parse_file(path)) == LATEST_CANON


ITALIAN_LATEST = [
    ["https://www.giardinaggio.example/rose/", "2026-05-17"],
    ["https://forum.orto.example/r.php?u=https%3A%2F%2Fwww.example.com%2F", "1970-01-01"],
    ["https://blog.verde.example/siepi/", "2026-04-30"],
    ["https://www.vivai.example/go.cgi?id=7", "1970-01-01"],
]


def test_italian_latest_links_as_a_real_file_names_them(tmp_path):
    # Italian UI: Italian headers under an English title; a never-crawled redirect script says 1970-01-01.
    path = write_csv(tmp_path / "gsc-202605-Latest links.csv", ["Pagina con link", "Ultima scansione"],
                     ITALIAN_LATEST, final_newline=False)
    parsed = parse_file(path)
    assert (parsed.kind, parsed.language) == ("latest_links", "it")
    assert [r["last_crawled"] for r in rows(parsed)] == [dt.date(2026, 5, 17), None, dt.date(2026, 4, 30), None]
    assert parsed.notes == [
        "headers in language 'it'",
        "2 linking pages have Last crawled 1970-01-01 (Search Console's word for never crawled): stored as unknown",
    ]


def test_never_crawled_is_stored_as_unknown(tmp_path):
    path = write_csv(tmp_path / gsc_name("Latest links"), HEADERS["latest_links"],
                     [[EXTERNAL_PAGES[0], "1970-01-01"], [EXTERNAL_PAGES[1], "2026-05-17"]], final_newline=False)
    store = tmp_path / "store.duckdb"
    report = import_paths([str(path)], SITE, store)
    assert report.results[0].notes == (
        "1 linking page has Last crawled 1970-01-01 (Search Console's word for never crawled): stored as unknown",)
    assert stored(store, "SELECT linking_url, last_crawled FROM linking_pages ORDER BY 1") == [
        (EXTERNAL_PAGES[1], dt.date(2026, 5, 17)), (EXTERNAL_PAGES[0], None)]


def test_french_internal_top_target_pages(tmp_path):
    path = write_csv(tmp_path / "sprayfilm.fr-Top target pages-2025-05-21 (1).csv", ["Page cible", "Liens internes"],
                     [["https://sprayfilm.fr/", 40000], ["https://sprayfilm.fr/contact/", 212]], final_newline=False)
    parsed = parse_file(path, prop=urls.parse_property("sc-domain:sprayfilm.fr"))
    assert (parsed.kind, parsed.language) == ("internal_target_pages", "fr")
    assert [(r["target_url"], r["internal_links"]) for r in rows(parsed)] == [
        ("https://sprayfilm.fr/", 40000), ("https://sprayfilm.fr/contact/", 212)]


@pytest.mark.parametrize(("header", "language"), [
    (["Site", "Liens"], "fr"),  # a real French file
    (["Site", "Links"], "en"),  # what the English UI writes by the same evidence
    (["Site", "Linking pages"], "en"),  # what this tool read before; kept
    (["Website", "Links"], "de"),
    (["Sito", "Link"], "it"),
])
def test_top_sites_linking_to_this_page_counts_links(tmp_path, header, language):
    path = write_csv(tmp_path / "sprayfilm.fr-Top sites linking to this page-2025-05-21.csv", header,
                     [["blogspot.com", 1], ["lemonde.fr", 3]], final_newline=False)
    parsed = parse_file(path, prop=urls.parse_property("sc-domain:sprayfilm.fr"), target="https://sprayfilm.fr/")
    assert (parsed.kind, parsed.language, parsed.target_url) == ("target_linking_sites", language, "https://sprayfilm.fr/")
    assert [(r["site"], r["linking_domain"], r["linking_pages"]) for r in rows(parsed)] == [
        ("blogspot.com", "blogspot.com", 1), ("lemonde.fr", "lemonde.fr", 3)]


def test_bad_count_in_a_links_column_names_it(tmp_path):
    path = write_csv(tmp_path / "drill.csv", ["Site", "Links"], [["lemonde.fr", "many"]], final_newline=False)
    with pytest.raises(ExportError, match=r"row 2: 'many' in column 'Links' is not a count"):
        parse_file(path, target=TARGET)


def test_html_escaped_header_is_matched(tmp_path):
    # As one app's fixture copies a French Top target pages file: `Sites d&#39;origine`.
    path = write_csv(tmp_path / gsc_name("Top target pages"), ["Page cible", "Liens entrants", "Sites d&#39;origine"],
                     [["https://www.example.com/", 15, 3]], final_newline=False)
    parsed = parse_file(path)
    assert (parsed.kind, parsed.language) == ("top_target_pages", "fr")
    assert [(r["incoming_links"], r["linking_sites"]) for r in rows(parsed)] == [(15, 3)]


def test_html_escaped_names_in_a_zip_are_unescaped_for_matching(tmp_path):
    members = {"Mario&#39;s links-2026-05-21 - Sheet1.csv":
               csv_bytes(["Pagina con link", "Ultima scansione"], ITALIAN_LATEST[:1], final_newline=False)}
    zpath = write_zip(tmp_path / "download.zip", members)
    [raw] = collect([zpath]).files
    assert raw.filename == "Mario's links-2026-05-21 - Sheet1.csv"
    assert raw.display == f"{zpath}:Mario&#39;s links-2026-05-21 - Sheet1.csv"  # the member as the zip names it
    parsed = parse_export(raw, PROP)
    assert (parsed.kind, parsed.snapshot_date, parsed.date_source) == ("latest_links", dt.date(2026, 5, 21), "file name")


def test_html_escaped_title_in_a_file_name_tells_the_kind(tmp_path):
    path = write_csv(tmp_path / "https___www.example.com_-Your pages linking to this page-2026-05-18&#32;(1).csv",
                     ["Linking page"], [[u] for u in EXTERNAL_PAGES], final_newline=False)
    with pytest.raises(ExportError, match="is a 'Your pages linking to this page' drill-down export"):
        parse_file(path)


@pytest.mark.parametrize("name", [
    "https___www.example.com_-Latest links-2026-05-18 - Sheet1.csv",
    "https___www.example.com_-Latest links-2026-05-18 - Tabella1.csv",
    "https___www.example.com_-Latest links-2026-05-18 - Sheet1 (1).csv",
])
def test_a_google_sheets_download_takes_date_and_property_from_its_title(tmp_path, name):
    path = write_csv(tmp_path / name, HEADERS["latest_links"], LATEST, line_end="\r\n", final_newline=False,
                     mtime=NOON_2025_03_04)
    parsed = parse_file(path)
    assert (parsed.kind, parsed.snapshot_date, parsed.date_source) == ("latest_links", dt.date(2026, 5, 18), "file name")


def test_a_google_sheets_download_of_another_propertys_export_is_refused(tmp_path):
    path = write_csv(tmp_path / "https___other.com_-Latest links-2026-05-18 - Sheet1.csv", HEADERS["latest_links"],
                     LATEST, final_newline=False)
    with pytest.raises(ExportError, match="exported from property 'https___other.com_'"):
        parse_file(path)


def test_a_google_sheets_download_without_a_date_takes_the_file_time(tmp_path):
    path = write_csv(tmp_path / "My links - Sheet1.csv", HEADERS["latest_links"], LATEST, final_newline=False,
                     mtime=NOON_2025_03_04)
    assert parse_file(path).snapshot_date == dt.date(2025, 3, 4)


def test_a_google_sheets_name_matches_the_export_file_pattern():
    from gsc_backlinks.exports.kinds import FILENAME_RE, clean_name, kinds_from_title

    name = "example.com-Top sites linking to this page-2026-05-18 - Sheet1 (2).csv"
    match = FILENAME_RE.match(name)
    assert match and match.group("property") == "example.com" and match.group("date") == "2026-05-18"
    assert kinds_from_title(name) == ("target_linking_sites",)
    assert clean_name(name) == "example.com-Top sites linking to this page-2026-05-18 (2).csv"


# Performance report exports: real headers (en, fr, and a Dutch zip's HTML-escaped member name).
PERFORMANCE_ZIP = {
    "Queries.csv": "Top queries,Clicks,Impressions,CTR,Position\nroses,12,340,3.53%,8.2",
    "Pages.csv": "Top pages,Clicks,Impressions,CTR,Position\nhttps://www.example.com/roses/,12,340,3.53%,8.2",
    "Countries.csv": "Country,Clicks,Impressions,CTR,Position\nUnited Kingdom,10,300,3.33%,7.9",
    "Devices.csv": "Device,Clicks,Impressions,CTR,Position\nMobile,9,200,4.5%,7.1",
    "Search appearance.csv": "Search Appearance,Clicks,Impressions,CTR,Position",
    "Dates.csv": "Date,Clicks,Impressions,CTR,Position\n2026-05-17,2,41,4.88%,8.4",
    "Filters.csv": "Filter,Value\nSearch type,Web\nDate,Last 3 months",
    "Chart.csv": "Date,Clicks,Impressions,CTR,Position\n2026-05-17,2,41,4.88%,8.4",
}
PERFORMANCE_LINE = ("this is a Search Console Performance export, not a Links export; "
                    "search data comes from `gsc-backlinks sync`")


def test_a_performance_export_zip_is_named_as_one(tmp_path):
    zpath = write_zip(tmp_path / "https___www.example.com_-Performance-on-Search-2026-05-18.zip",
                      {n: t.encode() for n, t in PERFORMANCE_ZIP.items()})
    collected = collect([zpath])
    assert len(collected.files) == 1  # one file, one line: the zip
    with pytest.raises(UnknownExportError) as info:
        parse_export(collected.files[0], PROP)
    assert str(info.value) == f"{zpath}: {PERFORMANCE_LINE}"


def test_a_performance_export_zip_is_skipped_on_one_line(tmp_path):
    zpath = write_zip(tmp_path / "in" / "export.zip", {n: t.encode() for n, t in PERFORMANCE_ZIP.items()})
    links = write_csv(tmp_path / "in" / gsc_name("Latest links"), HEADERS["latest_links"], LATEST, final_newline=False)
    report = import_paths([str(tmp_path / "in")], SITE, tmp_path / "store.duckdb", skip_unknown=True)
    assert [r.source for r in report.results] == [str(links)]
    assert report.unknown == [f"{zpath}: {PERFORMANCE_LINE}"]


def test_a_dutch_performance_zip_with_escaped_names(tmp_path):
    zpath = write_zip(tmp_path / "export.zip", {
        "Zoekopdrachten.csv": b"Populairste zoekopdrachten,Klikken,Vertoningen,CTR,Positie\nrozen,3,90,3.3%,9",
        "Pagina&#39;s.csv": b"Populairste pagina&#39;s,Klikken,Vertoningen,CTR,Positie\nhttps://www.example.com/,3,90,3.3%,9",
        "Filters.csv": b"Filter,Waarde\nZoektype,Web",
    })
    [raw] = collect([zpath]).files
    with pytest.raises(UnknownExportError, match="Performance export"):
        parse_export(raw, PROP)


@pytest.mark.parametrize(("name", "text"), [
    ("Queries.csv", PERFORMANCE_ZIP["Queries.csv"]),
    ("Pages.csv", "Pages les plus populaires,Clics,Impressions,CTR,Position\nhttps://www.example.com/,0,12,0%,7.5"),
    ("Requêtes.csv", "Requêtes les plus fréquentes,Clics,Impressions,CTR,Position\nroses,0,45,\"0,00 %\",\"84,6\""),
    ("Suchanfragen.csv", "Häufigste Suchanfragen,Klicks,Impressionen,CTR,Position\nrosen,1,20,5%,3"),
    ("Queries.csv", "Top queries,Last 28 days Clicks,Previous 28 days Clicks,Last 28 days Impressions,"
                    "Previous 28 days Impressions\nroses,1,2,30,40"),  # a comparison's export
    ("Filters.csv", PERFORMANCE_ZIP["Filters.csv"]),
    ("Search appearance.csv", "Search Appearance,Clicks,Impressions,CTR,Position"),  # empty: header alone
])
def test_a_lone_performance_table_is_named_by_its_header(tmp_path, name, text):
    path = write_bytes(tmp_path / name, text.encode())
    with pytest.raises(UnknownExportError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}: {PERFORMANCE_LINE}"


def test_a_performance_workbook_is_named_as_one(tmp_path):
    path = write_xlsx(tmp_path / "https___www.example.com_-Performance-on-Search-2026-05-18.xlsx", sheets=[
        ("Chart", [["Date", "Clicks", "Impressions", "CTR", "Position"], ["2026-05-17", 2, 41, 0.0488, 8.4]]),
        ("Queries", [["Top queries", "Clicks", "Impressions", "CTR", "Position"], ["roses", 12, 340, 0.035, 8.2]]),
        ("Filters", [["Filter", "Value"], ["Search type", "Web"]]),
    ])
    with pytest.raises(UnknownExportError, match="Performance export"):
        parse_file(path)


def test_a_zip_of_links_exports_and_a_performance_table_reads_the_links(tmp_path):
    # Not Google's own zip: the user's. Each file is judged on its own.
    zpath = write_zip(tmp_path / "mine.zip", {
        gsc_name("Latest links"): csv_bytes(HEADERS["latest_links"], LATEST, final_newline=False),
        "Queries.csv": PERFORMANCE_ZIP["Queries.csv"].encode(),
    })
    files = collect([zpath]).files
    assert [f.filename for f in files] == [gsc_name("Latest links"), "Queries.csv"]
    assert parse_export(files[0], PROP).kind == "latest_links"
    with pytest.raises(UnknownExportError, match="Performance export"):
        parse_export(files[1], PROP)


def test_a_links_header_is_never_a_performance_header():
    from gsc_backlinks.exports.kinds import HEADER_ALIASES, is_performance_header

    names = [n for langs in HEADER_ALIASES.values() for ns in langs.values() for n in ns]
    assert not [n for n in names if is_performance_header([n, n])]


@pytest.mark.parametrize(("name", "kind"), [
    ("Links - Your pages linking to this page.csv", "internal_linking_pages"),  # the sheet named after the table
    ("https___www.example.com_-Your pages linking to this page-2026-05-18 - Sheet1.csv", "internal_linking_pages"),
    ("https___www.example.com_-More sample links-2026-05-18 - Sheet1.csv", "sample_links"),
    ("Links - Sheet1.csv", "site_linking_pages"),  # no title: an empty file with --target can only be guessed
])
def test_a_google_sheets_name_still_tells_apart_the_linking_page_kinds(tmp_path, name, kind):
    # Empty: no rows to tell own pages from other sites' pages, so only the title can.
    path = write_csv(tmp_path / name, ["Linking page"], [], final_newline=False)
    assert parse_file(path, target=TARGET).kind == kind
