"""The demo as the tour of the product: link checks, third-party exports, competitors, this week in links.

`gsc-backlinks demo` loads sample data shipped in the package (``jobs/demo.py``):
besides Search Console's exports and API data, two rounds of link checks made
by the real checker against loopback copies of the linking pages, an Ahrefs
export of the property and Ahrefs exports of two competitors.  These tests hold
the demo to showing every part of the report, and to doing it offline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gsc_backlinks.jobs import demo

from clihelp import REPO, run, stored, unwrapped

SITE = demo.DEMO_SITE
HOME = "https://www.fernhill-nursery.example/"
REMOVED = "https://community.rhs-members.example/guides/hedges/?page=2"  #: its link to /hedging/ went on 19 Nov
GONE = "https://www.seedswap.example/tag/roses/"  #: answered 404 on 19 Nov


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.load_sample_data(path)
    return path


def _week(store: Path):
    from gsc_backlinks.analysis.snapshots import Snapshots
    from gsc_backlinks.analysis.value import Valuer
    from gsc_backlinks.analysis.week import week_in_links
    from gsc_backlinks.store import open_store

    with open_store(store) as con:
        snaps = Snapshots.read(con, SITE)
        return week_in_links(con, snaps, Valuer.for_property(con, snaps, dt.date(2026, 11, 19)))


# --- link checks --------------------------------------------------------------------------------------


def test_the_demo_holds_two_rounds_of_link_checks_with_every_kind_of_finding(store):
    from gsc_backlinks.analysis.checks import latest_checks
    from gsc_backlinks.store import open_store

    rounds = stored(store, "SELECT checked_at::DATE, own, count(*) FROM page_checks WHERE property = ? "
                           "GROUP BY ALL ORDER BY ALL", [SITE])
    assert [(day, own) for day, own, _ in rounds] == [
        (dt.date(2026, 11, 5), False), (dt.date(2026, 11, 5), True),
        (dt.date(2026, 11, 19), False), (dt.date(2026, 11, 19), True)]
    with open_store(store) as con:
        pages = {p.url: p for p in latest_checks(con, SITE)}
        own = {p.url: p for p in latest_checks(con, SITE, own=True)}
    statuses = [p.status for p in pages.values()]
    # Most links live and followed; one of each other finding.
    assert statuses.count("live") > 0.75 * len(statuses)
    assert pages[REMOVED].status == "link_missing" and pages[REMOVED].reason == "answers but no longer links to the site"
    assert pages[GONE].status == "not_found" and pages[GONE].http_status == 404
    assert pages["https://www.treesociety.example/reader-questions/"].status == "noindex"
    assert "meta robots" in pages["https://www.treesociety.example/reader-questions/"].reason
    for url, rel in [("https://www.pinboard.example/links/", "nofollow"),
                     ("https://forum.gardenersforum.example/reader-questions/?page=2", "ugc"),
                     ("https://www.localnews.example/shops/?page=4", "sponsored")]:
        assert pages[url].status == "live_nofollow" and pages[url].reason.endswith(f"every link to the site is {rel}")
    # Fernhill's delivery page moved to help/delivery/: it named that page its canonical on 5 Nov, and was gone by
    # the 19th.
    assert own[HOME + "delivery/"].status == "not_found"
    assert {p.status for u, p in own.items() if u != HOME + "delivery/"} == {"live"}
    assert stored(store, "SELECT status FROM page_checks WHERE url = ? ORDER BY checked_at", [HOME + "delivery/"]) == [
        ("canonical_elsewhere",), ("not_found",)]


def test_checked_links_have_their_target_anchor_rel_placement_and_context(store):
    from gsc_backlinks.analysis.checks import current_links
    from gsc_backlinks.store import open_store

    with open_store(store) as con:
        links = current_links(con, SITE)
    by_page = {k.linking_url: k for k in links}
    bulbs = by_page["https://www.homesandgardens.example/best-bulbs-2026/"]
    assert (bulbs.target_url, bulbs.anchor_text, bulbs.rel, bulbs.placement) == (
        HOME + "bulbs/tulips/", "tulip bulbs", "followed", "content")
    assert bulbs.context_before and bulbs.context_after
    assert {k.rel for k in links} >= {"followed", "nofollow", "ugc", "sponsored"}
    # Every current link points into the property and has words around it.
    assert all(k.target_url.startswith(HOME) and k.anchor_text for k in links)
    # A French and a German site, read as such.
    langs = dict(stored(store, "SELECT url, lang FROM page_checks WHERE url IN (?, ?) AND checked_at::DATE = "
                               "'2026-11-19'", ["https://www.jardin-passion.example/rosiers-grimpants/",
                                                "https://www.gartenfreunde.example/apple-varieties/"]))
    assert sorted(langs.values()) == ["de", "fr"]


def test_this_week_in_links_calls_attention_to_the_removed_valuable_link(store):
    from gsc_backlinks.analysis.week import VALUABLE

    week = _week(store)
    assert week.tone == "attention"
    assert week.verdict == ("Attention: you lost a link from rhs-members.example (authority 58) to "
                            "/hedging/: the link was removed on 19 Nov. Also: /delivery/ (answered 404) still has "
                            "16 links pointing at it: redirect it to its nearest live page; 1 valuable new linking "
                            "domain (best: orchardtrust.example, value 32).")
    lost = {c.linking_url: c for c in week.lost_links}
    assert lost[REMOVED].value >= VALUABLE and lost[REMOVED].reason == "link removed"
    assert lost[GONE].reason == "page gone (404/410)" and lost[GONE].value < VALUABLE
    assert [c.linking_domain for c in week.mattered] == ["rhs-members.example"]
    # New linking domains: a valuable one (the orchard trust), one only Ahrefs saw this week, and a minor one.
    new = {c.linking_domain: c for c in week.new_domains}
    assert new["orchardtrust.example"].value >= VALUABLE
    assert new["orchardtrust.example"].sources == ("Search Console", "link check", "Ahrefs")
    assert new["thegardenersyear.example"].sources == ("Ahrefs",)
    assert new["thegardenersyear.example"].first_seen == dt.date(2026, 11, 16)
    assert 0 < new["pondkeepers.example"].value < VALUABLE
    assert [c.linking_domain for c in week.valuable_new] == ["orchardtrust.example"]
    assert len(week.best_new) == 3
    # Lost from Google's sample: the spam directory (worth little).
    assert [(c.linking_domain, c.value < VALUABLE) for c in week.lost_domains] == [("spamdirectory.example", True)]
    # Fernhill's own delivery page is gone while links still point at it: redirect it.
    gone = week.linked_gone_targets
    assert [(t.url, t.status) for t in gone] == [(HOME + "delivery/", "not_found")]
    assert gone[0].links == 16 and gone[0].linking_pages >= 3


# --- third-party exports and competitors --------------------------------------------------------------------


def test_the_demo_holds_the_ahrefs_exports_of_the_property_and_two_competitors(store):
    snaps = stored(store, "SELECT competitor, vendor, export, snapshot_date, row_count FROM vendor_snapshots "
                          "WHERE property = ? ORDER BY competitor", [SITE])
    assert [s[:4] for s in snaps] == [
        ("", "ahrefs", "ahrefs_backlinks", dt.date(2026, 11, 20)),
        ("greenfingers.example", "ahrefs", "ahrefs_backlinks", dt.date(2026, 11, 18)),
        ("rosehall-gardens.example", "ahrefs", "ahrefs_backlinks", dt.date(2026, 10, 12))]
    assert 35 <= snaps[0][4] <= 50 and all(20 <= s[4] <= 35 for s in snaps[1:])
    # One link Ahrefs marks lost: the one the checks saw removed, with Ahrefs' own words.
    lost = stored(store, "SELECT linking_url, lost_on, reason FROM link_observations WHERE source = 'ahrefs' "
                         "AND status = 'lost'")
    assert lost == [(REMOVED, dt.date(2026, 11, 18), "removed from page: Link removed")]
    # Ahrefs' Domain rating is kept beside the link, never mixed into value.
    assert stored(store, "SELECT min(ahrefs_dr), max(ahrefs_dr) FROM link_observations WHERE source = 'ahrefs'")[0] \
        >= (10, 80)
    result = run(store, "competitors", "--site", SITE)
    assert result.exit_code == 0, result.output
    assert "greenfingers.example" in result.stdout and "rosehall-gardens.example" in result.stdout


def test_links_domains_sources_compares_ahrefs_with_search_console(store):
    result = run(store, "links", "domains", "--site", SITE, "--sources", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    text = json.dumps(doc)
    assert ("Ahrefs lists 19 linking domains, Search Console 19, both 15: Search Console's sample misses "
            "4 linking domains Ahrefs sees; Ahrefs misses 4 that Google counts.") in text
    table = run(store, "links", "domains", "--site", SITE, "--sources", env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "Ahrefs" in table.stdout and "kitchengardenmag.example" in table.stdout


def test_links_gap_lists_the_domains_linking_to_both_competitors(store):
    result = run(store, "links", "gap", "--site", SITE, "--min-competitors", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert len(rows) >= 2
    assert all(r["competitor_count"] == 2 and {k["competitor"] for k in r["links"]} ==
               {"greenfingers.example", "rosehall-gardens.example"} for r in rows)
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True)
    # None of them links to Fernhill by any source (hortweekly.co.uk links to both competitors, and to Fernhill).
    fernhill = {d for (d,) in stored(store, "SELECT DISTINCT linking_domain FROM link_observations "
                                            "WHERE property = ? AND (source = 'check' OR snapshot_id IN "
                                            "(SELECT snapshot_id FROM vendor_snapshots WHERE competitor = ''))",
                                     [SITE])}
    assert "hortweekly.co.uk" in fernhill and not fernhill & {r["linking_domain"] for r in rows}
    assert {"gardendesignjournal.example", "rosesociety.example"} <= {r["linking_domain"] for r in rows}


def test_the_weekly_report_says_a_competitor_export_is_old(store, tmp_path):
    from gsc_backlinks.jobs.weekly import write_weekly

    html = unwrapped(write_weekly(store, SITE, tmp_path, now=demo.DEMO_NOW).index.read_text(encoding="utf-8"))
    assert "The competitor exports are old: rosehall-gardens.example (Ahrefs, 2026-10-12)" in html
    assert "link removed" in html and "page gone (404/410)" in html  # the links the checks saw go


# --- how the sample data is made, and that the demo stays offline ----------------------------------------


def test_the_shipped_demo_data_is_what_the_script_makes(tmp_path):
    """scripts/make_demo_data.py (the real checker against its loopback sites, the Ahrefs exports, the rank
    sample) makes exactly the files shipped: the data is not edited by hand, and the script still runs."""
    out = tmp_path / "sample_data"
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo_data.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert made.returncode == 0, made.stderr
    shipped = Path(demo.__file__).resolve().parent.parent / "sample_data"
    names = sorted(p.name for p in out.iterdir())
    assert {"link-checks.json", "thirdparty.json", demo.RANK_SAMPLE} <= set(names)
    different = [n for n in names if (out / n).read_bytes() != (shipped / n).read_bytes()]
    assert different == [], f"rerun python scripts/make_demo_data.py and commit: {different}"


_NO_SOCKETS = """
import json, sys
from pathlib import Path
events = []
sys.addaudithook(lambda event, args: event.startswith("socket.") and events.append(event))
from gsc_backlinks.jobs.demo import run_demo
run_demo(Path(sys.argv[1]))
print(json.dumps(events))
"""


def test_the_demo_opens_no_socket(tmp_path):
    """Every socket Python makes raises an audit event (creating, connecting, looking a name up): none does."""
    result = subprocess.run([sys.executable, "-c", _NO_SOCKETS, str(tmp_path)], capture_output=True, text=True,
                            timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert (tmp_path / "https_www.fernhill-nursery.example" / "2026-11-19" / "index.html").exists()


def _no_network_prefix() -> list[str] | None:
    """A command prefix that runs a program without any network (a namespace of its own), where allowed."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    for prefix in ([unshare, "--net"], [unshare, "--net", "--map-root-user"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def test_the_demo_runs_with_no_network_at_all(tmp_path):
    prefix = _no_network_prefix()
    if prefix is None:
        pytest.skip("unshare cannot make a network namespace here (needs root or user namespaces)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GSC_BACKLINKS_")}
    result = subprocess.run([*prefix, sys.executable, "-m", "gsc_backlinks", "demo", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    index = tmp_path / "https_www.fernhill-nursery.example" / "2026-11-19" / "index.html"
    assert str(index) in result.stdout and index.exists()


def test_demo_with_store_keeps_its_sample_data_there_for_the_other_commands(tmp_path, monkeypatch):
    kept = tmp_path / "demo.duckdb"
    result = run(kept, "demo", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert f"The demo's store is kept at {kept}" in result.stdout
    changes = run(kept, "links", "changes", "--site", demo.DEMO_SITE, "--format", "json")
    assert changes.exit_code == 0, changes.output
    assert json.loads(changes.stdout)["notes"][0].startswith("Attention: you lost a link from rhs-members.example")
    # An existing store is never filled with made-up data.
    before = kept.read_bytes()
    again = run(kept, "demo", "--out", str(tmp_path / "r2"))
    assert again.exit_code == 2 and "exists already" in again.output and kept.read_bytes() == before
    # A store named only by the environment (the user's own) is left alone: the demo uses a temporary one.
    own = tmp_path / "own.duckdb"
    monkeypatch.setenv("GSC_BACKLINKS_STORE", str(own))
    from click.testing import CliRunner

    from gsc_backlinks.cli import cli

    plain = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "r3")])
    assert plain.exit_code == 0, plain.output
    assert not own.exists() and "kept at" not in plain.stdout
