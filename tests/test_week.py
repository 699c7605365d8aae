"""This week in links: gross new and lost linking domains, what each is worth, and the verdict — as the
weekly report's first screen and `gsc-backlinks links changes` give them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_value import cc_file
from vendorfiles import AHREFS_BACKLINKS, row_of, utf8_csv, vendor_file

from clihelp import SITE, error_line, import_ok, run, write_export

#: Rank 50 gives authority 79: with any relevance, a link from it is worth 30 or more ("valuable").
RANKS = {"bigmagazine.com": 50, "gardening.com": 200_000, "bbc.co.uk": 300_000, "tinyblog.net": 80_000_000,
         "spamlinks.biz": 90_000_000}


def sites_export(folder: Path, date: str, domains: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_export(folder, "Top linking sites", [f"{d},4,2" for d in domains], date=date)


@pytest.fixture
def make(tmp_path):
    """A store holding Top linking sites exports of 2026-05-04 and 2026-05-18, and a rank file."""
    def build(before: list[str], after: list[str]) -> Path:
        store = tmp_path / "store.duckdb"
        import_ok(store, sites_export(tmp_path / "a", "2026-05-04", before),
                  sites_export(tmp_path / "b", "2026-05-18", after))
        assert run(store, "authority", "load", cc_file(tmp_path / "cc-main-2026-t-domain-ranks.txt.gz", RANKS)
                   ).exit_code == 0
        return store
    return build


def changes(store: Path, *args: str) -> dict:
    result = run(store, "links", "changes", "--site", SITE, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_losing_a_valuable_domain_is_named_in_the_verdict(make):
    store = make(["bbc.co.uk", "gardening.com", "bigmagazine.com"], ["bbc.co.uk", "gardening.com", "tinyblog.net"])

    data = changes(store)

    verdict = data["notes"][0]
    assert verdict.startswith("Attention: you lost a link from bigmagazine.com (authority 79)")
    assert "no longer in the Top linking sites export" in verdict
    rows = {(r["change"], r["linking_domain"]): r for r in data["rows"]}
    lost = rows[("lost", "bigmagazine.com")]
    assert lost["value"] >= 30 and lost["last_seen"] == "2026-05-04" and lost["lost_on"] == "2026-05-18"
    assert lost["sources"] == "Search Console"
    assert rows[("new", "tinyblog.net")]["first_seen"] == "2026-05-18"
    assert "1 new" in data["notes"][1] and "1 lost" in data["notes"][1]


def test_a_valuable_new_domain_and_nothing_valuable_lost_is_a_good_week(make):
    store = make(["bbc.co.uk", "spamlinks.biz"], ["bbc.co.uk", "bigmagazine.com"])

    verdict = changes(store)["notes"][0]

    assert verdict.startswith("A good week: 1 valuable new linking domain (best: bigmagazine.com, value ")
    # The loss is named as the non-event it is.
    assert verdict.endswith("nothing valuable lost. Also: the lost spamlinks.biz (value 0) was of little value.")


def test_changes_of_no_value_are_a_quiet_week(make):
    store = make(["bbc.co.uk", "spamlinks.biz"], ["bbc.co.uk", "tinyblog.net"])

    assert changes(store)["notes"][0] == ("A quiet week: 1 new and 1 lost linking domains, none of them valuable "
                                          "(value 30 or more).")


def test_one_snapshot_has_nothing_to_compare(tmp_path):
    store = tmp_path / "s.duckdb"
    import_ok(store, sites_export(tmp_path, "2026-05-18", ["bbc.co.uk"]))
    data = changes(store)
    assert data["notes"][0] == "First snapshot (2026-05-18): changes show once a newer export is imported."
    assert data["rows"] == []


def test_since_compares_with_an_older_snapshot_and_says_when_there_is_none(make, tmp_path):
    store = make(["bbc.co.uk"], ["bbc.co.uk", "gardening.com"])
    import_ok(store, sites_export(tmp_path / "c", "2026-05-25", ["bbc.co.uk", "gardening.com", "tinyblog.net"]))

    assert [r["linking_domain"] for r in changes(store)["rows"]] == ["tinyblog.net"]  # against 18 May
    assert sorted(r["linking_domain"] for r in changes(store, "--since", "2026-05-10")["rows"]) == [
        "gardening.com", "tinyblog.net"]  # against 4 May
    line = error_line(run(store, "links", "changes", "--site", SITE, "--since", "2026-05-01"))
    assert "no snapshot on or before 2026-05-01 to compare with (the oldest held is 2026-05-04)" in line


def test_changes_csv_lists_new_then_lost_most_valuable_first(make):
    store = make(["bbc.co.uk", "bigmagazine.com", "spamlinks.biz"], ["gardening.com", "tinyblog.net"])

    result = run(store, "links", "changes", "--site", SITE, "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["change"], r["linking_domain"]) for r in rows] == [
        ("new", "gardening.com"), ("new", "tinyblog.net"),
        ("lost", "bigmagazine.com"), ("lost", "bbc.co.uk"), ("lost", "spamlinks.biz")]
    assert {"value", "authority", "target_url", "anchor_text", "first_seen", "reason", "sources"} <= set(rows[0])


def test_a_link_only_a_tool_saw_appear_is_a_new_link_with_its_context(make, tmp_path):
    store = make(["bbc.co.uk"], ["bbc.co.uk"])
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://www.bigmagazine.com/best-gardens/",
                   target_url="https://www.example.com/roses/", anchor="the best rose nursery", nofollow="false",
                   first_seen="2026-05-12 08:00:00", last_seen="2026-05-19 08:00:00")]
    import_ok(store, vendor_file(tmp_path, "www.example.com-backlinks-subdomains_2026-05-20_09-00-00.csv",
                                 utf8_csv(AHREFS_BACKLINKS, rows)))
    assert run(store, "authority", "refresh").exit_code == 0  # the rank of a domain only the tool names

    data = changes(store)

    new = next(r for r in data["rows"] if r["linking_domain"] == "bigmagazine.com")
    assert (new["change"], new["sources"], new["target_url"], new["anchor_text"], new["first_seen"],
            new["followed"]) == ("new", "Ahrefs", "https://www.example.com/roses/", "the best rose nursery",
                                 "2026-05-12", "yes")
    assert data["notes"][0].startswith("A good week: 1 valuable new linking domain (best: bigmagazine.com")


def test_page_changes_are_rated_too(tmp_path):
    store = tmp_path / "s.duckdb"
    folder = tmp_path / "x"
    folder.mkdir()
    import_ok(store, write_export(folder, "More sample links", ["https://bbc.co.uk/a", "https://old.example/b"],
                                  date="2026-05-04"))
    import_ok(store, write_export(folder, "More sample links", ["https://bbc.co.uk/a", "https://new.example/c"],
                                  date="2026-05-18"))

    data = changes(store, "--pages")

    assert [(r["change"], r["linking_url"]) for r in data["rows"]] == [
        ("new", "https://new.example/c"), ("lost", "https://old.example/b")]
    assert all(isinstance(r["value"], int) for r in data["rows"])
    # The same context as the domains': when, which sources, and for a lost page why.
    new, lost = data["rows"]
    assert (new["first_seen"], new["sources"], new["reason"]) == ("2026-05-18", "Search Console", None)
    assert (lost["last_seen"], lost["lost_on"], lost["reason"]) == ("2026-05-04", "2026-05-18",
                                                                   "no longer in Google's sample")


def test_a_tools_new_page_on_a_domain_google_already_counts_is_no_new_domain(make, tmp_path):
    store = make(["bbc.co.uk"], ["bbc.co.uk"])
    rows = [row_of(AHREFS_BACKLINKS, referring_page_url="https://www.bbc.co.uk/new-story/",
                   target_url="https://www.example.com/", anchor="example", first_seen="2026-05-12",
                   last_seen="2026-05-19")]
    import_ok(store, vendor_file(tmp_path, "www.example.com-backlinks-subdomains_2026-05-20_09-00-00.csv",
                                 utf8_csv(AHREFS_BACKLINKS, rows)))

    data = changes(store)

    assert data["rows"] == []
    assert data["notes"][0] == "A quiet week: no change since 2026-05-04."


@pytest.mark.parametrize("width", [80, 120])
def test_changes_table_reads_in_a_terminal_of_80_and_120_columns(make, width):
    store = make(["bbc.co.uk", "bigmagazine.com", "spamlinks.biz"], ["gardening.com", "tinyblog.net"])

    result = run(store, "links", "changes", "--site", SITE, env={"COLUMNS": str(width)})

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= width for line in table)
    header = table[1]
    # Every column shown has room for its name: none collapsed to nothing, and the key ones are there.
    assert "┃┃" not in header
    for name in ("Change", "Linking domain", "Value", "Your page", "Why"):
        assert name in header
    assert any("bigmagazine.com" in line and "lost" in line for line in table)
    # What a narrow terminal leaves out is said, and CSV/JSON have it.
    after = " ".join(lines[lines.index(table[-1]) + 1:])
    assert "Left out at this terminal width:" in after and "Sources" in after
    if width == 120:  # a wider terminal shows more
        assert "Relevance" in header and "First seen" in header
