"""The same bytes are not the same snapshot; stores of an older schema move to Google's grouping of sites.

Only the same kind, date, target and content is a repeat.  Two drill-downs of
different pages may be byte-identical (seen in real exports), and an unchanged
export downloaded a week later is news that nothing changed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb

from gsc_backlinks.jobs import demo
from gsc_backlinks.store.migrations import MIGRATIONS

from clihelp import SITE, import_ok, run, stored, unwrapped, write_export

ROSES = "https://www.example.com/roses/"
TULIPS = "https://www.example.com/tulips/"


def test_two_identical_drill_downs_of_two_pages_are_two_snapshots(tmp_path):
    store = tmp_path / "s.duckdb"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    rows = ["gardening.com,3", "bbc.co.uk,1"]
    first = write_export(a, "Top sites linking to this page", rows, final_newline=False)
    second = write_export(b, "Top sites linking to this page", rows, final_newline=False)
    assert first.read_bytes() == second.read_bytes()
    import_ok(store, first, extra=("--target", ROSES))
    result = import_ok(store, second, extra=("--target", TULIPS))
    assert "already imported" not in result.stdout
    for page in (ROSES, TULIPS):  # each page keeps its linking sites
        doc = json.loads(run(store, "page", page, "--site", SITE, "--format", "json").stdout)
        assert sorted(s["site"] for s in doc["linking_sites"]) == ["bbc.co.uk", "gardening.com"]
    # The very same file for the very same page again is a repeat.
    again = import_ok(store, second, extra=("--target", TULIPS))
    assert "already imported" in again.stdout
    assert stored(store, "SELECT count(*) FROM snapshots")[0][0] == 2


def test_an_unchanged_export_a_week_later_is_a_new_snapshot_that_says_so(tmp_path):
    # Copy the demo's 2026-11-17 Top linking sites export as the 2026-11-24 one, as a user re-downloading it would.
    store = tmp_path / "demo.duckdb"
    demo.load_sample_data(store)
    source = next(p for p in demo.sample_files() if "Top linking sites-2026-11-17" in p.name)
    copy = tmp_path / source.name.replace("2026-11-17", "2026-11-24")
    shutil.copy(source, copy)
    result = import_ok(store, copy, site=demo.DEMO_SITE)
    assert "unchanged since 2026-11-17" in result.stdout
    doc = json.loads(run(store, "links", "sources", "--site", demo.DEMO_SITE, "--format", "json").stdout)
    assert doc["rows"][0]["snapshot_date"] == "2026-11-24"

    out = tmp_path / "reports"
    report = run(store, "report", "weekly", "--site", demo.DEMO_SITE, "--offline", "--out", out, "--week", "2026-W48",
                 "--now", "2026-12-01T17:00:00Z")
    assert report.exit_code == 0, report.output
    html = unwrapped(Path(report.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8"))
    assert "unchanged since 2026-11-17" in html
    # The week of 23–29 Nov compares 24 Nov with 17 Nov: the same domains, so no "new" ones this week.
    assert ('<h3>New linking domains</h3><p class="note">Top linking sites snapshots 2026-11-17 → 2026-11-24; '
            'most valuable first.') in html
    new_domains = html.split("<h3>New linking domains</h3>")[1].split("</div>")[0]
    assert "None." in new_domains


def _store_at(path: Path, version: int) -> None:
    """A store as gsc-backlinks wrote it at an older schema version."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for number, name, sql in MIGRATIONS[:version]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    con.close()


def test_a_schema_6_store_drops_content_uniqueness_and_groups_blogs_as_google_does(tmp_path):
    path = tmp_path / "old.duckdb"
    _store_at(path, 6)
    con = duckdb.connect(str(path))
    con.execute("""INSERT INTO snapshots (property, kind, snapshot_date, date_source, source_name, content_hash,
                       row_count, file_rows, language, imported_at)
                   VALUES (?, 'sample_links', DATE '2026-05-11', 'file name', 'a.csv', 'h1', 2, 2, 'en', now())""", [SITE])
    # Stored before: each blog its own domain (the private section of the suffix list).
    con.execute("""INSERT INTO linking_pages VALUES
                   (1, 'https://alice.blogspot.com/roses/', 'alice.blogspot.com', NULL),
                   (1, 'https://www.bbc.co.uk/garden/', 'bbc.co.uk', NULL)""")
    con.close()

    result = run(path, "links", "domains", "--site", SITE, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["linking_domain"] for r in json.loads(result.stdout)["rows"]] == ["bbc.co.uk", "blogspot.com"]
    assert stored(path, "SELECT linking_domain FROM linking_pages ORDER BY linking_url") == [
        ("blogspot.com",), ("bbc.co.uk",)]
    # The same content may now be held under two dates (a re-export).
    later = tmp_path / "later"
    later.mkdir()
    import_ok(path, write_export(later, "More sample links", ["https://alice.blogspot.com/roses/"], date="2026-05-18"))
    import_ok(path, write_export(tmp_path, "More sample links", ["https://alice.blogspot.com/roses/"], date="2026-05-25"))
    dates = stored(path, "SELECT snapshot_date, same_as IS NOT NULL FROM snapshots ORDER BY snapshot_date")
    assert dates == [(dt.date(2026, 5, 11), False), (dt.date(2026, 5, 18), False), (dt.date(2026, 5, 25), True)]
