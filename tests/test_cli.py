"""The command line as a user meets it: help, import messages, summaries in every format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from gsc_backlinks.cli import cli  # noqa: E402

from clihelp import REPO, SITE, error_line, import_ok, run, run_fresh, write_export  # noqa: E402


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = prefix + (name,)
        yield path
        if isinstance(command, click.Group):
            yield from _command_paths(command, path)


COMMAND_PATHS = list(_command_paths(cli))


# --- help and documentation --------------------------------------------------------


def test_command_tree_is_what_the_readme_describes():
    assert {" ".join(p) for p in COMMAND_PATHS} >= {
        "import", "links", "links pages", "links domains", "links anchors", "links samples",
        "links sources", "demo",
    }


@pytest.mark.parametrize("path", [()] + COMMAND_PATHS, ids=lambda p: " ".join(p) or "(top)")
def test_every_command_has_help(path, tmp_path):
    result = run(tmp_path / "s.duckdb", *path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "s.duckdb").exists()


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p))
def test_every_command_is_in_the_readme(path):
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet (the lead is writing it)")
    text = readme.read_text(encoding="utf-8")
    assert f"gsc-backlinks {' '.join(path)}" in text


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_go_before_or_after_the_subcommand(store, tmp_path, where):
    # As pip's and git's own subcommands take -q: `links pages -q`, `links domains --store S`.
    args = ["links", "domains", "--site", SITE, "--format", "json"]
    globals_ = ["--store", str(store), "-q"]
    argv = [*globals_, *args] if where == "before" else [*args, *globals_]
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "elsewhere.duckdb"), *argv] if where == "after" else argv)
    assert result.exit_code == 0, result.output
    assert [r["linking_domain"] for r in json.loads(result.stdout)["rows"]] == ["bbc.co.uk", "gardening.com"]
    assert not (tmp_path / "elsewhere.duckdb").exists()  # the store given after the command wins


def test_quiet_after_the_subcommand_silences_the_import(tmp_path):
    store = tmp_path / "s.duckdb"
    loud = run(store, "import", write_export(tmp_path, "Latest links"), "--site", SITE)
    quiet = run(store, "import", write_export(tmp_path, "Top linking sites"), "--site", SITE, "-q")
    assert loud.exit_code == quiet.exit_code == 0
    assert loud.stdout and quiet.stdout == ""


def test_verbose_after_the_subcommand_counts(tmp_path):
    store = tmp_path / "s.duckdb"
    (tmp_path / "in").mkdir()
    write_export(tmp_path / "in", "Latest links")
    (tmp_path / "in" / "notes.pdf").write_text("not an export")
    result = run(store, "import", tmp_path / "in", "--site", SITE, "-v")
    assert result.exit_code == 0, result.output
    assert "notes.pdf (not CSV, XLSX or ZIP)" in result.stdout


def test_help_does_not_import_heavy_libraries():
    heavy = ("pandas", "duckdb", "pyarrow", "googleapiclient", "google_auth_oauthlib")
    proc = run_fresh(["--help"], f"'HEAVY:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))")
    assert proc.returncode == 0, proc.stderr
    assert "Usage: gsc-backlinks" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_import_does_not_import_pandas(tmp_path):
    # pandas costs a third of a second at start-up; the import path works in Arrow and DuckDB only.
    # Repeats, raw Unicode, spaces and ports take every branch of the URL and domain code.
    export = tmp_path / "https___www.example.com_-Latest links-2026-05-18.csv"
    export.write_text(
        "Linking page,Last crawled\n"
        "HTTPS://EXAMPLE.ORG/a%20b#x,2026-05-01\n"
        "http://blog.example.co.uk:80/x,2026-05-02\n"
        "https://bücher.example/é,2026-05-03\n"
        "https://example.org/a b,2026-05-10\n"
        "https://example.org/a%20b,2026-05-17\n"
        "https://qiita.example/iphoneのjs/,2026-05-04\n",
        encoding="utf-8",
    )
    proc = run_fresh(["--store", str(tmp_path / "s.duckdb"), "import", str(export), "--site", SITE],
                     "'PANDAS:' + str('pandas' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert "4 rows" in proc.stdout  # the three forms of example.org/a%20b are one page
    assert proc.stdout.strip().splitlines()[-1] == "PANDAS:False"


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "gsc_backlinks", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage: gsc-backlinks" in proc.stdout
    for name in ("import", "links", "demo"):
        assert name in proc.stdout


def test_the_command_leaves_with_its_output_and_exit_code(tmp_path):
    # The real command ends without the interpreter's teardown (os._exit): what it printed into
    # pipes must still all arrive, and each outcome keep its exit code.
    def run_sub(*args):  # stdout block-buffered, as a pipe or file makes it without PYTHONUNBUFFERED
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        return subprocess.run([sys.executable, "-m", "gsc_backlinks", *map(str, args)], capture_output=True,
                              text=True, env=env, timeout=60, cwd=REPO)

    store = tmp_path / "s.duckdb"
    export = write_export(tmp_path, "Latest links")
    ok = run_sub("--store", store, "import", export, "--site", SITE)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("+ ") and ok.stdout.endswith("\n")
    listed = run_sub("--store", store, "links", "samples", "--site", SITE, "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    # every row, nothing cut off: the same as the command run inside this process
    assert listed.stdout == run(store, "links", "samples", "--site", SITE, "--format", "csv").stdout
    assert len(listed.stdout.splitlines()) > 1
    wrong = run_sub("--store", store, "links", "samples", "--site", "https://elsewhere.example/")
    assert wrong.returncode == 3, wrong.stderr
    assert wrong.stderr.startswith("Error: ") and wrong.stdout == ""
    usage = run_sub("--store", store, "no-such-command")
    assert usage.returncode == 2
    assert "No such command" in usage.stderr


# --- import messages ------------------------------------------------------------------


def test_import_prints_one_line_per_file_then_a_total(tmp_path):
    store = tmp_path / "s.duckdb"
    latest = write_export(tmp_path, "Latest links")
    sample = write_export(tmp_path, "More sample links")
    pages = write_export(tmp_path, "Top target pages", date="2026-05-04")
    result = import_ok(store, latest, sample, pages)
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"+ {latest}: Latest links, 3 rows, snapshot #1 dated 2026-05-18 (date from file name)",
        f"+ {sample}: More sample links, 5 rows, snapshot #2 dated 2026-05-18 (date from file name)",
        f"+ {pages}: Top target pages (external links), 3 rows, snapshot #3 dated 2026-05-04 (date from file name)",
        f"3 imported, 0 already held, into {store} for {SITE}",
    ]

    again = import_ok(store, latest, sample, pages)
    lines = again.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"= {latest}: already imported (same content as snapshot #1 of 2026-05-18")
    assert all("already imported" in line for line in lines[:3])
    assert lines[-1] == f"0 imported, 3 already held, into {store} for {SITE}"


def test_import_date_option_overrides_the_file_name(tmp_path):
    store = tmp_path / "s.duckdb"
    latest = write_export(tmp_path, "Latest links")
    result = import_ok(store, latest, extra=("--date", "2026-01-02"))
    assert "dated 2026-01-02 (date from --date)" in result.stdout


def test_import_quiet_prints_nothing(tmp_path):
    store = tmp_path / "s.duckdb"
    latest = write_export(tmp_path, "Latest links")
    result = run(store, "-q", "import", latest, "--site", SITE)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    again = run(store, "-q", "import", latest, "--site", SITE)
    assert again.exit_code == 0 and again.output == ""
    sources = json.loads(run(store, "links", "sources", "--site", SITE, "--format", "json").stdout)
    assert [r["label"] for r in sources["rows"]] == ["Latest links"]


def test_import_of_a_zip_names_each_entry(tmp_path):
    import zipfile

    store = tmp_path / "s.duckdb"
    archive = tmp_path / "exports.zip"
    name = "https___www.example.com_-Top linking sites-2026-05-18.csv"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, "Site,Linking pages,Target pages\nbbc.co.uk,40,6\n")
    result = import_ok(store, archive)
    assert result.stdout.splitlines()[0] == (
        f"+ {archive}:{name}: Top linking sites, 1 rows, snapshot #1 dated 2026-05-18 (date from file name)"
    )


# --- links summaries -------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with one of each external export for SITE (tests only read it)."""
    tmp_path = tmp_path_factory.mktemp("store")
    path = tmp_path / "s.duckdb"
    files = [write_export(tmp_path, t) for t in
             ("Latest links", "More sample links", "Top target pages", "Top linking sites", "Top linking text")]
    import_ok(path, *files)
    return path


def _json(store, *args):
    result = run(store, "links", *args, "--site", SITE, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def _csv(store, *args):
    result = run(store, "links", *args, "--site", SITE, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_pages_json_shape_and_order(store):
    doc = _json(store, "pages")
    assert set(doc) == {"summary", "property", "basis", "sources", "notes", "total_rows", "rows"}
    assert doc["summary"] == "pages"
    assert doc["property"] == SITE
    assert doc["basis"] == "export"
    assert doc["total_rows"] == 3
    assert doc["rows"] == [
        {"target_url": "https://www.example.com/", "incoming_links": 30, "linking_sites": 9},
        {"target_url": "https://www.example.com/roses/", "incoming_links": 12, "linking_sites": 4},
        {"target_url": "https://www.example.com/contact/", "incoming_links": 2, "linking_sites": 1},
    ]
    [source] = doc["sources"]
    assert source["kind"] == "top_target_pages"
    assert source["snapshot_date"] == "2026-05-18"
    assert source["file"].endswith("https___www.example.com_-Top target pages-2026-05-18.csv")


def test_pages_top_limits_rows_but_not_total(store):
    doc = _json(store, "pages", "--top", "2")
    assert [r["incoming_links"] for r in doc["rows"]] == [30, 12]
    assert doc["total_rows"] == 3
    assert len(_csv(store, "pages", "--top", "1")) == 2  # header + one row


def test_pages_csv(store):
    assert _csv(store, "pages") == [
        ["target_url", "incoming_links", "linking_sites"],
        ["https://www.example.com/", "30", "9"],
        ["https://www.example.com/roses/", "12", "4"],
        ["https://www.example.com/contact/", "2", "1"],
    ]


def test_pages_table(store):
    result = run(store, "links", "pages", "--site", SITE, "--top", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Top linked pages — {SITE}" in out
    assert out.index("www.example.com/roses/") > out.index("www.example.com/ ")
    assert "contact" not in out
    assert "Showing 2 of 3 rows" in out


def test_as_of_selects_the_older_snapshot(tmp_path):
    store = tmp_path / "s.duckdb"
    old = write_export(tmp_path, "Top target pages", ["https://www.example.com/old/,5,2"], date="2026-05-04")
    new = write_export(tmp_path, "Top target pages", ["https://www.example.com/new/,7,3"], date="2026-05-18")
    import_ok(store, new, old)
    latest = _json(store, "pages")
    assert [r["target_url"] for r in latest["rows"]] == ["https://www.example.com/new/"]
    older = _json(store, "pages", "--as-of", "2026-05-10")
    assert [r["target_url"] for r in older["rows"]] == ["https://www.example.com/old/"]
    assert older["sources"][0]["snapshot_date"] == "2026-05-04"
    assert _json(store, "pages", "--as-of", "2026-05-18")["rows"][0]["target_url"] == "https://www.example.com/new/"
    line = error_line(run(store, "links", "pages", "--site", SITE, "--as-of", "2026-05-01"))
    assert "on or before 2026-05-01" in line


def test_domains_from_top_linking_sites(store):
    doc = _json(store, "domains")
    assert doc["basis"] == "export"
    assert doc["rows"] == [
        {"linking_domain": "bbc.co.uk", "linking_pages": 40, "target_pages": 6},
        {"linking_domain": "gardening.com", "linking_pages": 8, "target_pages": 2},
    ]
    assert _csv(store, "domains")[0] == ["linking_domain", "linking_pages", "target_pages"]


def test_domains_derived_from_sample_links(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "More sample links"), write_export(tmp_path, "Latest links"))
    doc = _json(store, "domains")
    assert doc["basis"] == "derived from sample links"
    assert {s["kind"] for s in doc["sources"]} == {"sample_links", "latest_links"}
    # Pages counted once per registrable domain even when both exports hold them; grouped as
    # Search Console groups sites (the list's ICANN part), so alice and bob.github.io are github.io.
    assert doc["rows"] == [
        {"linking_domain": "bbc.co.uk", "linking_pages": 2, "target_pages": None},
        {"linking_domain": "github.io", "linking_pages": 2, "target_pages": None},
        {"linking_domain": "gardening.com", "linking_pages": 1, "target_pages": None},
    ]
    assert doc["total_rows"] == 3
    assert any("derived from sample links" in n.lower() for n in doc["notes"])


def test_samples_and_domain_filter(store):
    doc = _json(store, "samples")
    assert doc["total_rows"] == 5
    by_url = {r["linking_url"]: r for r in doc["rows"]}
    assert by_url["https://www.bbc.co.uk/news/garden/"] == {
        "linking_url": "https://www.bbc.co.uk/news/garden/", "linking_domain": "bbc.co.uk",
        "last_crawled": "2026-05-16", "source": "both",
        "status": None, "target_url": None, "anchor_text": None, "rel": None,  # not checked yet
    }
    assert by_url["https://bob.github.io/"]["source"] == "sample"
    # newest crawl first, never-crawled last
    assert [r["last_crawled"] for r in doc["rows"][:3]] == ["2026-05-17", "2026-05-16", "2026-05-15"]

    filtered = _json(store, "samples", "--domain", "bbc.co.uk")
    assert [r["linking_url"] for r in filtered["rows"]] == [
        "https://www.bbc.co.uk/news/garden/", "https://forum.bbc.co.uk/thread/9/",
    ]
    assert filtered["total_rows"] == 2
    host = _json(store, "samples", "--domain", "forum.bbc.co.uk")
    assert [r["linking_url"] for r in host["rows"]] == ["https://forum.bbc.co.uk/thread/9/"]
    # The last four columns are what a link check found (empty until `gsc-backlinks check` has run).
    assert _csv(store, "samples")[0] == ["linking_url", "linking_domain", "last_crawled", "source", "status",
                                         "target_url", "anchor_text", "rel"]




def test_never_crawled_sample_is_null_in_json(store):
    row = next(r for r in _json(store, "samples")["rows"] if r["linking_url"] == "https://bob.github.io/")
    assert row["last_crawled"] is None


def test_never_crawled_sample_is_empty_in_csv(store):
    row = next(r for r in _csv(store, "samples") if r[0] == "https://bob.github.io/")
    assert row == ["https://bob.github.io/", "github.io", "", "sample", "", "", "", ""]


def test_never_crawled_sample_has_no_nat_in_table(store):
    result = run(store, "links", "samples", "--site", SITE)
    assert result.exit_code == 0
    assert "NaT" not in result.stdout


def test_anchors_json_and_csv(store):
    doc = _json(store, "anchors")
    # "example" is the brand of the property's domain; "www example com" is an address, not a brand mention.
    assert doc["rows"] == [{"rank": 1, "anchor_text": "example roses", "class": "branded"},
                           {"rank": 2, "anchor_text": "www example com", "class": "naked URL"}]
    assert _csv(store, "anchors") == [["rank", "anchor_text", "class"], ["1", "example roses", "branded"],
                                      ["2", "www example com", "naked URL"]]


def test_sources_json(store):
    doc = _json(store, "sources")
    assert doc["summary"] == "sources"
    assert doc["total_rows"] == 5
    assert sorted(r["label"] for r in doc["rows"]) == sorted([
        "Latest links", "More sample links", "Top target pages (external links)", "Top linking sites",
        "Top linking text"])
    row = next(r for r in doc["rows"] if r["label"] == "Latest links")
    assert row["snapshot_date"] == "2026-05-18"
    assert row["date_source"] == "file name"
    assert row["row_count"] == 3


def test_sources_table_fits_80_columns_and_keeps_every_column(store):
    result = run(store, "links", "sources", "--site", SITE, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    header = next(line for line in lines if "Export" in line)
    for name in ("#", "Date", "Date from", "Rows", "File"):
        assert name in header
    assert "2026-05-18" in result.stdout and "file name" in result.stdout


HOSTILE_ANCHORS = ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1:A2)", "plain text"]


def test_csv_neutralizes_formulas_but_json_keeps_text(tmp_path):
    store = tmp_path / "s.duckdb"
    rows = [f'{i},"{t.replace(chr(34), chr(34) * 2)}"' for i, t in enumerate(HOSTILE_ANCHORS, start=1)]
    import_ok(store, write_export(tmp_path, "Top linking text", rows))
    table = _csv(store, "anchors")
    assert [r[1] for r in table[1:]] == ["'=HYPERLINK(\"http://evil\")", "'+1", "'-2", "'@SUM(A1:A2)", "plain text"]
    assert [r[0] for r in table[1:]] == ["1", "2", "3", "4", "5"]  # numbers are not touched
    doc = _json(store, "anchors")
    assert [r["anchor_text"] for r in doc["rows"]] == HOSTILE_ANCHORS


def test_table_output_does_not_pass_escapes_or_markup(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking text", ["1,\x1b[31mRED", "2,[bold]x[/bold]"]))
    result = run(store, "links", "anchors", "--site", SITE)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "[31mRED" in result.stdout
    assert "[bold]x[/bold]" in result.stdout


def test_demo_writes_the_weekly_report_of_the_sample_property(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    # The store named by the environment is the user's own: the demo leaves it alone and uses a throw-away one.
    monkeypatch.setenv("GSC_BACKLINKS_STORE", str(tmp_path / "unused.duckdb"))
    from click.testing import CliRunner

    from gsc_backlinks.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    index = out / "https_www.fernhill-nursery.example" / "2026-11-19" / "index.html"
    assert result.stdout.splitlines()[1] == str(index)
    assert "week 2026-11-13 to 2026-11-19" in result.stdout
    html = index.read_text(encoding="utf-8")
    assert "Weekly links and search report" in html and "https://www.fernhill-nursery.example/" in html
    # One drill-down page per linked page (20 in the sample) plus the pages with traffic but few links.
    drill = list((index.parent / "pages").glob("*.html"))
    assert len(drill) >= 20
    assert not (tmp_path / "unused.duckdb").exists()  # the demo's store is a throw-away one


# --- unknown property -------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["https://example.com/", "sc-domain:example.com"])
@pytest.mark.parametrize("command", ["pages", "domains", "anchors", "samples", "sources"])
def test_unknown_site_names_the_close_match(store, asked, command):
    result = run(store, "links", command, "--site", asked)
    line = error_line(result)
    assert result.exit_code == 3
    assert f"the store holds nothing for property {asked}" in line
    assert f"did you mean {SITE}" in line


def test_site_without_trailing_slash_or_in_capitals_is_the_same_property(store):
    for asked in ("https://www.example.com", "HTTPS://WWW.EXAMPLE.COM/"):
        result = run(store, "links", "pages", "--site", asked, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["property"] == SITE


def test_links_on_an_empty_store_says_import_first(tmp_path):
    from gsc_backlinks.store import open_store

    path = tmp_path / "s.duckdb"
    with open_store(path, write=True):
        pass
    result = run(path, "links", "pages", "--site", SITE)
    line = error_line(result)
    assert result.exit_code == 3
    assert f"the store holds no data yet; import exports first: gsc-backlinks import PATH --site {SITE}" in line


def test_links_without_a_store_says_import_first(tmp_path):
    line = error_line(run(tmp_path / "none.duckdb", "links", "pages", "--site", SITE))
    assert "no store at" in line and "import" in line
    assert not (tmp_path / "none.duckdb").exists()
