"""Shared helpers for the CLI, bad-input and store tests.

Fixture files are written in the formats Search Console really exports
(real exports in public repositories, as the README's export table lists them): comma-separated, English
headers, file names ``<property slug>-<Report title>-<YYYY-MM-DD>.csv``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from gsc_backlinks.cli import cli

SITE = "https://www.example.com/"
SLUG = "https___www.example.com_"
REPO = Path(__file__).resolve().parent.parent

HEADERS = {
    "Latest links": "Linking page,Last crawled",
    "More sample links": "Linking page",
    "Top target pages": "Target page,Incoming links,Linking sites",
    "Top linking sites": "Site,Linking pages,Target pages",
    "Top linking text": "Rank,Link text",
    "Your pages linking to this page": "Linking page",
    "Top sites linking to this page": "Site,Linking pages",
}

#: A small, valid data body per export title (no header row).
BODIES = {
    "Latest links": [
        "https://blog.gardening.com/roses/,2026-05-17",
        "https://www.bbc.co.uk/news/garden/,2026-05-16",
        "https://forum.bbc.co.uk/thread/9/,2026-05-15",
    ],
    "More sample links": [
        "https://alice.github.io/links/",
        "https://blog.gardening.com/roses/",
        "https://bob.github.io/",
        "https://forum.bbc.co.uk/thread/9/",
        "https://www.bbc.co.uk/news/garden/",
    ],
    "Top target pages": [
        "https://www.example.com/roses/,12,4",
        "https://www.example.com/,30,9",
        "https://www.example.com/contact/,2,1",
    ],
    "Top linking sites": [
        "bbc.co.uk,40,6",
        "gardening.com,8,2",
    ],
    "Top linking text": [
        "1,example roses",
        "2,www example com",
    ],
}


def export_name(title: str, date: str = "2026-05-18", slug: str = SLUG, suffix: str = ".csv") -> str:
    return f"{slug}-{title}-{date}{suffix}"


def export_text(title: str, rows: list[str] | None = None, *, final_newline: bool = True) -> str:
    """An export's text; ``final_newline=False`` is Search Console's own shape (no line end after the
    last row, so an empty export is its header alone)."""
    rows = BODIES[title] if rows is None else rows
    return "\n".join([HEADERS[title], *rows]) + ("\n" if final_newline else "")


def write_export(folder: Path, title: str, rows: list[str] | None = None, *, date: str = "2026-05-18",
                 slug: str = SLUG, name: str | None = None, final_newline: bool = True) -> Path:
    path = Path(folder) / (name or export_name(title, date, slug))
    path.write_bytes(export_text(title, rows, final_newline=final_newline).encode("utf-8"))
    return path


def run(store: Path, *args: str, env: dict | None = None) -> Result:
    """Invoke the CLI in-process with --store first; stdout and stderr stay apart."""
    return CliRunner().invoke(cli, ["--store", str(store), *map(str, args)], env=env)


def run_sub(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -m gsc_backlinks ARGS`` in a fresh interpreter."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "gsc_backlinks", *map(str, args)], capture_output=True,
                          text=True, env=full_env, timeout=timeout, cwd=REPO)


def error_line(result: Result) -> str:
    """The one ``Error: …`` line a failed command must print, checked and returned."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert result.stdout == "", result.stdout
    return lines[0]


def import_ok(store: Path, *paths, site: str = SITE, extra: tuple[str, ...] = ()) -> Result:
    result = run(store, "import", *map(str, paths), "--site", site, *extra)
    assert result.exit_code == 0, result.output
    return result


def stored(store: Path, sql: str, params=()) -> list[tuple]:
    """The rows of one query on a store, opened read-only: nothing is created or migrated."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def fingerprint(store: Path):
    """Everything a user could see of the store: None if there is no file."""
    if not Path(store).exists():
        return None
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "snapshots" not in tables:
            return ("no snapshots table", sorted(tables))
        snaps = con.execute("SELECT * FROM snapshots ORDER BY snapshot_id").fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("linking_pages", "target_pages", "linking_sites", "linking_text")}
        return snaps, counts
    finally:
        con.close()


def snapshot_count(store: Path) -> int:
    fp = fingerprint(store)
    if fp is None or fp[0] == "no snapshots table":
        return 0
    return len(fp[0])


def run_fresh(argv: list[str], report: str) -> subprocess.CompletedProcess:
    """``gsc-backlinks argv`` in a new Python process, so its imports are what a user's start-up pays;
    ``report`` is a Python expression (over ``sys``) printed as the last line after the command."""
    code = (
        "import sys\n"
        "from gsc_backlinks.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"print({report})\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def unwrapped(html: str) -> str:
    """A page's markup without the line-break hints names and dates get (``<wbr>``, ``<span class="nw">``):
    what a test looks for in prose, as the reader sees it."""
    import re

    return re.sub(r'<span class="nw">([^<]*)</span>', r"\1", html).replace("<wbr>", "")
