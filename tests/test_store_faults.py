"""Faults of the disk and the store made for real, and text that attacks the terminal.

Each fault is real: a file-size limit (``ulimit -f``) stands for a full disk, a
folder without write permission (root gets its permission checks back with its
DAC capabilities dropped, via ``setpriv``), a store cut to half its size, a
block overwritten with random bytes, a SQLite file where the store should be.
Each ends in one ``Error:`` line with exit code 74, and the store is as it was.
"""

from __future__ import annotations

import json
import os
import pty
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gsc_backlinks.jobs import demo

from clihelp import REPO, SITE, error_line, fingerprint, import_ok, run, stored, write_export

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the faults are made with Linux tools")


def cli(*args, env: dict | None = None, limit: int | None = None, unprivileged: bool = False,
        no_network: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m gsc_backlinks ARGS`` as a user runs it, under the fault asked for."""
    cmd = [sys.executable, "-m", "gsc_backlinks", *map(str, args)]
    if unprivileged and os.geteuid() == 0:  # root ignores file permissions unless it drops these capabilities
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *cmd]
    if no_network:
        cmd = ["unshare", "--net", "--", *cmd]

    def preexec():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **(env or {})}, preexec_fn=preexec)


def one_error_line(proc: subprocess.CompletedProcess, code: int = 74) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


def big_latest_links(folder: Path, rows: int, date: str = "2026-05-25") -> Path:
    body = [f"https://host{i % 5000}.example.org/a/long/path/to/page-{i}/,2026-05-{1 + i % 28:02d}" for i in range(rows)]
    return write_export(folder, "Latest links", body, date=date)


@pytest.fixture
def filled(tmp_path) -> Path:
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    import_ok(store, write_export(tmp_path, "Top linking sites"), write_export(tmp_path, "Latest links"))
    return store


# --- 1. the disk is full ---------------------------------------------------------------------------------


def test_an_import_that_fills_the_disk_is_one_line_and_keeps_the_store(filled, tmp_path):
    before = fingerprint(filled)
    export = big_latest_links(tmp_path, 150_000)
    limit = os.path.getsize(filled) + 1_500_000  # room for a little, not for 150,000 rows
    proc = cli("--store", filled, "import", export, "--site", SITE, limit=limit)
    line = one_error_line(proc)
    assert "the disk is full" in line and str(filled) in line and "free some space" in line
    assert "gsc-backlinks store check" in line and "gsc-backlinks store backup" in line
    assert fingerprint(filled) == before


def test_a_sync_that_fills_the_disk_is_one_line_and_keeps_whole_days(authorized, tmp_path):
    from googlehelp import DAYS, DOMAIN, END, FINAL_UNTIL, START
    from standin import SearchData

    # Days big enough that the write-ahead log outgrows the file-size limit part-way.
    authorized.data = SearchData(sites=[DOMAIN], days=DAYS, final_until=FINAL_UNTIL, pages_per_day=400,
                                 queries_per_page=20)
    store = tmp_path / "s.duckdb"
    assert cli("--store", store, "sync", "--site", DOMAIN, "--start", START, "--end", START).returncode == 0
    proc = cli("--store", store, "sync", "--site", DOMAIN, "--start", START, "--end", END, "--workers", "1",
               limit=300_000)
    line = one_error_line(proc)
    assert "the disk is full" in line and str(store) in line
    days = stored(store, "SELECT day, query_rows FROM search_days ORDER BY day")
    assert days and days[0][0] == DAYS[0]
    for day, query_rows in days:  # whatever is held is whole
        assert stored(store, "SELECT count(*) FROM search_queries WHERE day = ?", [day])[0][0] == query_rows


# --- 1. a folder the store may not be written in -----------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("import", "EXPORT", "--site", SITE),
    ("brand", "--site", SITE, "--add", "Rosy Shop"),
    ("sync", "--site", "DOMAIN", "--start", "START", "--end", "START"),
])
def test_a_read_only_store_folder_is_one_line_and_changes_nothing(filled, tmp_path, command, request):
    (tmp_path / "new").mkdir()
    export = write_export(tmp_path / "new", "Top target pages", date="2026-05-25")
    if command[0] == "sync":  # against the loopback stand-in for Google
        from googlehelp import DOMAIN, START

        request.getfixturevalue("authorized")
        command = tuple({"DOMAIN": DOMAIN, "START": START}.get(a, a) for a in command)
    before = filled.read_bytes()
    filled.parent.chmod(0o555)
    try:
        args = [export if a == "EXPORT" else a for a in command]
        line = one_error_line(cli("--store", filled, *args, unprivileged=True))
    finally:
        filled.parent.chmod(0o755)
    assert "no permission to write in its folder" in line and str(filled.parent) in line
    assert "gsc-backlinks store backup" in line and "gsc-backlinks store check" in line
    assert filled.read_bytes() == before
    assert sorted(p.name for p in filled.parent.iterdir()) == [filled.name]


def test_a_store_file_that_may_not_be_read_is_named_as_such(filled):
    before = filled.read_bytes()
    filled.chmod(0o200)
    try:
        line = one_error_line(cli("--store", filled, "links", "sources", "--site", SITE, unprivileged=True))
    finally:
        filled.chmod(0o644)
    assert f"store {filled} cannot be opened: no permission to read the file; fix its permissions" in line
    assert "gsc-backlinks store check" in line and "gsc-backlinks store backup" in line
    assert filled.read_bytes() == before


# --- 1. a damaged store file ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.load_sample_data(path)
    return path


def test_a_store_cut_in_half_is_one_line_for_every_command(demo_store, tmp_path):
    cut = tmp_path / "cut.duckdb"
    data = demo_store.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    for args in (("store", "check"), ("report", "weekly", "--site", demo.DEMO_SITE, "--offline", "--out", tmp_path),
                 ("brand", "--site", demo.DEMO_SITE, "--add", "x"),
                 ("links", "sources", "--site", demo.DEMO_SITE),
                 ("store", "backup", tmp_path / "copy.duckdb"), ("store", "compact")):
        line = one_error_line(cli("--store", cut, *args))
        assert "is damaged" in line and "restore a backup" in line and "--store" in line
    assert cut.read_bytes() == data[: len(data) // 2]
    assert sorted(p.name for p in tmp_path.iterdir() if "duckdb" in p.name) == ["cut.duckdb"]  # no copy left


def _corrupt(store: Path, into: Path) -> Path:
    """A copy of the store with 4 KB of a data block of its biggest table (search_queries) overwritten with
    random bytes.

    The block is found by asking DuckDB where the table's data lies (``pragma_storage_info``): the middle of
    the file may be an index or metadata block, or the unused end of a block, that no read touches.  A block
    sits at 3 x 4 KB (the file's headers) + block id x block size, after its 8-byte checksum.
    """
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        blocks = [b for (b,) in con.execute("SELECT DISTINCT block_id FROM pragma_storage_info('search_queries') "
                                            "WHERE block_id >= 0 ORDER BY 1").fetchall()]
    finally:
        con.close()
    shutil.copy(store, into)
    with open(into, "r+b") as f:
        f.seek(3 * 4096 + blocks[len(blocks) // 2] * block_size + 8)
        f.write(os.urandom(4096))
    return into


def test_a_corrupt_block_is_found_by_reads_writes_and_store_check(demo_store, tmp_path):
    bad = _corrupt(demo_store, tmp_path / "bad.duckdb")
    data = bad.read_bytes()
    check = one_error_line(cli("--store", bad, "store", "check"))
    assert "is damaged: table" in check and "cannot be read" in check
    report = one_error_line(cli("--store", bad, "report", "weekly", "--site", demo.DEMO_SITE, "--offline",
                                "--out", tmp_path))
    assert "is damaged" in report
    # Writing into a damaged store is refused before anything is written: the damage is said now, not later.
    brand = one_error_line(cli("--store", bad, "brand", "--site", demo.DEMO_SITE, "--add", "Fernhill"))
    assert "nothing was written" in brand and "gsc-backlinks store check" in brand
    export = write_export(tmp_path, "Latest links", date="2026-12-01")
    imported = one_error_line(cli("--store", bad, "import", export, "--site", SITE))
    assert "nothing was written" in imported and "gsc-backlinks store check" in imported
    assert bad.read_bytes() == data


def test_store_check_backup_and_compact_on_a_healthy_store(demo_store, tmp_path):
    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store, store)
    check = cli("--store", store, "store", "check")
    assert check.returncode == 0 and "is healthy" in check.stdout and "every block read" in check.stdout
    copy = tmp_path / "backup.duckdb"
    backup = cli("--store", store, "store", "backup", copy)
    assert backup.returncode == 0, backup.stderr
    same = cli("--store", copy, "links", "sources", "--site", demo.DEMO_SITE, "--format", "json")
    orig = cli("--store", store, "links", "sources", "--site", demo.DEMO_SITE, "--format", "json")
    assert json.loads(same.stdout)["rows"] == json.loads(orig.stdout)["rows"]
    again = cli("--store", store, "store", "backup", copy)
    assert "exists already" in one_error_line(again, 2)


def test_dead_space_left_by_a_failed_import_is_given_back_by_compact(filled, tmp_path):
    export = big_latest_links(tmp_path, 150_000)
    limit = os.path.getsize(filled) + 6_000_000
    one_error_line(cli("--store", filled, "import", export, "--site", SITE, limit=limit))
    swollen = os.path.getsize(filled)
    before = cli("--store", filled, "links", "samples", "--site", SITE, "--format", "json").stdout
    compacted = cli("--store", filled, "store", "compact")
    assert compacted.returncode == 0, compacted.stderr
    assert os.path.getsize(filled) < swollen
    assert cli("--store", filled, "links", "samples", "--site", SITE, "--format", "json").stdout == before


# --- store check, backup and compact never take another file for a store ------------------------------------


def _csv(path: Path) -> str:
    path.write_text("a,b\n1,2\n")  # shorter than a DuckDB header: DuckDB would take it for a new database
    return "not a DuckDB database file"


def _sqlite(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (text)")
    con.close()
    return "is a SQLite database"


def _random(path: Path) -> str:
    path.write_bytes(os.urandom(64 * 1024))
    return "not a DuckDB database file"


def _twelve_bytes(path: Path) -> str:
    path.write_text("hello world\n")
    return "not a DuckDB database file"


def _empty(path: Path) -> str:
    path.write_bytes(b"")
    return "is an empty file"


def _other_duckdb(path: Path) -> str:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices AS SELECT range AS id FROM range(1000)")
    con.close()
    return "a DuckDB database but not a gsc-backlinks store"


@pytest.mark.parametrize("command", ["check", "backup", "compact"])
@pytest.mark.parametrize("make", [_csv, _sqlite, _random, _twelve_bytes, _empty, _other_duckdb])
def test_store_commands_refuse_a_file_that_is_not_a_store_and_leave_it_alone(tmp_path, monkeypatch, make, command):
    path = tmp_path / "data.csv"
    says = make(path)
    before = path.read_bytes()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    args = ["store", command] + ([str(tmp_path / "copy.duckdb")] if command == "backup" else [])
    result = run(path, *args)
    line = error_line(result)
    assert result.exit_code == 74
    assert str(path) in line and says in line and "choose another --store" in line
    assert path.read_bytes() == before  # never rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "home"]  # no copy, no leftover
    assert list(home.iterdir()) == []  # DuckDB reached for no extension


def test_a_backup_into_a_missing_folder_names_the_folder(demo_store, tmp_path):
    target = tmp_path / "nowhere" / "copy.duckdb"
    line = one_error_line(cli("--store", demo_store, "store", "backup", target), 2)
    assert f"cannot write the backup {target}: its folder {target.parent} does not exist" in line
    assert not target.parent.exists()


def test_a_backup_into_a_read_only_folder_names_the_backup_not_the_store(demo_store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    before = demo_store.read_bytes()
    folder.chmod(0o555)
    try:
        line = one_error_line(cli("--store", demo_store, "store", "backup", folder / "copy.duckdb", unprivileged=True))
    finally:
        folder.chmod(0o755)
    assert line.startswith(f"Error: cannot write the backup {folder / 'copy.duckdb'}: no permission to write in "
                           f"its folder {folder}")
    assert f"store {demo_store}" not in line and "the store is unchanged" in line
    assert list(folder.iterdir()) == [] and demo_store.read_bytes() == before


def test_a_backup_that_fills_the_disk_names_the_backup_and_leaves_nothing(demo_store, tmp_path):
    before = demo_store.read_bytes()
    target = tmp_path / "copy.duckdb"
    line = one_error_line(cli("--store", demo_store, "store", "backup", target, limit=len(before) // 4))
    assert line.startswith(f"Error: cannot write the backup {target}: the disk is full")
    assert "free some space or give a PATH on another disk" in line and f"store {demo_store}" not in line
    assert list(tmp_path.iterdir()) == [] and demo_store.read_bytes() == before


def test_a_compact_that_cannot_write_its_copy_keeps_the_store(demo_store, tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    store = folder / "s.duckdb"
    shutil.copy(demo_store, store)
    before = store.read_bytes()
    full = one_error_line(cli("--store", store, "store", "compact", limit=len(before) // 4))
    assert f"cannot compact store {store}" in full and "the disk is full" in full and "the store is unchanged" in full
    folder.chmod(0o555)
    try:
        denied = one_error_line(cli("--store", store, "store", "compact", unprivileged=True))
    finally:
        folder.chmod(0o755)
    assert f"no permission to write in its folder {folder}" in denied and "the store is unchanged" in denied
    assert store.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["s.duckdb"]


# --- 2. a SQLite file where the store should be ------------------------------------------------------------


def test_a_sqlite_file_is_named_as_such_and_nothing_is_fetched(tmp_path):
    import sqlite3

    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (text)")
    home = tmp_path / "home"
    home.mkdir()
    can_cut = shutil.which("unshare") and os.geteuid() == 0
    proc = cli("--store", path, "links", "sources", "--site", SITE, env={"HOME": str(home)}, no_network=bool(can_cut))
    line = one_error_line(proc)
    assert f"{path} is a SQLite database, not a gsc-backlinks store" in line
    assert list(home.iterdir()) == []  # no ~/.duckdb/extensions: DuckDB never tried to install a reader


# --- 3. and 4. text that attacks the terminal ---------------------------------------------------------------

ESCAPES = "evil\x1b[2J\x1b]0;owned\x07 \x08\x9b31m"
BIDI = "https://evil.example/\u202egnp.exe"


@pytest.fixture
def hostile(tmp_path) -> Path:
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking text", [f'1,"{ESCAPES}"', f"2,{BIDI}"]))
    return store


def _in_a_terminal(*args) -> str:
    """Run the CLI with a pseudo-terminal as its standard output; what the terminal received."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gsc_backlinks", *map(str, args)], stdout=follower,
                            stderr=subprocess.PIPE, cwd=REPO, env={**os.environ, "COLUMNS": "200"})
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr.read()
    return out.decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_a_terminal_never_receives_a_strangers_control_characters(hostile, fmt):
    shown = _in_a_terminal("--store", hostile, "links", "anchors", "--site", SITE, "--format", fmt)
    # The table's own bold and dim (rich's SGR codes) are ours; the stranger's codes must not arrive.
    for evil in ("\x1b[2J", "\x1b]0;", "\x07", "\x08", "\x9b", "\u202e"):
        assert evil not in shown, (evil, shown)
    # A bidi override is shown as what it is (JSON: as its escape, as everywhere in our JSON).
    assert ("\\u202egnp.exe" if fmt == "json" else "<U+202E>gnp.exe") in shown


def test_csv_and_json_into_a_pipe_are_the_data_byte_for_byte(hostile):
    csv_text = cli("--store", hostile, "links", "anchors", "--site", SITE, "--format", "csv").stdout
    assert ESCAPES in csv_text and BIDI in csv_text  # data: exactly what the export held
    json_text = cli("--store", hostile, "links", "anchors", "--site", SITE, "--format", "json").stdout
    assert "\x9b" not in json_text and "\\u009b" in json_text and "\\u202e" in json_text  # escaped, as JSON may
    assert [r["anchor_text"] for r in json.loads(json_text)["rows"]] == [ESCAPES, BIDI]


def test_bidi_overrides_cannot_reorder_the_report(hostile, tmp_path):
    proc = cli("--store", hostile, "report", "weekly", "--site", SITE, "--offline", "--out", tmp_path,
               "--now", "2026-05-21T17:00:00Z")
    assert proc.returncode == 0, proc.stderr
    from html.parser import HTMLParser

    class Text(HTMLParser):  # what the page shows: its text, not its attributes (data-v keeps the data)
        shown = ""

        def handle_data(self, data):
            self.shown += data

    page = Text()
    page.feed(Path(proc.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8"))
    assert "\u202e" not in page.shown and "<U+202E>gnp.exe" in page.shown


# --- 6. retries counted as they happen -------------------------------------------------------------------


def test_the_sync_counts_every_retry_dropped_connections_too(authorized, tmp_path):
    from googlehelp import DOMAIN, END, START

    authorized.failure_every = 5  # every 5th call fails: 429, 500, 503 or a dropped connection, in turn
    proc = cli("--store", tmp_path / "s.duckdb", "sync", "--site", DOMAIN, "--start", START, "--end", END,
               env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    failed = sum(1 for s in authorized.requests if s.status != 200 and s.kind == "searchanalytics")
    assert failed >= 4
    assert f", {failed} retried" in proc.stdout

