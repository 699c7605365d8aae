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


def test_a_check_that_could_not_read_the_page_is_no_loss(world, sites):
    from gsc_backlinks.analysis.checks import lost_links
    from gsc_backlinks.store import open_store

    roses = world.own("/roses/")
    url = world.linking["removed"]
    for body, status in ((doc(f'<p>See <a href="{roses}">the roses</a></p>'), 200),  # there
                         ("busy", 503),  # the site answers an error: nothing known about the link
                         (doc("<p>no links here any more</p>"), 200)):  # read again: gone
        sites.page("forum.test", "/t/9", body, status=status)
        assert world.run("check", "--site", world.site, "--per-host-delay", "0", "--older-than", "0",
                         "--url", url).exit_code == 0
        with open_store(world.store) as con:
            gone = lost_links(con, world.site)
        if status == 503:
            assert gone == []  # not "lost: page answers an error"
    assert [(g.linking_url, g.reason) for g in gone] == [(url, "link removed")]


def test_a_page_a_check_read_without_the_link_keeps_no_anchor_a_tool_still_lists(world, tmp_path):
    from vendorfiles import AHREFS_BACKLINKS, row_of, utf8_csv, vendor_file

    roses = world.own("/roses/")
    assert world.run("check", "--site", world.site, "--per-host-delay", "0").exit_code == 0  # forum.test: no link
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url=world.linking["removed"], target_url=roses,
                   anchor="stale tool anchor", nofollow="false", first_seen="2026-05-01", last_seen="2026-05-19")]
    imported = world.run("import", str(vendor_file(tmp_path, "www.fernhill.test-backlinks-subdomains_2026-05-20_09-00-00"
                                                   ".csv", utf8_csv(AHREFS_BACKLINKS, rows))), "--site", world.site)
    assert imported.exit_code == 0, imported.output
    result = world.run("links", "anchors", "--site", world.site, "--target", roses, "--format", "json")
    assert result.exit_code == 0, result.output
    anchors = {r["anchor_text"]: r for r in json.loads(result.stdout)["rows"]}
    # The check read the page and found no link: the tool's older crawl does not bring it back.
    assert "stale tool anchor" not in anchors
    assert anchors["rose pruning guide"]["sources"] == "link check"


def test_dates_people_read_are_pacific_time_dates():
    import datetime as dt

    from gsc_backlinks.analysis.week import _day
    from gsc_backlinks.dates import pacific_day_start

    # A check at 03:00 UTC on 20 Nov happened on the evening of 19 Nov in California.
    assert _day(dt.datetime(2026, 11, 20, 3, 0)) == dt.date(2026, 11, 19)
    assert _day(dt.date(2026, 11, 20)) == dt.date(2026, 11, 20)  # a tool's date is its own
    # And a Pacific day starts at 08:00 UTC in winter: the window of a comparison is counted from there.
    assert pacific_day_start(dt.date(2026, 11, 17)) == dt.datetime(2026, 11, 17, 8, 0)


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


# --- check --competitors: the link gap's pages, read for what they are about ------------------------------

RIVAL, THORN = "rival.test", "thorn.test"


def _competitor(world: World, name: str, linking_urls: list[str]) -> None:
    """An Ahrefs export of competitor `name`'s links, from these pages."""
    from vendorfiles import AHREFS_BACKLINKS, row_of, utf8_csv, vendor_file

    rows = [row_of(AHREFS_BACKLINKS, referring_page_url=url, target_url=f"https://www.{name}/roses/", anchor=name,
                   domain_rating=40, nofollow="false", first_seen="2026-04-01", last_seen="2026-05-19")
            for url in linking_urls]
    path = vendor_file(world.folder / name, f"{name}-backlinks_2026-05-20_10-00-00.csv", utf8_csv(AHREFS_BACKLINKS, rows))
    import_ok(world.store, path, site=world.site, extra=("--competitor", name))


def _search_queries(world: World, queries: list[str]) -> None:
    import datetime as dt

    from gsc_backlinks.store import open_store

    with open_store(world.store, write=True) as con:
        con.executemany("INSERT INTO search_queries VALUES (?, 'web', ?, ?, ?, 3, 40, 0.075, 4.0)",
                        [(world.site, dt.date(2026, 5, 10), world.own("/roses/"), q) for q in queries])


def _gap(world: World) -> dict:
    result = world.run("links", "gap", "--site", world.site, "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["linking_domain"]: r for r in json.loads(result.stdout)["rows"]}


@pytest.fixture
def rivals(world, sites):
    """Two competitors linked from a page about rose pruning (the property's queries), one from a page on
    bicycles, one from a page robots.txt keeps us out of."""
    _search_queries(world, ["rose pruning", "pruning climbing roses", "winter rose care", "rose pruning guide"])
    world.gap = {
        "roses": world.page("gardenclub.test", "/p/42", "<article><h1>Pruning climbing roses</h1><p>Rose pruning in "
                            "late winter: cut climbing roses back to healthy buds, and feed the roses after pruning. "
                            f'Our friends at <a href="https://www.{RIVAL}/roses/">{RIVAL}</a> sell them.</p></article>'),
        "roses2": world.page("gardenclub.test", "/p/43", "<article><p>More on winter rose care and rose pruning: "
                             f'see <a href="https://www.{THORN}/roses/">{THORN}</a>.</p></article>'),
        "bikes": world.page("cycling.test", "/p/7", "<article><p>Gear ratios and chain care for road bicycles. "
                            f'<a href="https://www.{RIVAL}/roses/">a shop</a></p></article>'),
        "shy": world.page("shy.test", "/p/1", f'<p><a href="https://www.{RIVAL}/roses/">x</a></p>'),
    }
    sites.robots("shy.test", "User-agent: *\nDisallow: /\n")
    _competitor(world, RIVAL, [world.gap["roses"], world.gap["bikes"], world.gap["shy"]])
    _competitor(world, THORN, [world.gap["roses2"]])
    # The property's own linking pages, checked first: what a --competitors run must leave as it is.
    assert world.run("check", "--site", world.site, "--per-host-delay", "0", "--no-own-pages").exit_code == 0
    return world


def test_check_competitors_reads_the_gap_pages_so_their_relevance_and_value_rise(rivals, sites):
    from gsc_backlinks.analysis.checks import current_links, latest_checks, lost_links
    from gsc_backlinks.analysis.snapshots import Snapshots
    from gsc_backlinks.analysis.thirdparty import coverage
    from gsc_backlinks.store import open_store

    world = rivals
    before = _gap(world)
    checks_before = _checks(world)
    roses = before["gardenclub.test"]
    assert roses["competitors"] == f"{RIVAL}, {THORN}"  # a link gap row with an example page per competitor

    result = world.run("check", "--site", world.site, "--competitors", "--per-host-delay", "0.3", "--no-own-pages")

    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Checked 4 linking pages of the link gap on 3 hosts: 3 read for what they are about" in said
    after = _gap(world)
    # The page about rose pruning is now rated by its text, not by the words of /p/42: relevance and value rise.
    assert after["gardenclub.test"]["relevance"] > roses["relevance"]
    assert after["gardenclub.test"]["value"] > roses["value"]
    assert after["cycling.test"]["relevance"] < after["gardenclub.test"]["relevance"]
    stored_rows = stored(world.store, "SELECT url, own, gap, status, main_text IS NOT NULL FROM page_checks "
                                      "WHERE gap ORDER BY url")
    assert stored_rows == sorted([
        (world.gap["bikes"], False, True, "link_missing", True), (world.gap["roses"], False, True, "link_missing", True),
        (world.gap["roses2"], False, True, "link_missing", True), (world.gap["shy"], False, True, "blocked_by_robots",
                                                                   False)])

    # Never the property's links: links checks, lost links, current links and coverage are as they were.
    assert _checks(world) == checks_before
    with open_store(world.store) as con:
        assert lost_links(con, world.site) == []
        assert not {link.linking_url for link in current_links(con, world.site)} & set(world.gap.values())
        assert not {p.url for p in latest_checks(con, world.site)} & set(world.gap.values())
        assert "gardenclub.test" not in coverage(con, Snapshots.read(con, world.site)).all
    assert set(after) == set(before)  # still the gap: a competitor's page is no link of yours

    # Politely: robots.txt obeyed, one request at a time per host with the delay between two.
    assert sites.requests_to("shy.test", "/p/1") == []
    club = sorted(h.started for h in sites.requests_to("gardenclub.test"))
    assert len(club) == 3 and all(b - a >= 0.25 for a, b in zip(club, club[1:]))  # robots.txt, /p/42, /p/43
    assert {h.user_agent for h in sites.requests_to("cycling.test")} == {next(iter(
        {h.user_agent for h in sites.requests_to("blog.test")}))}

    again = world.run("check", "--site", world.site, "--competitors", "--no-own-pages")
    assert again.exit_code == 0, again.output
    assert "The link gap names 4 linking pages, all checked less than 7 days ago." in " ".join(again.stdout.split())


def test_check_competitors_limit_takes_the_most_valuable_gap_pages_first(rivals):
    top = next(iter(_gap(rivals).values()))  # the gap's most valuable domain, as `links gap` ranks it

    result = rivals.run("check", "--site", rivals.site, "--competitors", "--limit", "1", "--per-host-delay", "0",
                        "--no-own-pages")

    assert result.exit_code == 0, result.output
    assert stored(rivals.store, "SELECT url FROM page_checks WHERE gap") == [(top["links"][0]["linking_url"],)]


def test_a_gap_page_that_links_to_you_is_said_and_not_counted(rivals, sites):
    sites.page("cycling.test", "/p/7", doc(f'<p><a href="{rivals.own("/roses/")}">roses</a> and '
                                           f'<a href="https://www.{RIVAL}/roses/">a shop</a></p>'))
    result = rivals.run("check", "--site", rivals.site, "--competitors", "--per-host-delay", "0", "--no-own-pages")

    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert f"1 of them link to {rivals.site} already; not counted as your links until checked as yours" in said
    assert rivals.gap["bikes"] in said
    assert stored(rivals.store, "SELECT count(*) FROM link_observations WHERE source = 'check' AND linking_url = ?",
                  [rivals.gap["bikes"]]) == [(0,)]


def test_check_competitors_refuses_a_private_address_and_needs_competitor_data(world, monkeypatch, sites):
    line = error_line(world.run("check", "--site", world.site, "--competitors"))
    assert line == (f"Error: no competitor's backlinks export imported for {world.site}; import one with "
                    f"gsc-backlinks import FILE --site {world.site} --competitor DOMAIN")
    assert "--url only the pages named" in error_line(world.run("check", "--site", world.site, "--competitors",
                                                                "--url", world.linking["live"]))

    admin = f"http://localhost:{sites.port}/admin"  # the stand-in itself: it would see a request
    _competitor(world, RIVAL, [admin])
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "")  # the allowance off
    monkeypatch.delenv("GSC_BACKLINKS_CHECK_HOSTS")
    before = len(sites.hits)
    result = world.run("check", "--site", world.site, "--competitors", "--domain", "localhost", "--per-host-delay", "0")

    assert result.exit_code == 0, result.output
    assert stored(world.store, "SELECT gap, status FROM page_checks WHERE url = ?", [admin]) == [(True, "refused_address")]
    assert len(sites.hits) == before
