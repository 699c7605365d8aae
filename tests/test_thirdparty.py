"""Reading third-party backlink exports (Ahrefs, Semrush, Majestic, Moz, Bing) into link observations."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vendorfiles import (
    AHREFS_BACKLINKS,
    AHREFS_REFERRING_DOMAINS,
    BING_BACKLINKS,
    MAJESTIC_BACKLINKS,
    MOZ_INBOUND_LINKS,
    MOZ_PREAMBLE,
    SEMRUSH_BACKLINKS,
    SEMRUSH_BACKLINKS_OLD,
    SEMRUSH_REFERRING_DOMAINS,
    for_excel,
    row_of,
    sheets_resaved,
    table_text,
    utf8_csv,
    vendor_file,
)

from gsc_backlinks import urls
from gsc_backlinks.errors import ExportError, GscBacklinksError, UnknownExportError, UsageError
from gsc_backlinks.exports import RawFile, collect, parse_export
from gsc_backlinks.exports.thirdparty import (
    DOMAIN_COLUMNS,
    LINK_COLUMNS,
    VENDOR_METRICS,
    competitor_domain,
    detect_vendor,
    parse_vendor_export,
    vendor_of,
)

from exportfiles import set_mtime, write_xlsx, write_zip

SITE = urls.parse_property("sc-domain:example.com")
PREFIX_SITE = urls.parse_property("https://www.example.com/")
AHREFS_NAME = "example.com-backlinks-subdomains_2026-09-01_13-28-23.csv"
LINK_NAMES = [name for name, _ in LINK_COLUMNS]


def parse(path, site=SITE, **kw):
    """collect() + parse_vendor_export() of a path holding one export."""
    files = collect([path]).files
    assert len(files) == 1, [f.display for f in files]
    return parse_vendor_export(files[0], site=site, **kw)


def by_linking_url(parsed) -> dict[str, dict]:
    return {r["linking_url"]: r for r in parsed.table.to_pylist()}


# --- Ahrefs ------------------------------------------------------------------------------------

AHREFS_ROWS = [
    row_of(AHREFS_BACKLINKS, referring_page_title='Roses, "the best" of 2026', referring_page_url="https://Blog.Seedswap.example/roses#comments",
           language="en", domain_rating="45", ur="12.5", domain_traffic="1,234", page_traffic="80",
           target_url="https://www.example.com/roses/?utm_source=newsletter&id=3", left_context="Read ",
           anchor="our favourite roses", right_context=" before spring", type="text", is_spam="false", content="true",
           nofollow="false", ugc="false", sponsored="true", first_seen="2023-08-10 15:51:35",
           last_seen="2026-08-30 01:02:03"),
    row_of(AHREFS_BACKLINKS, referring_page_title="Hedges", referring_page_url="https://news.hortweekly.co.uk/hedges",
           domain_rating="71", ur="30", target_url="https://www.example.com/", anchor="", type="image",
           content="false", nofollow="true", ugc="false", sponsored="false", lost_status="removed from page",
           drop_reason="Link removed", first_seen="2024-01-02 00:00:00", last_seen="2026-01-01 00:00:00",
           lost="2026-02-03 09:10:11"),
    row_of(AHREFS_BACKLINKS, referring_page_url="https://amy.wordpress-garden.example/wildlife/", domain_rating="3",
           target_url="https://shop.example.com/seeds", anchor="seeds", type="text", nofollow="false", ugc="true",
           sponsored="false", first_seen="2025-05-05 05:05:05", last_seen="2026-08-31 23:59:59"),
]


def test_ahrefs_utf8_csv(tmp_path):
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS, bom=True)))
    assert (parsed.vendor, parsed.kind, parsed.label) == ("ahrefs", "ahrefs_backlinks", "an Ahrefs backlinks export")
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2026, 9, 1), "file name")
    assert (parsed.rows, parsed.file_rows, parsed.skipped_rows) == (3, 3, 0)
    assert parsed.site == "sc-domain:example.com" and parsed.competitor is None
    assert parsed.table.column_names == LINK_NAMES + [
        "ahrefs_dr", "ahrefs_ur", "ahrefs_domain_traffic", "ahrefs_page_traffic", "ahrefs_is_spam"]
    rows = by_linking_url(parsed)
    roses = rows["https://blog.seedswap.example/roses"]
    assert roses["linking_domain"] == "seedswap.example"
    assert roses["target_url"] == "https://www.example.com/roses/?id=3"  # utm_source stripped
    assert roses["anchor_text"] == "our favourite roses"
    assert (roses["context_before"], roses["context_after"]) == ("Read ", " before spring")  # kept as written
    assert roses["linking_title"] == 'Roses, "the best" of 2026'
    assert (roses["image"], roses["nofollow"], roses["ugc"], roses["sponsored"]) == (False, False, False, True)
    assert roses["placement"] == "content" and roses["sitewide"] is None
    assert (roses["first_seen"], roses["last_seen"], roses["lost_on"]) == (dt.date(2023, 8, 10), dt.date(2026, 8, 30), None)
    assert (roses["status"], roses["reason"]) == ("live", None)
    assert (roses["ahrefs_dr"], roses["ahrefs_ur"], roses["ahrefs_domain_traffic"]) == (45.0, 12.5, 1234.0)
    assert roses["ahrefs_is_spam"] is False
    hedges = rows["https://news.hortweekly.co.uk/hedges"]
    assert hedges["linking_domain"] == "hortweekly.co.uk"
    assert (hedges["anchor_text"], hedges["image"], hedges["nofollow"], hedges["placement"]) == ("", True, True, None)
    assert (hedges["status"], hedges["lost_on"]) == ("lost", dt.date(2026, 2, 3))
    assert hedges["reason"] == "removed from page: Link removed"
    assert hedges["context_before"] is None and hedges["linking_title"] == "Hedges"
    wildlife = rows["https://amy.wordpress-garden.example/wildlife/"]
    assert wildlife["ugc"] is True and wildlife["linking_title"] is None
    assert wildlife["target_url"] == "https://shop.example.com/seeds"
    assert parsed.notes == []


def test_ahrefs_for_excel_utf16_tsv_reads_the_same_rows(tmp_path):
    plain = parse(vendor_file(tmp_path / "a", AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS)))
    excel = parse(vendor_file(tmp_path / "b", AHREFS_NAME, for_excel(AHREFS_BACKLINKS, AHREFS_ROWS)))
    assert excel.encoding == "utf-16-le" and excel.notes == ["read as utf-16-le"]
    assert excel.table.to_pylist() == plain.table.to_pylist()


def test_ahrefs_resaved_by_google_sheets(tmp_path):
    """A leading "#" column of row numbers, CRLF, and " - Sheet1" after the date in the name."""
    name = "example.com-backlinks-subdomains_2026-09-01_13-28-23 - Sheet1.csv"
    sheets = parse(vendor_file(tmp_path / "a", name, sheets_resaved(AHREFS_BACKLINKS, AHREFS_ROWS)))
    plain = parse(vendor_file(tmp_path / "b", AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS)))
    assert (sheets.snapshot_date, sheets.date_source) == (dt.date(2026, 9, 1), "file name")
    assert sheets.table.to_pylist() == plain.table.to_pylist()


def test_ahrefs_header_with_columns_of_older_and_newer_years(tmp_path):
    """Columns matched by name: fewer columns, another order, unknown new ones, other case and spacing."""
    header = ["  referring PAGE url ", "Brand new metric", "Anchor", "target url", "NOFOLLOW", "First seen"]
    rows = [["https://a.example/x", "99", "roses", "https://www.example.com/", "TRUE", "2026-01-05"]]
    parsed = parse(vendor_file(tmp_path, "ahrefs.csv", utf8_csv(header, rows)), date_option=dt.date(2026, 9, 2))
    row = parsed.table.to_pylist()[0]
    assert (row["anchor_text"], row["nofollow"], row["first_seen"]) == ("roses", True, dt.date(2026, 1, 5))
    assert (row["ahrefs_dr"], row["status"], row["ugc"], row["context_before"]) == (None, None, None, None)
    assert (parsed.snapshot_date, parsed.date_source) == (dt.date(2026, 9, 2), "--date")


def test_ahrefs_referring_domains_one_row_per_registrable_domain(tmp_path):
    rows = [
        row_of(AHREFS_REFERRING_DOMAINS, domain="www.Known.com", is_spam="false", dr="70", links_to_target="2",
               dofollow_links="1", traffic="1000", first_seen="2025-01-02 10:00:00"),
        row_of(AHREFS_REFERRING_DOMAINS, domain="blog.known.com", is_spam="false", dr="68", links_to_target="3",
               dofollow_links="3", traffic="400", first_seen="2023-08-10 15:51:35"),
        row_of(AHREFS_REFERRING_DOMAINS, domain="gone.co.uk", is_spam="true", dr="5", links_to_target="1",
               dofollow_links="0", first_seen="2024-05-01 00:00:00", lost="2026-09-01 12:00:00"),
    ]
    name = "example.com-refdomains-subdomains_2026-09-01_13-30-00.csv"
    parsed = parse(vendor_file(tmp_path, name, for_excel(AHREFS_REFERRING_DOMAINS, rows)))
    assert parsed.kind == "ahrefs_referring_domains" and parsed.label == "an Ahrefs referring-domains export"
    assert parsed.table.column_names == [n for n, _ in DOMAIN_COLUMNS] + [
        "ahrefs_dr", "ahrefs_domain_traffic", "ahrefs_links_to_target", "ahrefs_dofollow_links", "ahrefs_is_spam"]
    domains = {r["linking_domain"]: r for r in parsed.table.to_pylist()}
    assert set(domains) == {"known.com", "gone.co.uk"} and parsed.file_rows == 3
    known = domains["known.com"]
    assert known["first_seen"] == dt.date(2023, 8, 10)  # the earliest of its subdomains
    assert (known["ahrefs_links_to_target"], known["ahrefs_dofollow_links"], known["ahrefs_dr"]) == (5.0, 4.0, 70.0)
    assert (known["status"], known["lost_on"], known["ahrefs_is_spam"]) == ("live", None, False)
    gone = domains["gone.co.uk"]
    assert (gone["status"], gone["lost_on"], gone["ahrefs_is_spam"]) == ("lost", dt.date(2026, 9, 1), True)
    assert "1 rows of subdomains merged into their registrable domain" in parsed.notes
    assert any("names no target pages" in n for n in parsed.notes)


# --- Semrush -----------------------------------------------------------------------------------


def test_semrush_backlinks_crlf(tmp_path):
    rows = [
        row_of(SEMRUSH_BACKLINKS, page_ascore="38", source_title="Hedge guide", source_url="https://www.seedswap.example/hedges",
               target_url="https://www.example.com/hedges/", anchor="hedge plants", external_links="12", internal_links="40",
               nofollow="false", sponsored="false", ugc="true", text="true", frame="false", form="false", image="false",
               sitewide="true", first_seen="2025-03-04", last_seen="2026-08-30", new_link="false", lost_link="false"),
        row_of(SEMRUSH_BACKLINKS, page_ascore="12", source_title="", source_url="http://forum.plants.example/t/42",
               target_url="https://www.example.com/", anchor="", nofollow="true", sponsored="false", ugc="false",
               text="false", image="true", sitewide="false", first_seen="2024-11-30", last_seen="2026-07-01",
               new_link="false", lost_link="true"),
    ]
    data = utf8_csv(SEMRUSH_BACKLINKS, rows, line_end="\r\n")
    assert b"\r\n" in data
    parsed = parse(vendor_file(tmp_path, "example.com-backlinks.csv", data), date_option=dt.date(2026, 9, 3))
    assert (parsed.kind, parsed.rows, parsed.date_source) == ("semrush_backlinks", 2, "--date")
    rows = by_linking_url(parsed)
    hedges = rows["https://www.seedswap.example/hedges"]
    assert (hedges["nofollow"], hedges["ugc"], hedges["sponsored"], hedges["image"], hedges["sitewide"]) == (
        False, True, False, False, True)
    assert (hedges["status"], hedges["reason"], hedges["first_seen"]) == ("live", None, dt.date(2025, 3, 4))
    assert (hedges["semrush_page_ascore"], hedges["semrush_page_score"]) == (38.0, None)
    assert hedges["linking_title"] == "Hedge guide" and hedges["placement"] is None
    forum = rows["http://forum.plants.example/t/42"]
    assert (forum["image"], forum["nofollow"], forum["status"], forum["reason"]) == (True, True, "lost", "lost link")
    assert forum["lost_on"] is None  # Semrush says lost, not when


def test_semrush_backlinks_older_header(tmp_path):
    rows = [row_of(SEMRUSH_BACKLINKS_OLD, page_score="7", page_trust_score="5", source_title="Old post",
                   source_url="https://old.example/post", target_url="https://www.example.com/", anchor="Example",
                   nofollow="FALSE", frame="FALSE", form="FALSE", image="FALSE", sitewide="FALSE",
                   first_seen="2018-02-03", last_seen="2019-12-31")]
    parsed = parse(vendor_file(tmp_path, "backlinks.csv", utf8_csv(SEMRUSH_BACKLINKS_OLD, rows, line_end="\r\n")))
    row = parsed.table.to_pylist()[0]
    assert parsed.kind == "semrush_backlinks"
    assert (row["nofollow"], row["ugc"], row["sponsored"]) == (False, None, None)  # no rel=ugc/sponsored then
    assert (row["semrush_page_score"], row["semrush_page_trust_score"], row["semrush_page_ascore"]) == (7.0, 5.0, None)
    assert row["status"] is None  # older files do not say lost or live


def test_semrush_referring_domains(tmp_path):
    rows = [
        ["52", "seedswap.example", "14", "203.0.113.5", "GB", "2024-02-01", "2026-08-30"],
        ["9", "blog.seedswap.example", "3", "203.0.113.5", "GB", "2025-06-01", "2026-08-31"],
        ["31", "münchen.example", "1", "198.51.100.7", "DE", "2026-01-01", "2026-01-02"],
        ["44", "https://www.Garden-Club.example/", "2", "198.51.100.8", "US", "2026-02-01", "2026-02-02"],
    ]
    parsed = parse(vendor_file(tmp_path, "refdomains.csv", utf8_csv(SEMRUSH_REFERRING_DOMAINS, rows, line_end="\r\n")))
    assert parsed.label == "a Semrush referring-domains export"
    domains = {r["linking_domain"]: r for r in parsed.table.to_pylist()}
    assert set(domains) == {"seedswap.example", "xn--mnchen-3ya.example", "garden-club.example"}
    seedswap = domains["seedswap.example"]
    assert (seedswap["semrush_domain_ascore"], seedswap["semrush_backlinks"]) == (52.0, 17.0)
    assert (seedswap["first_seen"], seedswap["last_seen"], seedswap["status"]) == (
        dt.date(2024, 2, 1), dt.date(2026, 8, 31), None)


# --- Majestic ----------------------------------------------------------------------------------

MAJESTIC_GOOD = [
    ["https://www.example.com/roses/", "https://www.seedswap.example/roses", "best roses", "2026-08-28", "2019-04-01",
     "", "", "", "", "", "", "", "21", "17", "30", "25", "Recreation/Home and Garden", "16", "Recreation", "20"],
    ["https://www.example.com/", "https://img.plants.example/gallery", "", "2026-08-20", "2021-10-10",
     "+", "+", "", "", "", "+", "", "5", "2", "30", "25", "", "", "", ""],
]


def test_majestic_broken_row_is_skipped_and_counted(tmp_path):
    text = table_text(MAJESTIC_BACKLINKS, MAJESTIC_GOOD)
    broken = ('https://www.example.com/,https://bad.example/a,roses, daisies and tulips,2026-08-01,2020-01-01,'
              ',,,,,,,1,1,1,1,,,,\n')
    stray = ('https://www.example.com/,https://quote.example/x,"best" roses,2026-08-02,2020-01-02,'
             ',,,,,,,2,2,2,2,,,,\n')
    after = ('https://www.example.com/hedges/,https://after.example/y,hedges,2026-08-03,2020-01-03,'
             ',,,,,,,3,3,3,3,,,,\n')
    data = (text + broken + stray + after).encode("utf-8")
    parsed = parse(vendor_file(tmp_path, "majestic_example.com.csv", data))
    assert parsed.kind == "majestic_backlinks"
    assert parsed.skipped_rows == 1 and parsed.rows == 4 and parsed.file_rows == 4
    assert "1 line is not a valid CSV row of 20 columns; skipped" in parsed.notes
    rows = by_linking_url(parsed)
    assert "https://bad.example/a" not in rows
    assert rows["https://quote.example/x"]["anchor_text"] == "best roses"  # as every CSV reader reads it
    assert rows["https://after.example/y"]["anchor_text"] == "hedges"
    roses = rows["https://www.seedswap.example/roses"]
    assert (roses["nofollow"], roses["image"], roses["status"]) == (False, False, None)  # an empty flag is "not set"
    assert (roses["first_seen"], roses["last_seen"]) == (dt.date(2019, 4, 1), dt.date(2026, 8, 28))
    assert (roses["majestic_source_trust_flow"], roses["majestic_source_citation_flow"]) == (17.0, 21.0)
    assert roses["majestic_source_topic"] == "Recreation/Home and Garden"
    assert roses["majestic_source_topic_trust_flow"] == 16.0
    gallery = rows["https://img.plants.example/gallery"]
    assert (gallery["nofollow"], gallery["image"], gallery["majestic_source_topic"]) == (True, True, None)


def test_majestic_stray_opening_quote_does_not_eat_the_rows_after_it(tmp_path):
    """Arrow runs an unclosed quote on to the next quote; the sound lines it swallowed are read again."""
    lines = [table_text(MAJESTIC_BACKLINKS, MAJESTIC_GOOD[:1]).rstrip("\n")]
    lines.append('https://www.example.com/,https://q.example/1,"5 inch pots,2026-08-01,2020-01-01,,,,,,,,1,1,1,1,,,,')
    for i in range(2, 6):
        lines.append(f'https://www.example.com/,https://q.example/{i},pots {i},2026-08-01,2020-01-01,,,,,,,,1,1,1,1,,,,')
    lines.append('https://www.example.com/,https://q.example/6,"quoted, fine",2026-08-01,2020-01-01,,,,,,,,1,1,1,1,,,,')
    parsed = parse(vendor_file(tmp_path, "majestic.csv", ("\n".join(lines) + "\n").encode()))
    found = by_linking_url(parsed)
    assert {f"https://q.example/{i}" for i in (2, 3, 4, 5, 6)} <= set(found)
    assert found["https://q.example/6"]["anchor_text"] == "quoted, fine"
    assert parsed.rows + parsed.skipped_rows == 7


def test_majestic_row_with_a_quote_before_its_linking_url_is_skipped_and_counted(tmp_path):
    """Read line by line after a stray quote, a row whose linking URL is '"https://…' is broken, not a link."""
    lines = [table_text(MAJESTIC_BACKLINKS, MAJESTIC_GOOD[:1]).rstrip("\n")]
    lines.append('https://www.example.com/,"https://m2.example.net/,m2 pots,2026-08-01,2020-01-01,,,,,,,,1,1,1,1,,,,')
    for i in range(2, 4):
        lines.append(f'https://www.example.com/,https://q.example/{i},pots {i},2026-08-01,2020-01-01,,,,,,,,1,1,1,1,,,,')
    parsed = parse(vendor_file(tmp_path, "majestic.csv", ("\n".join(lines) + "\n").encode()))

    found = by_linking_url(parsed)
    assert set(found) == {"https://www.seedswap.example/roses", "https://q.example/2", "https://q.example/3"}
    assert all(r["linking_domain"] for r in found.values())
    assert parsed.rows == 3 and parsed.skipped_rows == 1
    assert "1 line after a stray quote had no http(s) linking URL (a quote in it); skipped" in parsed.notes


# --- Moz and Bing --------------------------------------------------------------------------------


def test_moz_inbound_links_after_preamble_lines(tmp_path):
    rows = [
        ["https://www.seedswap.example/roses", "Roses", "example roses", "1", "33", "58", "12", "900", "External",
         "https://www.example.com/roses/", "Yes", "No", "No", "Yes", "No"],
        ["https://spam.example/x", "Cheap", "click", "17%", "1", "4", "0", "1", "External",
         "https://www.example.com/", "No", "Yes", "Yes", "No", "No"],
    ]
    data = utf8_csv(MOZ_INBOUND_LINKS, rows, before=MOZ_PREAMBLE)
    parsed = parse(vendor_file(tmp_path, "moz-inbound-links.csv", data))
    assert parsed.label == "a Moz inbound-links export" and parsed.rows == 2
    found = by_linking_url(parsed)
    roses = found["https://www.seedswap.example/roses"]
    assert (roses["nofollow"], roses["anchor_text"], roses["linking_title"]) == (False, "example roses", "Roses")
    assert (roses["moz_domain_authority"], roses["moz_page_authority"], roses["moz_spam_score"]) == (58.0, 33.0, 1.0)
    spam = found["https://spam.example/x"]
    assert (spam["nofollow"], spam["moz_spam_score"]) == (True, 17.0)
    assert (spam["first_seen"], spam["status"]) == (None, None)


def test_moz_older_followable_column(tmp_path):
    header = ["URL", "Title", "Anchor Text", "Page Authority", "Domain Authority", "Number of Links", "Number of Domains Linking to Domain", "Followable", "301", "Origin", "Target URL"]
    rows = [["http://www.news.example/gardens.htm", "Gardens", "Example", "37", "86", "1", "32199", "No", "No",
             "External", "http://www.example.com/"]]
    parsed = parse(vendor_file(tmp_path, "ose.csv", utf8_csv(header, rows)))
    row = parsed.table.to_pylist()[0]
    assert parsed.kind == "moz_inbound_links" and row["nofollow"] is True


def test_bing_webmaster_tools_backlinks(tmp_path):
    data = (b'"Source Url","Anchor text","Target Url"\n'
            b'"https://ref.example/a","Example","https://www.example.com/page"\n'
            b'"https://ref.example/b","More, and more","https://www.example.com/page"\n')
    parsed = parse(vendor_file(tmp_path, "backlinks.csv", data))
    assert (parsed.vendor, parsed.label) == ("bing", "a Bing Webmaster Tools backlinks export")
    assert parsed.table.column_names == LINK_NAMES  # Bing gives no metrics
    found = by_linking_url(parsed)
    assert found["https://ref.example/b"]["anchor_text"] == "More, and more"
    assert found["https://ref.example/a"]["target_url"] == "https://www.example.com/page"
    assert (found["https://ref.example/a"]["nofollow"], found["https://ref.example/a"]["first_seen"]) == (None, None)


# --- forms: xlsx, zip, encodings ---------------------------------------------------------------


def test_xlsx_ahrefs_export(tmp_path):
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://a.example/x", domain_rating=45,
                   target_url="https://www.example.com/", anchor="roses", nofollow=True, ugc=False,
                   first_seen=dt.datetime(2024, 3, 4, 5, 6, 7), last_seen="2026-08-30 01:02:03")]
    path = write_xlsx(tmp_path / "example.com-backlinks-subdomains_2026-09-01_13-28-23.xlsx", AHREFS_BACKLINKS, rows)
    parsed = parse(path)
    row = parsed.table.to_pylist()[0]
    assert (parsed.kind, parsed.encoding, parsed.snapshot_date) == ("ahrefs_backlinks", "xlsx", dt.date(2026, 9, 1))
    assert (row["anchor_text"], row["nofollow"], row["ugc"], row["ahrefs_dr"]) == ("roses", True, False, 45.0)
    assert (row["first_seen"], row["last_seen"]) == (dt.date(2024, 3, 4), dt.date(2026, 8, 30))


def test_zip_of_exports_of_two_tools(tmp_path):
    semrush = utf8_csv(SEMRUSH_BACKLINKS, [row_of(
        SEMRUSH_BACKLINKS, source_url="https://s.example/1", target_url="https://www.example.com/", anchor="a",
        nofollow="false", first_seen="2026-01-01", last_seen="2026-02-01", lost_link="false")], line_end="\r\n")
    majestic = table_text(MAJESTIC_BACKLINKS, MAJESTIC_GOOD).encode()
    path = write_zip(tmp_path / "exports.zip", {"semrush/backlinks.csv": semrush, "majestic.csv": majestic,
                                                "__MACOSX/._majestic.csv": b"\x00\x05"})
    files = collect([path]).files
    parsed = [parse_vendor_export(f, site=SITE) for f in files]
    assert sorted(p.kind for p in parsed) == ["majestic_backlinks", "semrush_backlinks"]
    assert sorted(p.rows for p in parsed) == [1, 2]
    assert {p.source for p in parsed} == {f"{path}:semrush/backlinks.csv", f"{path}:majestic.csv"}


def test_cp1252_file_from_a_spreadsheet(tmp_path):
    text = table_text(BING_BACKLINKS, [["https://ref.example/café", "Café crème", "https://www.example.com/"]])
    parsed = parse(vendor_file(tmp_path, "bing.csv", text.encode("cp1252")))
    row = parsed.table.to_pylist()[0]
    assert row["anchor_text"] == "Café crème" and row["linking_url"] == "https://ref.example/caf%C3%A9"
    assert parsed.encoding == "cp1252"


def test_utf8_file_with_a_few_bad_bytes_keeps_the_rest(tmp_path):
    text = table_text(BING_BACKLINKS, [["https://ref.example/ü", f"naïve {i}", "https://www.example.com/"] for i in range(50)])
    data = text.encode("utf-8").replace(b"naive 7", b"") + b"https://ref.example/x,bad \xff byte,https://www.example.com/\n"
    parsed = parse(vendor_file(tmp_path, "bing.csv", data))
    anchors = parsed.table.column("anchor_text").to_pylist()
    assert "naïve 3" in anchors and "bad \ufffd byte" in anchors
    assert "1 bytes that are not UTF-8 replaced with \ufffd" in parsed.notes


# --- whose links: property and competitor ------------------------------------------------------

OTHER_ROWS = [row_of(AHREFS_BACKLINKS, referring_page_url=f"https://ref{i}.example/p", target_url=f"https://www.rival.example/p{i}",
                     anchor="rival", nofollow="false") for i in range(4)]


def test_file_about_another_site_is_refused(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, OTHER_ROWS))
    with pytest.raises(ExportError) as err:
        parse(path)
    message = str(err.value)
    assert message.startswith(f"{path}: its target URLs (https://www.rival.example/p0, …) are not pages of property sc-domain:example.com")
    assert "--competitor DOMAIN" in message and "\n" not in message


def test_competitor_export_is_accepted_for_the_competitor(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, OTHER_ROWS))
    parsed = parse(path, competitor="https://WWW.Rival.example/")
    assert (parsed.competitor, parsed.site, parsed.rows) == ("rival.example", None, 4)


def test_own_export_with_competitor_is_refused(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS))
    with pytest.raises(ExportError, match=r"pages of your own site sc-domain:example.com, not of competitor "
                                          r"rival.example; import it without --competitor"):
        parse(path, competitor="rival.example")
    with pytest.raises(ExportError, match=r"not pages of competitor other.example; check --competitor"):
        parse(vendor_file(tmp_path / "x", AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, OTHER_ROWS)), competitor="other.example")


@pytest.mark.parametrize("given, expected", [
    ("rival.example", "rival.example"), ("https://blog.rival.example/x", "rival.example"),
    ("sc-domain:Rival.Example", "rival.example"), ("www.rival.co.uk", "rival.co.uk"),
])
def test_competitor_domain_forms(given, expected):
    assert competitor_domain(given) == expected


@pytest.mark.parametrize("given", ["", "rival", "http://", "not a domain at all"])
def test_competitor_that_is_no_domain(given):
    with pytest.raises(UsageError, match="is not a domain; write it as example.org"):
        competitor_domain(given)


def test_competitor_that_is_your_own_site(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS))
    with pytest.raises(UsageError, match="--competitor example.com is your own site"):
        parse(path, competitor="www.example.com")


def test_url_prefix_property_keeps_targets_elsewhere_on_its_domain(tmp_path):
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url=f"https://r{i}.example/", target_url=target, anchor="x")
            for i, target in enumerate(["https://example.com/a", "https://example.com/b", "https://www.example.com/c"])]
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows)), site=PREFIX_SITE)
    assert parsed.rows == 3
    assert "2 of 3 target URLs are outside https://www.example.com/ (on example.com, kept)" in parsed.notes


def test_some_targets_outside_the_property_are_noted(tmp_path):
    rows = AHREFS_ROWS + OTHER_ROWS[:1]
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows)))
    assert parsed.rows == 4 and "1 target URLs are outside sc-domain:example.com" in parsed.notes


def test_no_site_checks_nothing(tmp_path):
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, OTHER_ROWS)), site=None)
    assert (parsed.rows, parsed.site, parsed.competitor) == (4, None, None)


# --- values: booleans, dates, numbers ------------------------------------------------------------


@pytest.mark.parametrize("yes, no", [("true", "false"), ("TRUE", "FALSE"), ("1", "0"), ("yes", "no"), ("Yes", "No"),
                                     (" True ", " False ")])
def test_boolean_forms(tmp_path, yes, no):
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://a.example/1", target_url="https://www.example.com/", nofollow=yes, ugc=no),
            row_of(AHREFS_BACKLINKS, referring_page_url="https://a.example/2", target_url="https://www.example.com/", nofollow=no, ugc="")]
    found = by_linking_url(parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows))))
    assert (found["https://a.example/1"]["nofollow"], found["https://a.example/1"]["ugc"]) == (True, False)
    assert (found["https://a.example/2"]["nofollow"], found["https://a.example/2"]["ugc"]) == (False, None)


def test_boolean_that_is_neither_is_unknown_and_noted(tmp_path):
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://a.example/1", target_url="https://www.example.com/", nofollow="maybe")]
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows)))
    assert parsed.table.column("nofollow").to_pylist() == [None]
    assert "1 value in column 'Nofollow' is not true or false; left empty" in parsed.notes


@pytest.mark.parametrize("forms", [
    ["2026-09-01", "2026-09-01 13:28:23", "2026-09-01T13:28:23Z", "2026/09/01", " 2026-09-01 "],
    ["01/09/2026", "30/08/2026"],  # a day above 12: day first
    ["09/01/2026", "08/30/2026"],  # a month never above 12, a second part above it: month first
    ["Sep 1, 2026", "1 Sep 2026", "September 1 2026", "1788220800"],  # named months, Unix time
])
def test_date_forms(tmp_path, forms):
    rows = [row_of(SEMRUSH_BACKLINKS, source_url=f"https://a.example/{i}", target_url="https://www.example.com/",
                   first_seen=form, last_seen="2026-09-02") for i, form in enumerate(forms)]
    parsed = parse(vendor_file(tmp_path, "semrush.csv", utf8_csv(SEMRUSH_BACKLINKS, rows)))
    seen = parsed.table.column("first_seen").to_pylist()
    assert seen[0] == dt.date(2026, 9, 1) and all(d in (dt.date(2026, 9, 1), dt.date(2026, 8, 30)) for d in seen)
    assert parsed.notes == []


def test_ambiguous_slash_dates_follow_the_tool(tmp_path):
    """03/04/2026 is 4 March for Semrush (a US tool) and 3 April for Majestic (a UK one)."""
    semrush = [row_of(SEMRUSH_BACKLINKS, source_url="https://a.example/", target_url="https://www.example.com/",
                      first_seen="03/04/2026")]
    assert parse(vendor_file(tmp_path / "s", "s.csv", utf8_csv(SEMRUSH_BACKLINKS, semrush))).table.column(
        "first_seen").to_pylist() == [dt.date(2026, 3, 4)]
    majestic = [["https://www.example.com/", "https://a.example/", "x", "03/04/2026", "03/04/2026", *[""] * 15]]
    assert parse(vendor_file(tmp_path / "m", "m.csv", utf8_csv(MAJESTIC_BACKLINKS, majestic))).table.column(
        "first_seen").to_pylist() == [dt.date(2026, 4, 3)]


def test_bad_dates_and_numbers_are_left_empty_and_noted(tmp_path):
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://a.example/", target_url="https://www.example.com/",
                   domain_rating="high", ur="n/a", first_seen="yesterday", last_seen="2026-02-30")]
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows)))
    row = parsed.table.to_pylist()[0]
    assert (row["first_seen"], row["last_seen"], row["ahrefs_dr"], row["ahrefs_ur"]) == (None, None, None, None)
    assert parsed.notes == [
        "1 value in column 'First seen' is not a date; left empty",
        "1 value in column 'Last seen' is not a date; left empty",
        "1 value in column 'Domain rating' is not a number; left empty",  # "n/a" is a placeholder, not noted
    ]


# --- snapshot dates ------------------------------------------------------------------------------


def test_snapshot_date_from_file_name_then_date_option_then_file_time(tmp_path):
    data = utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS)
    named = parse(vendor_file(tmp_path / "a", AHREFS_NAME, data), date_option=dt.date(2026, 9, 5))
    assert (named.snapshot_date, named.date_source) == (dt.date(2026, 9, 1), "file name")
    assert "--date 2026-09-05 ignored: the file name says 2026-09-01" in named.notes
    plain = vendor_file(tmp_path / "b", "backlinks (2).csv", data)
    set_mtime(plain, dt.datetime(2026, 7, 14, 12, 0))
    assert (parse(plain, date_option=dt.date(2026, 9, 5)).date_source) == "--date"
    assert (parse(plain).snapshot_date, parse(plain).date_source) == (dt.date(2026, 7, 14), "file time")
    bad = vendor_file(tmp_path / "c", "x-backlinks_2026-02-30_10-00-00.csv", data)
    assert parse(bad, date_option=dt.date(2026, 3, 1)).date_source == "--date"


# --- what is not a vendor export -----------------------------------------------------------------


def test_unknown_header_is_named(tmp_path):
    path = vendor_file(tmp_path, "x.csv", b"Website,Price\na.example,10\n")
    with pytest.raises(UnknownExportError) as err:
        parse(path)
    assert str(err.value) == (f"{path}: header ['Website', 'Price'] is not a backlinks export of Ahrefs, Semrush, "
                              "Majestic, Moz or Bing Webmaster Tools that this version knows (it reads their backlinks "
                              "and referring-domains exports as downloaded)")


@pytest.mark.parametrize("data, message", [
    (b"", "is empty"),
    (b"\n\n  \n", "is empty"),
    (b"\xef\xbb\xbf", "is empty"),
    (b'"Source Url","Anchor text","Target Url"\n', "is a Bing Webmaster Tools backlinks export with a header row but no rows"),
    (b"\x00\x01\x02binary\x00", "is a binary file"),
])
def test_empty_and_broken_files(tmp_path, data, message):
    with pytest.raises(ExportError, match=message):
        parse(vendor_file(tmp_path, "x.csv", data))


def test_xlsx_that_is_not_a_workbook(tmp_path):
    with pytest.raises(ExportError, match="is not a readable .xlsx workbook"):
        parse(vendor_file(tmp_path, "x.xlsx", b"Source Url,Anchor text,Target Url\n"))


def test_search_console_reader_names_a_third_party_export(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, for_excel(AHREFS_BACKLINKS, AHREFS_ROWS))
    with pytest.raises(UnknownExportError) as err:
        parse_export(collect([path]).files[0], SITE)
    assert str(err.value) == (f"{path}: this is an Ahrefs backlinks export, not a Search Console Links export; "
                              "gsc-backlinks import reads it as one (with --competitor DOMAIN when it lists a competitor's links)")


@pytest.mark.parametrize("header, key", [
    (AHREFS_BACKLINKS, "ahrefs_backlinks"), (["#", *AHREFS_BACKLINKS], "ahrefs_backlinks"),
    (AHREFS_REFERRING_DOMAINS, "ahrefs_referring_domains"),
    (["Domain", "Domain rating", "Backlinks", "First seen"], "ahrefs_referring_domains"),
    (SEMRUSH_BACKLINKS, "semrush_backlinks"), (SEMRUSH_BACKLINKS_OLD, "semrush_backlinks"),
    (SEMRUSH_REFERRING_DOMAINS, "semrush_referring_domains"), (MAJESTIC_BACKLINKS, "majestic_backlinks"),
    (MOZ_INBOUND_LINKS, "moz_inbound_links"), (BING_BACKLINKS, "bing_backlinks"),
    (["\ufeffSOURCE URL", "anchor  TEXT", "target url "], "bing_backlinks"),
    (["Linking page", "Last crawled"], None), (["Source url", "Target url"], None), ([], None),
])
def test_detect_vendor(header, key):
    found = detect_vendor(header)
    assert (found.key if found else None) == key


def test_vendor_of_routes_files_without_reading_them_whole(tmp_path):
    moz = vendor_file(tmp_path, "moz.csv", utf8_csv(MOZ_INBOUND_LINKS, [], before=MOZ_PREAMBLE))
    excel = vendor_file(tmp_path, "a.csv", for_excel(AHREFS_BACKLINKS, AHREFS_ROWS))
    book = write_xlsx(tmp_path / "s.xlsx", sheets=[("Notes", [["made with Semrush"]]), ("Data", [SEMRUSH_BACKLINKS])])
    gsc = vendor_file(tmp_path, "gsc.csv", b"Linking page,Last crawled\nhttps://a.example/,2026-01-01\n")
    found = [vendor_of(collect([p]).files[0]) for p in (moz, excel, book, gsc)]
    assert [f.key if f else None for f in found] == ["moz_inbound_links", "ahrefs_backlinks", "semrush_backlinks", None]
    assert vendor_of(RawFile("b.xlsx", "b.xlsx", b"PK\x03\x04broken")) is None
    assert vendor_of(RawFile("c.csv", "c.csv", b"\x00\x01\x02")) is None


def test_every_metric_is_named_with_its_tool():
    assert all(name.split("_")[0] in {"ahrefs", "semrush", "majestic", "moz"} for name in VENDOR_METRICS)
    assert VENDOR_METRICS["ahrefs_dr"].label == "Ahrefs Domain rating"
    assert VENDOR_METRICS["majestic_source_topic"].sql_type == "VARCHAR"


# --- strangers' text and hostile input -----------------------------------------------------------


def test_hostile_text_is_kept_as_data(tmp_path):
    hostile = ["<script>alert(1)</script>", "nul\x00byte", "\u202eevil\u202c", "\x1b[31mred", "=HYPERLINK(\"x\")",
               "tab\tand\nnewline"]
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url=f"https://h.example/{i}", target_url="https://www.example.com/",
                   anchor=text, referring_page_title=text) for i, text in enumerate(hostile)]
    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, rows)))
    assert parsed.table.column("anchor_text").to_pylist() == hostile
    assert parsed.table.column("linking_title").to_pylist() == hostile


def test_huge_cell_is_read(tmp_path):
    huge = "x" * (20 << 20)
    rows = [row_of(BING_BACKLINKS, source_url="https://h.example/", target_url="https://www.example.com/", anchor_text=huge),
            row_of(BING_BACKLINKS, source_url="https://h.example/2", target_url="https://www.example.com/", anchor_text="ok")]
    parsed = parse(vendor_file(tmp_path, "bing.csv", utf8_csv(BING_BACKLINKS, rows)))
    assert [len(a) for a in parsed.table.column("anchor_text").to_pylist()] == [len(huge), 2]


def test_rows_without_linking_url_and_non_web_urls(tmp_path):
    rows = [["https://ok.example/", "a", "https://www.example.com/"], ["", "b", "https://www.example.com/"],
            ["javascript:alert(1)", "c", "https://www.example.com/"]]
    parsed = parse(vendor_file(tmp_path, "bing.csv", utf8_csv(BING_BACKLINKS, rows)))
    assert parsed.table.column("linking_url").to_pylist() == ["https://ok.example/", "javascript:alert(1)"]
    assert parsed.table.column("linking_domain").to_pylist() == ["ok.example", None]
    assert parsed.notes == ["1 rows without a linking URL left out", "1 linking URLs are not http(s) URLs (kept as text)"]


CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "true", "FALSE", "1", "-", "2026-09-01", "01/02/2026", "https://x.example/a", "https://www.example.com/", '"', "\r"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([AHREFS_BACKLINKS, SEMRUSH_BACKLINKS, MAJESTIC_BACKLINKS, MOZ_INBOUND_LINKS,
                               BING_BACKLINKS, AHREFS_REFERRING_DOMAINS, SEMRUSH_REFERRING_DOMAINS]),
       cells=st.lists(st.lists(CELL, min_size=1, max_size=40), min_size=1, max_size=8),
       excel=st.booleans(), site=st.sampled_from([None, SITE]))
def test_random_cells_never_give_a_traceback(tmp_path, header, cells, excel, site):
    rows = [(row + [""] * len(header))[: len(header)] for row in cells]
    data = for_excel(header, rows) if excel else utf8_csv(header, rows)
    path = vendor_file(tmp_path, "random.csv", data)
    try:
        parsed = parse(path, site=site)
    except GscBacklinksError as exc:
        assert "\n" not in str(exc)
        return
    assert parsed.rows <= parsed.file_rows
    table = parsed.table
    assert table.column_names[: len(DOMAIN_COLUMNS if parsed.export.referring_domains else LINK_COLUMNS)] == [
        n for n, _ in (DOMAIN_COLUMNS if parsed.export.referring_domains else LINK_COLUMNS)]
    assert all(line and "\n" not in line for line in parsed.notes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([AHREFS_BACKLINKS, MAJESTIC_BACKLINKS, BING_BACKLINKS, SEMRUSH_REFERRING_DOMAINS]),
       body=st.binary(max_size=300), form=st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-le-bom"]),
       delimiter=st.sampled_from([",", "\t", ";"]), before=st.binary(max_size=20))
def test_random_bytes_after_a_header_never_give_a_traceback(tmp_path, header, body, form, delimiter, before):
    head = delimiter.join(header) + "\n"
    data = {"utf-8": before + head.encode(), "utf-8-sig": b"\xef\xbb\xbf" + head.encode(),
            "utf-16-le": head.encode("utf-16-le"), "utf-16-le-bom": b"\xff\xfe" + head.encode("utf-16-le")}[form] + body
    try:
        parse(vendor_file(tmp_path, "random.csv", data), site=None)
    except GscBacklinksError as exc:
        assert "\n" not in str(exc)


def test_broken_row_of_bad_bytes_is_read_without_a_word_on_stderr(tmp_path, capfd):
    data = b"Source Url,Anchor text,Target Url\nhttps://a.example/,ok,https://www.example.com/\n" \
           b"https://b.example/,bad \xff,byte,https://www.example.com/\nhttps://c.example/,fine,https://www.example.com/\n"
    parsed = parse(vendor_file(tmp_path, "bing.csv", data))
    assert parsed.table.column("linking_url").to_pylist() == ["https://a.example/", "https://c.example/"]
    assert parsed.skipped_rows == 1
    assert capfd.readouterr().err == ""


def test_utf16_file_cut_short(tmp_path):
    data = b"\xff\xfe" + "Source Url,Anchor text,Target Url\nhttps://a.example/,x,https://www.example.com/\n".encode("utf-16-le")
    with pytest.raises(ExportError, match=r"says it is UTF-16-LE text but is not \(truncated data at byte [\d,]+\); "
                                          r"is it cut short\? download it again"):
        parse(vendor_file(tmp_path, "bing.csv", data[:-1]))


# --- the table goes straight into DuckDB, and pandas is never imported ----------------------------


def test_table_goes_into_duckdb_with_its_types(tmp_path):
    import duckdb

    parsed = parse(vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS)))
    con = duckdb.connect()
    observations = parsed.table  # noqa: F841  (read by DuckDB's replacement scan)
    columns = ", ".join(f"{name} {kind}" for name, kind in LINK_COLUMNS)
    metrics = ", ".join(f"{m.column} {m.sql_type}" for m in VENDOR_METRICS.values() if m.column.startswith("ahrefs")
                        and m.column in parsed.table.column_names)
    con.execute(f"CREATE TABLE link_observations ({columns}, {metrics})")
    con.execute("INSERT INTO link_observations BY NAME SELECT * FROM observations")
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE nofollow), max(ahrefs_dr), min(first_seen) "
                       "FROM link_observations").fetchone() == (3, 1, 71.0, dt.date(2023, 8, 10))


def test_parsing_does_not_import_pandas(tmp_path):
    path = vendor_file(tmp_path, AHREFS_NAME, utf8_csv(AHREFS_BACKLINKS, AHREFS_ROWS))
    code = ("import sys; from gsc_backlinks import urls; from gsc_backlinks.exports import collect; "
            "from gsc_backlinks.exports.thirdparty import parse_vendor_export; "
            f"p = parse_vendor_export(collect([{str(path)!r}]).files[0], site=urls.parse_property('sc-domain:example.com')); "
            "print(p.rows, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["3", "False"], out.stderr
