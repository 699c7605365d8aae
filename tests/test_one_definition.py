"""One definition per figure: the terminal, the weekly report and the drill-down page agree, row for row.

One store holds a Top linking sites export that writes a site with ``www.`` and
one in Unicode, a drill-down of one page, sample links, a Tranco rank file and
search queries.  `links domains` (by links and by value), the weekly report's
linking-domain table and the page's drill-down (HTML and `page --format json`)
must name the same domains, with the same counts, authority and value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gsc_backlinks.analysis.value import link_value
from gsc_backlinks.ranks import authority_score
from gsc_backlinks.report.drilldown import page_file
from gsc_backlinks.searchdata import DayResult
from gsc_backlinks.store import open_store
from gsc_backlinks.store.search import save_search_days

from clihelp import SITE, import_ok, run, run_fresh, stored, write_export

ROSES = "https://www.example.com/roses/"
NOW = "2026-05-21T17:00:00Z"


def _search_days() -> list[DayResult]:
    """Two weeks of queries: the site is about roses, pruning and compost."""
    queries = [("pruning roses", 40), ("rose garden", 30), ("compost bins", 20), ("climbing roses", 10)]
    days = []
    for n in range(14):
        day = dt.date(2026, 5, 5) + dt.timedelta(days=n)
        result = DayResult(day, "final", {"clicks": 10.0, "impressions": 100.0, "ctr": 0.1, "position": 4.0})
        result.pages = {"page": [ROSES], "clicks": [10.0], "impressions": [100.0], "ctr": [0.1], "position": [4.0]}
        result.queries = {"page": [ROSES] * len(queries), "query": [q for q, _ in queries],
                          "clicks": [1.0] * len(queries), "impressions": [float(i) for _, i in queries],
                          "ctr": [0.1] * len(queries), "position": [3.0] * len(queries)}
        days.append(result)
    return days


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("one")
    path = folder / "store.duckdb"
    import_ok(path,
              write_export(folder, "Top linking sites", ["www.bbc.co.uk,40,6", "bücher.de,12,3", "gardening.com,8,2",
                                                         "rosegrowers.org,3,1"]),
              write_export(folder, "Top target pages", [f"{ROSES},12,4", "https://www.example.com/,30,9"]),
              write_export(folder, "More sample links", ["https://www.bbc.co.uk/news/garden/roses/",
                                                        "https://www.bücher.de/rosen/schnitt/",
                                                        "https://blog.gardening.com/compost-bins/",
                                                        "https://rosegrowers.org/pruning-roses/"]))
    drill = write_export(folder, "Top sites linking to this page", ["www.bbc.co.uk,3", "bücher.de,1", "rosegrowers.org,2"])
    import_ok(path, drill, extra=("--target", ROSES))
    tranco = folder / "top-1m.csv"
    tranco.write_text("1,google.com\r\n50,bbc.co.uk\r\n1000,xn--bcher-kva.de\r\n", newline="")
    assert run(path, "authority", "load", str(tranco)).exit_code == 0
    with open_store(path, write=True) as con:
        save_search_days(con, SITE, "web", _search_days(), fetched_at=dt.datetime(2026, 5, 20, 12, 0))
    return path


def _links_domains(store: Path, *args: str) -> list[dict]:
    result = run(store, "links", "domains", "--site", SITE, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"]


class _Tables(HTMLParser):
    """The rows of every table of a page, by table id: each cell's text and data-v sort key."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "table" in (a.get("class") or "").split():
            self._table = self.tables.setdefault(a["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ["", a.get("data-v")]

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append((self._cell[0].strip(), self._cell[1]))
            self._cell = None
        elif tag == "tr" and self._row:
            self._table.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def _tables(path: Path) -> dict:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


@pytest.fixture(scope="module")
def report(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = run(store, "report", "weekly", "--site", SITE, "--offline", "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def _number(cell: tuple[str, str | None]) -> int | None:
    return None if cell[0] in ("unknown", "–") else int(re.sub(r"\D", "", cell[0]))


def test_a_www_site_is_grouped_as_its_domain_everywhere(store, report):
    by_links = _links_domains(store)
    assert [r["linking_domain"] for r in by_links] == ["bbc.co.uk", "xn--bcher-kva.de", "gardening.com",
                                                        "rosegrowers.org"]
    report_domains = [row[0][0].split()[0] for row in _tables(report)["domains"]]
    assert sorted(report_domains) == sorted(r["linking_domain"] for r in by_links)


def test_terminal_and_weekly_report_give_the_same_domains_counts_authority_and_value(store, report):
    by_value = _links_domains(store, "--sort", "value")
    rows = _tables(report)["domains"]  # linking domain, value, authority, relevance, linking pages, target pages, first seen
    shown = [{"linking_domain": r[0][0].split()[0], "value": _number(r[1]), "authority": _number(r[2]),
              "linking_pages": _number(r[4]), "target_pages": _number(r[5])} for r in rows]
    expected = [{k: r[k] for k in ("linking_domain", "value", "authority", "linking_pages", "target_pages")}
                for r in by_value]
    assert shown == expected  # same order too: both sort by value
    # The figures a user checks by hand: bbc.co.uk is rank 50 in the Tranco file, whatever the export wrote.
    bbc = next(r for r in by_value if r["linking_domain"] == "bbc.co.uk")
    assert (bbc["authority"], bbc["authority_rank"]) == (79, 50)
    assert bbc["value"] == link_value(bbc["authority"], bbc["relevance"], 0)


def test_the_drill_down_page_and_page_json_agree_with_the_terminal(store, report):
    terminal = {r["linking_domain"]: r for r in _links_domains(store, "--sort", "value")}
    page = json.loads(run(store, "page", ROSES, "--site", SITE, "--format", "json").stdout)
    drill = _tables(report.parent / page_file(ROSES))["linking-sites"]  # site, value, authority, relevance, pages…
    html = [{"site": r[0][0], "value": _number(r[1]), "authority": _number(r[2]), "relevance": _number(r[3]),
             "linking_pages": _number(r[4])} for r in drill]
    from_json = [{k: s[k] for k in ("site", "value", "authority", "relevance", "linking_pages")}
                 for s in page["linking_sites"]]
    assert html == from_json  # the page command and the report's drill-down: one Valuer, one figure
    assert [s["site"] for s in from_json] and all(s["site"] in terminal for s in from_json)
    # A domain the rank file does not list counts as half the score of its last rank (1,000 here).
    unknown = authority_score(1000) / 2
    for s in page["linking_sites"]:
        # A domain's authority is the same whatever the page; its value is against this page's topic.
        assert s["authority"] == terminal[s["site"]]["authority"]
        assert s["value"] == link_value(s["authority"], s["relevance"], unknown)


# --- relevance computed once, stored with its inputs -------------------------------------------------


def _sklearn_loaded(store: Path, *argv: str) -> bool:
    proc = run_fresh(["--store", str(store), *argv], "'SKLEARN:' + str('sklearn' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1] == "SKLEARN:True"


def test_value_is_read_back_while_its_inputs_hold_and_computed_again_when_they_change(tmp_path, store):
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)
    by_value = ("links", "domains", "--site", SITE, "--sort", "value", "--format", "json")
    page = ("page", ROSES, "--site", SITE, "--format", "json")
    first = _links_domains(copy, "--sort", "value")  # computes relevance (or reads the report's)
    run(copy, *page)
    assert not _sklearn_loaded(copy, *by_value)  # stored: no TF-IDF model is built
    assert not _sklearn_loaded(copy, *page)  # the page's topic too
    assert _links_domains(copy, "--sort", "value") == first
    runs = stored(copy, "SELECT count(*) FROM relevance_runs")[0][0]

    # A new sample export changes what a domain's text is made of: relevance is computed again.
    later = tmp_path / "later"
    later.mkdir()
    import_ok(copy, write_export(later, "More sample links", ["https://www.bbc.co.uk/gardening/pruning-roses/"],
                                 date="2026-05-25"))
    assert _sklearn_loaded(copy, *by_value)
    assert stored(copy, "SELECT count(*) FROM relevance_runs")[0][0] == runs + 1
    assert not _sklearn_loaded(copy, *by_value)
