"""Hostile and broken input to `import`: one clear error line, and the store as it was.

Every bad file is refused with exit code != 0 and exactly one ``Error: …`` line
on stderr naming the file; no traceback; nothing written, whether the store
already held data or did not exist yet.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import sys
import time
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from clihelp import (  # noqa: E402
    SITE,
    error_line,
    export_name,
    export_text,
    fingerprint,
    import_ok,
    run,
    snapshot_count,
    write_export,
)

LATEST = export_name("Latest links")


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _many_latest_rows(n: int) -> list[str]:
    return [f"https://site{i}.example.org/page/{i}/,2026-05-{1 + i % 17:02d}" for i in range(n)]


# --- the bad files ------------------------------------------------------------------
# Each builder writes into `folder` and returns (paths to import, the path the error
# must name, a phrase the error must contain).


def empty_file(folder):
    p = folder / LATEST
    p.write_bytes(b"")
    return [p], p, "is empty"


def not_a_links_export(folder):
    p = folder / "contacts.csv"
    p.write_text("Name,Email\nBob,bob@example.org\n")
    return [p], p, "is not a Links export header this version knows"


def performance_export_zip(folder):
    """The Performance report's download: a zip of its tables, not Links exports."""
    p = folder / "https___www.example.com_-Performance-on-Search-2026-05-18.zip"
    p.write_bytes(_zip_bytes({
        "Queries.csv": b"Top queries,Clicks,Impressions,CTR,Position\nroses,12,340,3.53%,8.2",
        "Pages.csv": b"Top pages,Clicks,Impressions,CTR,Position\nhttps://www.example.com/,12,340,3.53%,8.2",
        "Countries.csv": b"Country,Clicks,Impressions,CTR,Position\nFrance,1,3,33.3%,2",
        "Devices.csv": b"Device,Clicks,Impressions,CTR,Position\nDesktop,1,3,33.3%,2",
        "Search appearance.csv": b"Search Appearance,Clicks,Impressions,CTR,Position",
        "Dates.csv": b"Date,Clicks,Impressions,CTR,Position\n2026-05-17,1,3,33.3%,2",
        "Filters.csv": b"Filter,Value\nSearch type,Web",
        "Chart.csv": b"Date,Clicks,Impressions,CTR,Position\n2026-05-17,1,3,33.3%,2",
    }))
    return [p], p, "this is a Search Console Performance export, not a Links export; search data comes from `gsc-backlinks sync`"


def performance_table_alone(folder):
    p = folder / "Queries.csv"
    p.write_bytes(b"Top queries,Clicks,Impressions,CTR,Position\nroses,12,340,3.53%,8.2")
    return [p], p, "this is a Search Console Performance export"


def binary_with_nuls(folder):
    p = folder / LATEST
    rng = random.Random(7)
    p.write_bytes(bytes(rng.randrange(256) for _ in range(3000)) + b"\x00" * 64)
    return [p], p, "binary file"


def png_renamed_csv(folder):
    p = folder / "https___www.example.com_-More sample links-2026-05-18.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
                  + bytes(range(256)) * 4)
    return [p], p, "binary file"


def truncated_zip(folder):
    data = _zip_bytes({LATEST: export_text("Latest links", _many_latest_rows(3000)).encode()})
    p = folder / "exports.zip"
    p.write_bytes(data[: len(data) // 2])
    return [p], p, "not a readable zip archive"


def corrupt_xlsx_random(folder):
    p = folder / export_name("Latest links", suffix=".xlsx")
    rng = random.Random(11)
    p.write_bytes(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(5000)))
    return [p], p, "corrupt or truncated"


def truncated_xlsx(folder):
    data = _xlsx_bytes([["Linking page", "Last crawled"]]
                       + [[f"https://site{i}.example.org/", "2026-05-17"] for i in range(2000)])
    p = folder / export_name("Latest links", suffix=".xlsx")
    p.write_bytes(data[: len(data) // 2])
    return [p], p, "corrupt or truncated"


def xlsx_with_broken_sheet(folder):
    """A well-formed zip whose worksheet XML is garbage."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["Linking page", "Last crawled"],
                                                   ["https://a.example.org/", "2026-05-17"]])))
    entries = {}
    for info in good.infolist():
        data = good.read(info)
        if info.filename.startswith("xl/worksheets/"):
            data = b"<worksheet><sheetData><row><c r='A1' t='s'><v>999</v></c></row" + bytes(range(256))
        entries[info.filename] = data
    p = folder / export_name("Latest links", suffix=".xlsx")
    p.write_bytes(_zip_bytes(entries))
    return [p], p, "cannot be read"


def zip_without_exports(folder):
    p = folder / "photos.zip"
    p.write_bytes(_zip_bytes({"photo.png": b"\x89PNG\r\n\x1a\n", "notes.md": b"# hi"}))
    return [p], p, "archive holds no CSV or XLSX files"


def zip_bomb_ratio(folder):
    """One entry of 200 MB of zeros: ~200 KB on disk."""
    p = folder / "bomb.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open(LATEST, "w", force_zip64=True) as handle:
        chunk = bytes(1 << 20)
        for _ in range(200):
            handle.write(chunk)
    return [p], p, "zip bomb"


def zip_sizes_that_lie(folder):
    """Headers claim 100 bytes; the entry inflates to 4 MB."""
    data = bytearray(_zip_bytes({LATEST: b"Linking page\n" + b"a" * (4 << 20)}))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 100)
    struct.pack_into("<I", data, central + 24, 100)
    p = folder / "liar.zip"
    p.write_bytes(bytes(data))
    return [p], p, "archive entry"


def zip_too_many_entries(folder):
    p = folder / "many.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for i in range(1001):
            zf.writestr(f"part{i}.csv", "Linking page\nhttps://a.example.org/\n")
    return [p], p, "1001 entries"


def zip_path_traversal(folder):
    p = folder / "evil.zip"
    p.write_bytes(_zip_bytes({"../../evil.csv": export_text("More sample links").encode()}))
    return [p], p, "unsafe path"


def nested_zip(folder):
    inner = _zip_bytes({LATEST: export_text("Latest links").encode()})
    p = folder / "outer.zip"
    p.write_bytes(_zip_bytes({"inner.zip": inner}))
    return [p], p, "archive inside an archive"


def huge_sparse_file(folder):
    p = folder / LATEST
    with p.open("wb") as f:
        f.truncate(2 * 1024 ** 3)
    return [p], p, "2.0 GB"


def other_property_file_name(folder):
    p = write_export(folder, "Latest links", slug="https___www.other-site.org_")
    return [p], p, "exported from property 'https___www.other-site.org_'"


def nonexistent_path(folder):
    p = folder / "no-such-export.csv"
    return [p], p, "no such file"


def unreadable_file(folder):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    p = write_export(folder, "Latest links")
    p.chmod(0)
    return [p], p, "cannot be read"


def drill_down_internal_without_target(folder):
    p = write_export(folder, "Your pages linking to this page",
                     ["https://www.example.com/blog/a/", "https://www.example.com/blog/b/"])
    return [p], p, "--target"


def drill_down_sites_without_target(folder):
    p = write_export(folder, "Top sites linking to this page", ["bbc.co.uk,12", "gardening.com,3"])
    return [p], p, "--target"


def good_then_bad(folder):
    good = write_export(folder, "Latest links")
    bad = folder / export_name("Top target pages")
    bad.write_text("Target page,Incoming links,Linking sites\nhttps://www.example.com/,lots,3\n")
    return [good, bad], bad, "is not a count"


def bad_then_good(folder):
    bad = folder / "a-contacts.csv"
    bad.write_text("Name,Email\nBob,bob@example.org\n")
    good = write_export(folder, "More sample links")
    return [bad, good], bad, "header"


def folder_with_one_bad_file(folder):
    sub = folder / "downloads"
    sub.mkdir()
    write_export(sub, "Latest links")
    write_export(sub, "More sample links")
    bad = sub / export_name("Top linking sites")
    bad.write_bytes(b"")
    return [sub], bad, "is empty"


CASES = [
    empty_file, not_a_links_export, performance_export_zip, performance_table_alone, binary_with_nuls,
    png_renamed_csv, truncated_zip, corrupt_xlsx_random, truncated_xlsx, xlsx_with_broken_sheet, zip_without_exports,
    zip_bomb_ratio, zip_sizes_that_lie, zip_too_many_entries,
    zip_path_traversal, nested_zip, huge_sparse_file, other_property_file_name, nonexistent_path,
    unreadable_file, drill_down_internal_without_target, drill_down_sites_without_target, good_then_bad,
    bad_then_good, folder_with_one_bad_file,
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each bad file is built once (the zip bomb takes a moment), lazily."""
    cache: dict = {}

    def get(case):
        if case not in cache:
            folder = tmp_path_factory.mktemp(case.__name__)
            cache[case] = case(folder)
        return cache[case]

    return get


def _check_refused(result, named: Path, phrase: str) -> str:
    line = error_line(result)
    assert str(named) in line, line
    assert phrase in line, line
    return line


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_refused_and_store_unchanged(case, built, tmp_path):
    paths, named, phrase = built(case)
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking sites"))
    before = fingerprint(store)
    assert len(before[0]) == 1
    started = time.monotonic()
    result = run(store, "import", *paths, "--site", SITE)
    _check_refused(result, named, phrase)
    assert time.monotonic() - started < 10
    assert fingerprint(store) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_refused_without_creating_a_store(case, built, tmp_path):
    paths, named, phrase = built(case)
    store = tmp_path / "new" / "s.duckdb"
    result = run(store, "import", *paths, "--site", SITE)
    _check_refused(result, named, phrase)
    assert snapshot_count(store) == 0


def test_exit_code_for_bad_data_is_65(built, tmp_path):
    paths, _, _ = built(not_a_links_export)
    assert run(tmp_path / "s.duckdb", "import", *paths, "--site", SITE).exit_code == 65


def test_huge_file_refused_by_size_without_reading(built, tmp_path):
    paths, _, _ = built(huge_sparse_file)
    started = time.monotonic()
    result = run(tmp_path / "s.duckdb", "import", *paths, "--site", SITE)
    assert time.monotonic() - started < 2
    line = error_line(result)
    assert "the largest file this tool reads is 512.0 MB" in line
    assert "GSC_BACKLINKS_MAX_FILE_MB" in line


def test_an_empty_export_is_imported_and_said_to_be_empty(tmp_path):
    # The header alone, no newline: how Search Console writes "no links of this kind on that date".
    store = tmp_path / "s.duckdb"
    path = write_export(tmp_path, "Latest links", [], final_newline=False)
    assert path.read_bytes() == b"Linking page,Last crawled"
    result = import_ok(store, path)
    assert result.stdout.splitlines()[:2] == [
        f"+ {path}: Latest links, 0 rows, snapshot #1 dated 2026-05-18 (date from file name)",
        "    note: Google lists no latest links on 2026-05-18 (an empty export: kept as a snapshot with 0 rows)",
    ]
    assert snapshot_count(store) == 1


def test_skip_unknown_names_a_performance_export_once(tmp_path, built):
    paths, named, _ = built(performance_export_zip)
    store = tmp_path / "s.duckdb"
    result = import_ok(store, *paths, write_export(tmp_path, "Latest links", final_newline=False),
                       extra=("--skip-unknown",))
    assert [line for line in result.stdout.splitlines() if line.startswith("- skipped")] == [
        f"- skipped {named}: this is a Search Console Performance export, not a Links export; "
        "search data comes from `gsc-backlinks sync`"]
    assert snapshot_count(store) == 1


def test_skip_unknown_leaves_out_only_unknown_headers(tmp_path):
    store = tmp_path / "s.duckdb"
    bad = tmp_path / "contacts.csv"
    bad.write_text("Name,Email\nBob,bob@example.org\n")
    good = write_export(tmp_path, "Latest links")
    result = import_ok(store, bad, good, extra=("--skip-unknown",))
    assert f"- skipped {bad}: header" in result.stdout
    assert snapshot_count(store) == 1


# --- hostile names in error lines ----------------------------------------------------------
# Zip entry names come from whoever made the archive.  The success line ("+ …")
# passes them through urls.printable(); the error line must too.

ERROR_LINE_BUG = ("BUG: cli.py Group.invoke echoes f'Error: {exc}' without urls.printable(), and "
                  "ExportError messages embed the raw file / zip-entry name, so control characters in an "
                  "(attacker-chosen) zip entry name reach the terminal: an OSC/BEL escape passes through "
                  "(click only strips CSI colour codes) and a newline splits the one error line in two")


def _zip_with_entry(folder: Path, entry: str) -> Path:
    p = folder / "from-a-stranger.zip"
    p.write_bytes(_zip_bytes({entry: b"Name,Email\nBob,bob@example.org\n"}))
    return p


def test_error_line_has_no_terminal_escape_from_a_zip_entry_name(tmp_path):
    p = _zip_with_entry(tmp_path, "report\x1b]0;pwned\x07.csv")
    result = run(tmp_path / "s.duckdb", "import", p, "--site", SITE)
    assert result.exit_code == 65
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_error_line_stays_one_line_with_a_newline_in_a_zip_entry_name(tmp_path):
    p = _zip_with_entry(tmp_path, "report\nError: everything is fine.csv")
    error_line(run(tmp_path / "s.duckdb", "import", p, "--site", SITE))


def test_success_line_has_no_terminal_escape_from_a_zip_entry_name(tmp_path):
    p = tmp_path / "from-a-stranger.zip"
    p.write_bytes(_zip_bytes({"report\x1b]0;pwned\x07.csv": b"Linking page\nhttps://a.example.org/\n"}))
    result = import_ok(tmp_path / "s.duckdb", p)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "report\ufffd]0;pwned\ufffd.csv: More sample links, 1 rows" in result.stdout


# --- wrong --site ---------------------------------------------------------------------


def test_bare_domain_site_suggests_domain_property(tmp_path):
    store = tmp_path / "s.duckdb"
    result = run(store, "import", write_export(tmp_path, "Latest links"), "--site", "example.com")
    line = error_line(result)
    assert result.exit_code == 2
    assert "'example.com' is not a Search Console property name" in line
    assert "use sc-domain:example.com" in line
    assert "https://example.com/" in line
    assert not store.exists()


def test_bare_www_host_suggests_both_forms(tmp_path):
    result = run(tmp_path / "s.duckdb", "import", write_export(tmp_path, "Latest links"),
                 "--site", "www.example.com")
    line = error_line(result)
    assert "sc-domain:example.com" in line and "https://www.example.com/" in line


def test_domain_property_file_name_matches(tmp_path):
    """A Domain property's exports are named after the bare domain."""
    store = tmp_path / "s.duckdb"
    p = write_export(tmp_path, "Latest links", slug="example.com")
    import_ok(store, p, site="sc-domain:example.com")
    assert snapshot_count(store) == 1


@pytest.mark.parametrize("slug", ["myexample.com", "sub.example.com", "example.com.au"])
def test_file_name_of_a_similar_domain_property_is_refused(tmp_path, slug):
    store = tmp_path / "s.duckdb"
    p = write_export(tmp_path, "Latest links", slug=slug)
    result = run(store, "import", p, "--site", "sc-domain:example.com")
    line = error_line(result)
    assert f"exported from property '{slug}'" in line
    assert snapshot_count(store) == 0


def test_file_name_with_a_prefix_the_user_added_is_accepted(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Latest links", slug="gsc_example.com"), site="sc-domain:example.com")
    assert snapshot_count(store) == 1


# --- hostile cell contents import fine ---------------------------------------------------

HOSTILE_LINKING = [
    "https://evil.example.org/<script>alert(1)</script>",
    "javascript:alert(1)",
    "=cmd|' /C calc'!A0",
    "bell\x07and\x1b[2Jclear",
]
HOSTILE_TEXT = ["<script>alert(1)</script>", "=cmd|' /C calc'!A0", "ctrl\x01\x1b[2Jchars", "javascript:alert(1)"]


def _csv_row(*cells: str) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


@pytest.fixture
def hostile_store(tmp_path):
    store = tmp_path / "s.duckdb"
    sample = write_export(tmp_path, "More sample links", [_csv_row(u) for u in HOSTILE_LINKING])
    text = write_export(tmp_path, "Top linking text", [_csv_row(str(i), t) for i, t in enumerate(HOSTILE_TEXT, 1)])
    result = import_ok(store, sample, text)
    assert "note: 3 rows are not http(s) URLs (kept as text)" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    return store


def test_hostile_linking_pages_are_kept_as_text(hostile_store):
    result = run(hostile_store, "links", "samples", "--site", SITE, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["linking_url"]: r for r in json.loads(result.stdout)["rows"]}
    assert set(rows) == {
        "https://evil.example.org/%3Cscript%3Ealert(1)%3C/script%3E",  # a real URL: percent-encoded
        "javascript:alert(1)", "=cmd|' /C calc'!A0", "bell\x07and\x1b[2Jclear",  # text: verbatim
    }
    assert rows["javascript:alert(1)"]["linking_domain"] is None
    assert rows["https://evil.example.org/%3Cscript%3Ealert(1)%3C/script%3E"]["linking_domain"] == "example.org"


def test_hostile_anchor_text_is_kept_verbatim(hostile_store):
    result = run(hostile_store, "links", "anchors", "--site", SITE, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["anchor_text"] for r in json.loads(result.stdout)["rows"]] == HOSTILE_TEXT


def test_hostile_text_is_defused_in_csv_and_table(hostile_store):
    csv_out = run(hostile_store, "links", "samples", "--site", SITE, "--format", "csv").stdout
    assert "\n'=cmd|' /C calc'!A0," in csv_out or "\n\"'=cmd|' /C calc'!A0\"," in csv_out
    table = run(hostile_store, "links", "anchors", "--site", SITE, "--top", "0", env={"COLUMNS": "200"}).stdout
    assert "\x1b" not in table and "\x01" not in table
    assert "<script>alert(1)</script>" in table
