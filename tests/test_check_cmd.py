"""`gsc-backlinks check` end to end: the linking pages a store knows, fetched from loopback sites,
and what every summary then says about each link.

The property is a URL-prefix property on the stand-in's port, so that its own
pages can be fetched too; the testing allowance maps every ``*.test`` name to
127.0.0.1 (never on by default: see the README's politeness and safety section).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from linksites import LinkSites

from gsc_backlinks.analysis.value import link_value

from clihelp import error_line, import_ok, run, stored, write_export


def doc(body: str, title: str = "A page") -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


@pytest.fixture(scope="module")
def sites():
    with LinkSites() as server:
        yield server


@pytest.fixture(autouse=True)
def allowance(monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "1")
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=127.0.0.1")


class World:
    """A store whose exports name linking pages on the stand-in, and the property's own pages there."""

    def __init__(self, sites: LinkSites, folder: Path):
        self.sites, self.folder = sites, folder
        self.site = sites.url("www.fernhill.test", "/")  # http://www.fernhill.test:PORT/
        self.store = folder / "store.duckdb"
        self.slug = self.site.replace(":", "_").replace("/", "_")

    def own(self, path: str) -> str:
        return self.sites.url("www.fernhill.test", path)

    def page(self, host: str, path: str, body: str, **kw) -> str:
        self.sites.page(host, path, doc(body), **kw)
        return self.sites.url(host, path)

    def export(self, title: str, rows: list[str], date: str = "2026-05-18") -> Path:
        folder = self.folder / date
        folder.mkdir(exist_ok=True)
        return write_export(folder, title, rows, date=date, slug=self.slug)

    def run(self, *args: str):
        return run(self.store, *args)


@pytest.fixture
def world(sites, tmp_path) -> World:
    w = World(sites, tmp_path)
    roses, old = w.own("/roses/"), w.own("/old-offer/")
    sites.page("www.fernhill.test", "/roses/", doc("<h1>Roses</h1>"))
    sites.page("www.fernhill.test", "/old-offer/", "gone", status=404, content_type="text/plain")
    w.linking = {
        "live": w.page("blog.test", "/pruning", f'<article><p>Before pruning read the <a href="{roses}">rose '
                                                f'pruning guide</a> by the nursery.</p></article>'),
        "nofollow": w.page("news.test", "/spring", f'<p><a rel="NoFollow UGC" href="{roses}">fernhill</a></p>'),
        "removed": w.page("forum.test", "/t/9", "<p>no links here any more</p>"),
        "gone": w.page("gone.test", "/post", "gone", status=404),
        "robots": w.page("private.test", "/hidden", f'<a href="{roses}">x</a>'),
        "old": w.page("deals.test", "/list", f'<ul><li><a href="{old}">old offer</a></li></ul>'),
    }
    sites.robots("private.test", "User-agent: *\nDisallow: /hidden\n")
    import_ok(w.store, w.export("More sample links", list(w.linking.values())),
              w.export("Top target pages", [f"{roses},12,4", f"{old},3,1"]), site=w.site)
    return w


def _checks(world: World) -> dict:
    result = world.run("links", "checks", "--site", world.site, "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["linking_url"]: r for r in json.loads(result.stdout)["rows"]}


def test_check_fetches_every_known_linking_page_and_says_what_it_found(world):
    result = world.run("check", "--site", world.site, "--per-host-delay", "0", "--timeout", "5")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Checked 6 linking pages on 6 hosts" in out
    assert "1 live nofollow" in out and "1 link missing" in out and "1 not found" in out and "1 blocked by robots" in out
    assert "of your linked pages: 1 with links are gone" in out and "old-offer" in out
    found = _checks(world)
    assert {found[u]["status"] for u in found} >= {"live", "live_nofollow", "link_missing", "not_found",
                                                   "blocked_by_robots"}
    assert found[world.linking["live"]]["status"] == "live" and found[world.linking["live"]]["links"] == 1
    assert found[world.linking["robots"]]["status"] == "blocked_by_robots"
    assert world.sites.requests_to("private.test", "/hidden") == []  # robots.txt obeyed: never asked
    agents = {h.user_agent for h in world.sites.requests_to("blog.test")}
    assert len(agents) == 1 and next(iter(agents)).startswith("gsc-backlinks/")

    # Checked less than 7 days ago: a second run leaves them alone.
    again = world.run("check", "--site", world.site, "--no-own-pages")
    assert again.exit_code == 0 and "Nothing to check" in again.stdout


def test_a_link_removed_between_two_checks_is_lost_with_its_reason(world, sites):
    roses = world.own("/roses/")
    sites.page("forum.test", "/t/9", doc(f'<p>See <a href="{roses}">the roses</a></p>'))
    assert world.run("check", "--site", world.site, "--per-host-delay", "0").exit_code == 0
    sites.page("forum.test", "/t/9", doc("<p>no links here any more</p>"))
    again = world.run("check", "--site", world.site, "--per-host-delay", "0", "--older-than", "0",
                      "--url", world.linking["removed"])
    assert again.exit_code == 0, again.output
    lost = stored(world.store, "SELECT count(*) FROM page_checks WHERE url = ?", [world.linking["removed"]])
    assert lost == [(2,)]
    from gsc_backlinks.analysis.checks import lost_links
    from gsc_backlinks.store import open_store

    with open_store(world.store) as con:
        gone = lost_links(con, world.site)
    assert [(g.linking_url, g.target_url, g.reason) for g in gone] == [(world.linking["removed"], roses, "link removed")]


def test_a_link_that_comes_back_is_back_and_no_longer_lost(world, sites):
    from gsc_backlinks.analysis.checks import back_links, lost_links
    from gsc_backlinks.store import open_store

    roses = world.own("/roses/")
    url = world.linking["removed"]
    with_link = doc(f'<p>See <a href="{roses}">the roses</a></p>')
    for body in (with_link, doc("<p>no links here any more</p>"), with_link):  # there, gone, back
        sites.page("forum.test", "/t/9", body)
        assert world.run("check", "--site", world.site, "--per-host-delay", "0", "--older-than", "0",
                         "--url", url).exit_code == 0
    with open_store(world.store) as con:
        gone, back = lost_links(con, world.site), back_links(con, world.site)
    assert gone == []
    assert [(b.linking_url, b.target_url, b.anchor_text, b.was) for b in back] == [(url, roses, "the roses",
                                                                                     "link removed")]
    assert back[0].back_on > back[0].lost_on
    # Gone again: lost, and no longer back.
    sites.page("forum.test", "/t/9", doc("<p>gone again</p>"))
    assert world.run("check", "--site", world.site, "--per-host-delay", "0", "--older-than", "0",
                     "--url", url).exit_code == 0
    with open_store(world.store) as con:
        assert [g.linking_url for g in lost_links(con, world.site)] == [url]
        assert back_links(con, world.site) == []


def test_a_linking_page_on_a_private_address_is_refused_and_nothing_is_sent(world, monkeypatch, sites):
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "")  # the allowance off: *.test is not on the Internet
    monkeypatch.delenv("GSC_BACKLINKS_CHECK_HOSTS")
    before = len(sites.hits)
    url = "http://127.0.0.1:9/admin"
    result = world.run("check", "--site", world.site, "--url", url, "--per-host-delay", "0", "--no-own-pages")
    assert result.exit_code == 0, result.output
    assert _checks(world)[url]["status"] == "refused_address"
    assert len(sites.hits) == before


def test_links_checks_csv_and_json_carry_every_stored_fact_of_a_page(world, sites):
    target = world.page("moved.test", "/new", f'<a href="{world.own("/roses/")}">roses</a>')
    sites.page("moved.test", "/new", doc(f'<a href="{world.own("/roses/")}">roses</a>').replace(
        "<title>", f'<link rel="canonical" href="{target}?ref=1"><meta name="robots" content="index, follow"><title>'),
        headers={"X-Robots-Tag": "noarchive"})
    sites.redirect("moved.test", "/old", target)
    old = sites.url("moved.test", "/old")
    result = world.run("check", "--site", world.site, "--url", old, "--per-host-delay", "0", "--no-own-pages")
    assert result.exit_code == 0, result.output

    row = _checks(world)[old]
    assert (row["status"], row["final_url"], row["lang"]) == ("redirected", target, "en")
    assert (row["canonical"], row["meta_robots"], row["x_robots_tag"]) == (
        f"{target}?ref=1", "index, follow", "noarchive")
    assert row["hops"] == [f"301 {old}", f"200 {target}"]
    assert row["size"] > 100 and 0 <= row["elapsed"] < 5
    csv_text = world.run("links", "checks", "--site", world.site, "--format", "csv").stdout
    line = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["linking_url"] == old)
    assert line["hops"] == f"301 {old} | 200 {target}"
    assert (line["lang"], line["x_robots_tag"], line["size"]) == ("en", "noarchive", str(row["size"]))
    table = world.run("links", "checks", "--site", world.site).stdout
    assert "noarchive" not in table and "X-Robots-Tag" in " ".join(table.split())  # machine-only: named in a note


def test_nothing_to_check_says_why(world, sites, tmp_path):
    before = len(sites.hits)
    nomatch = world.run("check", "--site", world.site, "--domain", "nomatch.example")
    assert nomatch.exit_code == 0, nomatch.output
    assert " ".join(nomatch.stdout.split()) == (
        f"Nothing to check for {world.site}: no linking pages of nomatch.example are known (gsc-backlinks links "
        f"domains --site {world.site} lists the linking domains held; --url URL checks any page).")

    bare = World(sites, tmp_path / "bare")
    bare.folder.mkdir()
    import_ok(bare.store, bare.export("Top target pages", [f"{bare.own('/roses/')},12,4"]), site=bare.site)
    none = bare.run("check", "--site", bare.site, "--no-own-pages")
    assert none.exit_code == 0, none.output
    said = " ".join(none.stdout.split())
    assert said.startswith(f"Nothing to check for {bare.site}: no linking pages are known; import Search Console's "
                           "'More sample links' or 'Latest links' export")
    assert "checked less than" not in said
    assert len(sites.hits) == before


def test_check_options_are_checked_before_anything_is_fetched(world):
    bad = world.run("check", "--site", world.site, "--concurrency", "0")
    assert bad.exit_code == 2 and "Invalid value for '--concurrency'" in bad.stderr
    assert "not a web page address" in error_line(world.run("check", "--site", world.site, "--url", "javascript:x"))
    assert "not a check status" in error_line(world.run("links", "checks", "--site", world.site, "--status", "fine"))


# --- what every view then says about each link ---------------------------------------------------------


@pytest.fixture
def checked(world):
    roses = world.own("/roses/")
    world.linking["topical"] = world.page(
        "misc.test", "/p/123", "<article><h1>Winter care</h1><p>Pruning roses in winter keeps them healthy; "
        f"climbing roses need their own <a href=\"{roses}\">care</a>.</p></article>")
    import_ok(world.store, world.export("Latest links", [f"{world.linking['topical']},2026-05-20"], date="2026-05-21"),
              site=world.site)
    result = world.run("check", "--site", world.site, "--per-host-delay", "0", "--timeout", "5")
    assert result.exit_code == 0, result.output
    return world


def test_links_samples_show_status_anchor_rel_and_target(checked):
    rows = {r["linking_url"]: r for r in json.loads(checked.run(
        "links", "samples", "--site", checked.site, "--format", "json").stdout)["rows"]}
    live = rows[checked.linking["live"]]
    assert (live["status"], live["anchor_text"], live["rel"], live["target_url"]) == (
        "live", "rose pruning guide", "followed", checked.own("/roses/"))
    assert rows[checked.linking["nofollow"]]["rel"] == "nofollow ugc"
    assert rows[checked.linking["removed"]]["status"] == "link_missing"
    assert rows[checked.linking["removed"]]["anchor_text"] is None


def test_links_anchors_for_one_page_are_the_real_anchor_texts(checked):
    doc = json.loads(checked.run("links", "anchors", "--site", checked.site, "--target", checked.own("/roses/"),
                                 "--format", "json").stdout)
    by_text = {r["anchor_text"]: r for r in doc["rows"]}
    assert by_text["rose pruning guide"]["followed"] == 1
    assert by_text["fernhill"]["followed"] == 0  # nofollow ugc
    assert by_text["fernhill"]["class"] == "branded"


def test_page_shows_every_checked_link_with_anchor_rel_context_and_value(checked):
    doc = json.loads(checked.run("page", checked.own("/roses/"), "--site", checked.site, "--format", "json").stdout)
    pages = {p["linking_url"]: p for p in doc["linking_pages"]}
    live = pages[checked.linking["live"]]
    assert live["source"] == "link check" and live["check_status"] == "live"
    assert live["anchor_text"] == "rose pruning guide" and live["context_before"].endswith("Before pruning read the")
    nofollow = pages[checked.linking["nofollow"]]
    assert nofollow["rel"] == "nofollow ugc"
    unknown = authority_half(doc)
    # Value weighs the rel flags: half for nofollow, half again for ugc.
    assert nofollow["value"] == link_value(None, nofollow["relevance"], unknown, ("nofollow", "ugc"))
    # Relevance reads the page's main text: a page whose URL says nothing of roses is about them.
    assert pages[checked.linking["topical"]]["relevance"] > 0


def authority_half(doc) -> float:
    return 0.0  # no rank file loaded: authority counts 0 (see "How link value is computed")


def test_the_weekly_report_shows_what_the_checks_found(checked, sites, tmp_path):
    sites.page("forum.test", "/t/9", doc(f'<p>See <a href="{checked.own("/roses/")}">the roses</a></p>'))
    assert checked.run("check", "--site", checked.site, "--url", checked.linking["removed"], "--older-than", "0",
                       "--per-host-delay", "0").exit_code == 0
    sites.page("forum.test", "/t/9", doc("<p>no links here any more</p>"))
    assert checked.run("check", "--site", checked.site, "--url", checked.linking["removed"], "--older-than", "0",
                       "--per-host-delay", "0").exit_code == 0
    result = checked.run("report", "weekly", "--site", checked.site, "--offline", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    html = Path(result.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "Links lost, as the link checks saw them" in html and "link removed" in html
    assert "Your linked pages that are gone: redirect them" in html and "/old-offer/" in html
    assert "<dt>Link checks</dt>" in html and "linking pages checked" in html
