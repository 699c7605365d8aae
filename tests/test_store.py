"""The DuckDB store: schema migrations, all-or-nothing imports, and sharing with other processes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gsc_backlinks.analysis.pages import most_linked_pages  # noqa: E402
from gsc_backlinks.analysis.snapshots import Snapshots  # noqa: E402
from gsc_backlinks.errors import StoreError  # noqa: E402
from gsc_backlinks.jobs import importing  # noqa: E402
from gsc_backlinks.store import migrations as store_mod  # noqa: E402
from gsc_backlinks.store import open_store  # noqa: E402
from gsc_backlinks.store import ranks as stored_ranks  # noqa: E402
from gsc_backlinks.store.snapshots import save_imports  # noqa: E402

from clihelp import (  # noqa: E402
    SITE,
    error_line,
    fingerprint,
    import_ok,
    run,
    run_sub,
    snapshot_count,
    write_export,
)


@pytest.fixture
def filled(tmp_path):
    """A store holding one Top linking sites snapshot for SITE."""
    path = tmp_path / "s.duckdb"
    import_ok(path, write_export(tmp_path, "Top linking sites"))
    return path


def _sql(path: Path, sql: str, params=None, *, write: bool = False):
    con = duckdb.connect(str(path), read_only=not write)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --- migrations ---------------------------------------------------------------------


def test_new_store_records_every_migration_in_order(filled):
    rows = _sql(filled, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == list(range(1, store_mod.SCHEMA_VERSION + 1))
    assert rows[0][1] == "snapshots of Links exports"
    assert len(store_mod.MIGRATIONS) == store_mod.SCHEMA_VERSION


def test_a_version_1_store_is_migrated_and_keeps_its_snapshots(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    con.execute(store_mod.MIGRATIONS[0][2])
    con.execute("INSERT INTO schema_migrations VALUES (1, 'snapshots of Links exports', now())")
    con.execute(
        "INSERT INTO snapshots (property, kind, snapshot_date, date_source, source_name, content_hash, row_count, "
        "file_rows, language, imported_at) "
        "VALUES (?, 'latest_links', DATE '2026-05-01', 'option', 'a.csv', 'h', 1, 1, 'en', now())",
        [SITE],
    )
    con.execute(
        "INSERT INTO linking_pages VALUES (1, 'https://blog.example.org/a', 'blog.example.org', 'example.org', DATE '2026-04-30')"
    )
    con.close()

    result = run(path, "links", "sources", "--site", SITE, "--format", "json")

    assert result.exit_code == 0, result.output
    assert '"a.csv"' in result.output
    versions = [r[0] for r in _sql(path, "SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, store_mod.SCHEMA_VERSION + 1))
    assert _sql(path, "SELECT count(*) FROM search_days") == [(0,)]
    # Migrations 3 and 5 rebuilt linking_pages: its rows are all still there.
    assert _sql(path, "SELECT linking_url, linking_domain, last_crawled FROM linking_pages") == [
        ("https://blog.example.org/a", "example.org", dt.date(2026, 4, 30))
    ]


def test_a_migration_that_fails_leaves_the_store_at_its_old_version(tmp_path, monkeypatch):
    # Stopped half-way (here: a later migration fails), a store keeps its old schema and rows:
    # the pending migrations are one transaction, so none of them is left applied.
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for number, name, sql in store_mod.MIGRATIONS[:3]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    con.execute("INSERT INTO linking_pages VALUES (7, 'https://a.example/x', 'a.example', 'a.example', NULL)")
    con.close()
    failing = (len(store_mod.MIGRATIONS) + 1, "broken", "SELECT * FROM no_such_table")
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, failing])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", failing[0])

    with pytest.raises(duckdb.Error), open_store(path, write=True):
        pass

    assert _sql(path, "SELECT max(version) FROM schema_migrations") == [(3,)]
    assert _sql(path, "SELECT * FROM linking_pages") == [
        (7, "https://a.example/x", "a.example", "a.example", None)]
    assert _sql(path, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'rank_sources'") == [(0,)]


def test_a_version_10_stores_link_checks_stay_the_propertys_after_migration_11(tmp_path):
    # Schema 11 marks the link gap's page checks (check --competitors); the checks a store already held are the
    # property's own linking pages, as they were, and still count as its links.
    from gsc_backlinks.analysis.checks import check_coverage, latest_checks

    path = tmp_path / "v10.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for number, name, sql in [m for m in store_mod.MIGRATIONS if m[0] <= 10]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    con.execute("""INSERT INTO page_checks (property, url, own, checked_at, status, reason, links)
                   VALUES (?, 'https://blog.example.org/a', false, TIMESTAMP '2026-05-01 10:00', 'live', 'links', 1)""",
                [SITE])
    con.close()

    with open_store(path, write=True) as con:
        assert [p.url for p in latest_checks(con, SITE)] == ["https://blog.example.org/a"]
        assert check_coverage(con, SITE).pages_checked == 1
    assert _sql(path, "SELECT gap FROM page_checks") == [(False,)]
    assert _sql(path, "SELECT max(version) FROM schema_migrations") == [(store_mod.SCHEMA_VERSION,)]


def test_store_from_a_newer_version_is_refused(filled, tmp_path):
    _sql(filled, "INSERT INTO schema_migrations VALUES (999, 'from the future', now())", write=True)
    before = fingerprint(filled)

    with pytest.raises(StoreError, match="newer"), open_store(filled):
        pass
    with pytest.raises(StoreError, match="newer"), open_store(filled, write=True):
        pass

    result = run(filled, "links", "sources", "--site", SITE)
    line = error_line(result)
    assert result.exit_code == 74
    assert f"written by a newer gsc-backlinks (schema 999, this one knows {store_mod.SCHEMA_VERSION})" in line

    result = run(filled, "import", write_export(tmp_path, "Latest links"), "--site", SITE)
    assert "newer" in error_line(result)
    assert result.exit_code == 74
    assert fingerprint(filled) == before
    assert _sql(filled, "SELECT max(version) FROM schema_migrations") == [(999,)]


@pytest.mark.parametrize("command", ["links", "import"])
def test_a_file_that_is_not_duckdb_is_refused(tmp_path, command):
    path = tmp_path / "notes.duckdb"
    content = b"these are my notes, not a database\n" * 200
    path.write_bytes(content)
    if command == "links":
        result = run(path, "links", "sources", "--site", SITE)
    else:
        result = run(path, "import", write_export(tmp_path, "Latest links"), "--site", SITE)
    line = error_line(result)
    assert result.exit_code == 74
    assert str(path) in line
    assert "is not a gsc-backlinks store" in line
    assert path.read_bytes() == content  # never overwritten


def test_a_duckdb_file_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    _sql(path, "CREATE TABLE invoices (id INTEGER)", write=True)
    result = run(path, "import", write_export(tmp_path, "Latest links"), "--site", SITE)
    line = error_line(result)
    assert result.exit_code == 74
    assert "holds other tables" in line
    assert _sql(path, "SELECT table_name FROM information_schema.tables") == [("invoices",)]


def test_store_folder_is_created(tmp_path):
    path = tmp_path / "deep" / "er" / "s.duckdb"
    import_ok(path, write_export(tmp_path, "Latest links"))
    assert snapshot_count(path) == 1


# --- all or nothing ---------------------------------------------------------------------


def _break_second_file(monkeypatch, breaker):
    """Make importing.parse_export hand over a broken second file."""
    real = importing.parse_export
    calls = []

    def wrapped(raw, *args, **kwargs):
        parsed = real(raw, *args, **kwargs)
        calls.append(raw.display)
        return breaker(parsed) if len(calls) == 2 else parsed

    monkeypatch.setattr(importing, "parse_export", wrapped)


def _wrong_column(parsed):
    parsed.table = parsed.table.rename_columns(["nonsense"] + parsed.table.column_names[1:])
    return parsed


@pytest.mark.parametrize("existing", [True, False], ids=["store-with-data", "new-store"])
def test_failed_insert_midway_leaves_no_snapshot(tmp_path, monkeypatch, existing):
    path = tmp_path / "s.duckdb"
    if existing:
        import_ok(path, write_export(tmp_path, "Top linking sites"))
    before = fingerprint(path)
    first = write_export(tmp_path, "Latest links")
    second = write_export(tmp_path, "Top target pages")
    _break_second_file(monkeypatch, _wrong_column)

    result = run(path, "import", first, second, "--site", SITE)
    assert result.exit_code != 0
    assert isinstance(result.exception, duckdb.Error)  # a bug, so it keeps its traceback
    after = fingerprint(path)
    if existing:
        assert after == before
    else:
        assert snapshot_count(path) == 0
        assert after[1] == {"linking_pages": 0, "target_pages": 0, "linking_sites": 0, "linking_text": 0}


def test_failed_insert_via_library_rolls_back(filled, tmp_path):
    from gsc_backlinks import urls
    from gsc_backlinks.exports import collect, parse_export

    prop = urls.parse_property(SITE)
    files = collect([write_export(tmp_path, "Latest links"), write_export(tmp_path, "Top linking text")]).files
    parsed = [parse_export(raw, prop) for raw in files]
    _wrong_column(parsed[1])
    before = fingerprint(filled)
    with pytest.raises(duckdb.Error), open_store(filled, write=True) as con:
        save_imports(con, SITE, parsed, now=dt.datetime.now())
    assert fingerprint(filled) == before


class _Interrupting:
    """A parsed export that is interrupted (Ctrl-C) while its rows are written."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def table(self):
        raise KeyboardInterrupt


def test_ctrl_c_midway_says_so_and_keeps_the_store(filled, tmp_path, monkeypatch):
    before = fingerprint(filled)
    _break_second_file(monkeypatch, _Interrupting)
    result = run(filled, "import", write_export(tmp_path, "Latest links"), write_export(tmp_path, "Top linking text"),
                 "--site", SITE)
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        "Interrupted; nothing was half-written (the store keeps only whole imports and whole days)."
    ]
    assert fingerprint(filled) == before


# --- other processes ----------------------------------------------------------------------

HOLDER = (
    "import duckdb, sys, time\n"
    "c = duckdb.connect(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "c.close()\n"
)


def _hold(path: Path, seconds: float) -> tuple[subprocess.Popen, float]:
    """Another process holding the store open for writing; returns it and when it will let go."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, time.monotonic() + seconds


def test_busy_store_fails_fast_with_a_short_timeout_and_waits_with_a_long_one(filled, tmp_path):
    holder, released = _hold(filled, 3)
    try:
        started = time.monotonic()
        result = run(filled, "links", "sources", "--site", SITE, "--format", "json",
                     env={"GSC_BACKLINKS_LOCK_TIMEOUT": "0.5"})
        assert time.monotonic() - started < 2.5
        line = error_line(result)
        assert result.exit_code == 75
        assert "busy" in line and "GSC_BACKLINKS_LOCK_TIMEOUT" in line

        result = run(filled, "import", write_export(tmp_path, "Latest links"), "--site", SITE,
                     env={"GSC_BACKLINKS_LOCK_TIMEOUT": "0.5"})
        assert result.exit_code == 75
        assert "busy" in error_line(result)

        result = run(filled, "links", "sources", "--site", SITE, "--format", "json",
                     env={"GSC_BACKLINKS_LOCK_TIMEOUT": "10"})
        assert time.monotonic() >= released, "the command should have waited for the holder to finish"
        assert result.exit_code == 0, result.output
        assert [r["label"] for r in json.loads(result.stdout)["rows"]] == ["Top linking sites"]
    finally:
        holder.kill()
        holder.wait()
    assert snapshot_count(filled) == 1  # the refused import wrote nothing


def test_two_imports_at_once_both_land(tmp_path):
    path = tmp_path / "s.duckdb"
    files = [write_export(tmp_path, "Latest links"), write_export(tmp_path, "Top linking text")]
    procs = [
        subprocess.Popen([sys.executable, "-m", "gsc_backlinks", "--store", str(path), "import", str(f),
                          "--site", SITE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in files
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        assert "1 imported" in out
    kinds = sorted(r[0] for r in _sql(path, "SELECT kind FROM snapshots"))
    assert kinds == ["latest_links", "top_linking_text"]


def test_store_path_from_environment(tmp_path):
    path = tmp_path / "env.duckdb"
    proc = run_sub("import", write_export(tmp_path, "Latest links"), "--site", SITE,
                   env={"GSC_BACKLINKS_STORE": str(path)})
    assert proc.returncode == 0, proc.stderr
    assert snapshot_count(path) == 1


# --- reading -----------------------------------------------------------------------------


def _two_top_target_pages(tmp_path) -> Path:
    """A store with two Top target pages snapshots of SITE, a week apart, the newer one different."""
    path = tmp_path / "s.duckdb"
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    import_ok(path, write_export(old, "Top target pages", ["https://www.example.com/old/,99,9"], date="2026-05-11"))
    import_ok(path, write_export(new, "Top target pages", date="2026-05-18"))
    return path


def test_latest_snapshot_leaves_the_connection_free_for_register(tmp_path):
    # DuckDB 2 keeps a result that fetchone() left unfinished open, and register() then refuses to run.
    import pyarrow as pa

    path = _two_top_target_pages(tmp_path)
    with open_store(path) as con:
        assert Snapshots.read(con, SITE).newest("latest_links") is None
        assert Snapshots.read(con, SITE, dt.date(2026, 5, 12)).newest("top_target_pages").date == dt.date(2026, 5, 11)
        snapshot = Snapshots.read(con, SITE).newest("top_target_pages")
        assert (snapshot.kind, snapshot.date) == ("top_target_pages", dt.date(2026, 5, 18))
        con.register("incoming", pa.Table.from_pydict({"n": pa.array([1, 2], pa.int64())}))
        assert con.execute("SELECT sum(n) FROM incoming").fetchall() == [(3,)]


def test_most_linked_pages_come_from_the_newest_top_target_pages(tmp_path):
    path = _two_top_target_pages(tmp_path)
    with open_store(path) as con:
        assert most_linked_pages(con, Snapshots.read(con, SITE), 2) == ["https://www.example.com/", "https://www.example.com/roses/"]
        assert most_linked_pages(con, Snapshots.read(con, "https://other.example/"), 2) == []


def test_authority_status_counts_in_the_store_without_fetching_lists(tmp_path, monkeypatch):
    # Status shows how many linking domains there are and how many each rank file has not looked
    # up: counted by DuckDB, not by fetching every name (hundreds of thousands in a big store).
    path = tmp_path / "s.duckdb"
    import_ok(path, write_export(tmp_path, "Top linking sites"))  # bbc.co.uk, gardening.com
    tranco = tmp_path / "top-1m.csv"
    tranco.write_text("1,bbc.co.uk\r\n2,google.com\r\n", newline="")
    assert run(path, "authority", "load", str(tranco)).exit_code == 0
    later = tmp_path / "later"
    later.mkdir()
    import_ok(path, write_export(later, "Top linking sites", ["rosegrowers.org,3,1", "bbc.co.uk,40,6"], date="2026-05-25"))
    with open_store(path) as con:
        source_id = stored_ranks.rank_sources(con, ("tranco",))[0]["source_id"]
        assert stored_ranks.linking_domain_count(con) == len(stored_ranks.linking_domain_names(con)) == 3
        assert stored_ranks.not_looked_up_count(con, source_id) == len(stored_ranks.domains_not_looked_up(con, source_id)) == 1
        assert stored_ranks.not_looked_up_count(con, source_id + 1) == 3  # a source that looked up nothing

    def fetches_a_list(*args):
        raise AssertionError("status fetched a whole list to count it")

    monkeypatch.setattr(stored_ranks, "linking_domain_names", fetches_a_list)
    monkeypatch.setattr(stored_ranks, "domains_not_looked_up", fetches_a_list)
    result = run(path, "authority", "status", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["linking_domains"] == 3
    assert [(r["looked_up"], r["ranked"], r["not_looked_up"]) for r in doc["rank_files"]] == [(2, 1, 1)]
