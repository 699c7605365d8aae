"""What a link is worth: anchor classes, relevance, authority from rank files, value — by hand-checked cases
and through the commands a user runs (`authority load|refresh|status`, `brand`, `links domains --sort value`)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gsc_backlinks.analysis import relevance as R
from gsc_backlinks.analysis.anchors import AnchorRules, brand_terms, normalize_text
from gsc_backlinks.analysis.value import link_value
from gsc_backlinks.ranks import authority_score
from gsc_backlinks.store import open_store

from clihelp import SITE, error_line, import_ok, run, write_export

# --- anchor classes ------------------------------------------------------------------------------

NURSERY = "https://www.fernhill-nursery.example/"
QUERIES = ["compost bins", "how to prune roses", "fernhill nursery", "apple trees for sale", "hedging plants"]


@pytest.mark.parametrize("anchor, expected", [
    ("", "empty / image"),
    ("(empty)", "empty / image"),
    ("logo", "empty / image"),
    ("https www fernhill nursery example", "naked URL"),  # an address, though it names the brand
    ("www example com", "naked URL"),
    ("bbc co uk", "naked URL"),
    ("example de", "naked URL"),
    ("fernhill nursery", "branded"),
    ("fernhillnursery", "branded"),
    ("Fernhill-Nursery Roses!", "branded"),  # case and punctuation as Search Console normalizes them
    ("fernhill", "branded"),  # the domain's first word: a brand query, so a brand anchor
    ("click here", "generic"),
    ("read more", "generic"),
    ("en savoir plus", "generic"),
    ("こちら", "generic"),
    ("compost bins", "exact match"),
    ("hedging plants", "exact match"),
    ("best compost bin", "partial match"),  # "bin" = "bins" without the plural s
    ("pruning roses in winter", "partial match"),
    ("rose garden", "partial match"),
    ("gift vouchers", "other"),
    ("rosegarden tips", "other"),  # a newer gTLD word ("tips") does not make it an address
    ("the best of the uk", "other"),
])
def test_anchor_classes(anchor, expected):
    rules = AnchorRules.build(NURSERY, queries=QUERIES)
    assert rules.classify(anchor) == expected


def test_brand_terms_come_from_the_domain_and_the_user():
    assert brand_terms(NURSERY) == ("fernhill nursery", "fernhillnursery")
    assert brand_terms("sc-domain:shop.example.co.uk") == ("example",)
    assert "fernhill" in brand_terms(NURSERY, ["Fernhill"])
    rules = AnchorRules.build(NURSERY, ["Fernhill"], QUERIES)
    assert rules.classify("fernhill") == "branded"
    # A branded query is not a topic: "fernhill nursery" stays branded, never "exact match".
    assert "fernhill nursery" not in rules.queries


def test_normalize_text_is_search_consoles_form():
    assert normalize_text("  Click HERE!!  ") == "click here"
    assert normalize_text("https://www.Example.com/") == "https www example com"
    assert normalize_text("Ünïcode—text") == "ünïcode text"


# --- relevance ---------------------------------------------------------------------------------


def test_url_words_keep_what_a_page_is_about():
    assert R.url_words("https://blog.greenthumbs.example/best-bulbs-2026/?page=3") == "greenthumbs best bulbs"
    assert R.url_words("https://news.hortweekly.co.uk/tag/roses/") == "hortweekly roses"
    assert R.url_words("https://forum.example/winter%20pruning%20tips/") == "winter pruning tips"
    assert R.url_words("") == "" and R.url_words(None) == ""


def test_a_page_on_the_same_topic_is_more_relevant_than_one_that_is_not():
    topic_queries = [("how to compost", 9000), ("composting for beginners", 5000), ("compost bin guide", 3000)]
    linking = ["https://blog.greenthumbs.example/compost-guide/", "https://www.cars.example/engine-repair/",
               "https://kompost-freunde.example/kompostieren/"]
    model = R.TopicModel([q for q, _ in topic_queries] + [R.url_words(u) for u in linking])
    topic = model.topic(topic_queries)
    scores = model.similarity([R.url_words(u) for u in linking], topic)
    compost, cars, german = scores
    assert compost > german > cars  # letter n-grams let "kompost" come close to "compost"
    assert R.band(compost) == "high" and R.band(cars) == "low"
    assert min(scores) >= 0 and max(scores) <= 100


def test_texts_without_a_single_word_give_no_traceback():
    # Every query emoji or punctuation: no word to learn, yet the report and `page` must go on.
    model = R.TopicModel(["🌱", "?!"])
    topic = model.topic([("🌱", 10), ("?!", 3)])
    assert model.similarity(["🌱", "compost guide"], topic) == [100, 0]
    # Not even a letter fragment: every vector is empty, so relevance is unknown (None), not an error.
    blank = R.TopicModel([" ", "\t"])
    assert blank.topic([(" ", 5)]) is None
    assert blank.similarity(["compost"], blank.topic([(" ", 5)])) == [None]


def test_a_property_whose_queries_are_all_emoji_is_still_valued(tmp_path):
    import datetime as dt

    from gsc_backlinks.analysis.snapshots import Snapshots
    from gsc_backlinks.analysis.value import Valuer

    with open_store(tmp_path / "store.duckdb", write=True) as con:
        con.executemany("INSERT INTO search_queries VALUES (?, 'web', ?, ?, ?, 1, 10, 0.1, 3.0)",
                        [(NURSERY, dt.date(2026, 11, 19), NURSERY, q) for q in ("🌱", "🌹🌹", "?!")])
        valuer = Valuer(con, Snapshots.read(con, NURSERY), dt.date(2026, 11, 19), [])
        rated = valuer.rate_domains(["compost.example"])
    assert valuer.has_search and rated[0].relevance == 0 and rated[0].value == 0


def test_relevance_bands():
    assert [R.band(s) for s in (0, 14, 15, 39, 40, 100)] == ["low", "low", "medium", "medium", "high", "high"]
    assert R.band(None) is None
    assert R.score(0.25) == 50 and R.score(0.9) == 100 and R.score(-0.1) == 0


# --- authority and value -------------------------------------------------------------------------


@pytest.mark.parametrize("rank, score", [(1, 100), (100, 75), (10_000, 50), (1_000_000, 25), (100_000_000, 1),
                                         (10**12, 1), (None, None), (0, None)])
def test_authority_score_is_a_log_scale_that_never_says_zero(rank, score):
    assert authority_score(rank) == score


def test_link_value_is_half_authority_half_relevance():
    assert link_value(80, 40, 0.5) == 60
    assert link_value(None, 40, 12.5) == 26  # unknown authority counts as the stand-in: 0.5*12.5 + 20 = 26.25
    assert link_value(None, 40, 0.0) == 20  # no rank file: relevance alone
    assert link_value(80, 40, 0.5, flags=("nofollow",)) == 30
    assert link_value(80, 40, 0.5, flags=("sponsored",)) == 15


# --- the commands --------------------------------------------------------------------------------

CC_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts"


def cc_file(path: Path, domains: dict[str, int], last: int = 90_000_000) -> Path:
    """A Common Crawl domain-ranks file: gzip, tab-separated, reversed names, ordered by rank."""
    rows = dict(domains, **{"zz-last-one.com": last})
    lines = [CC_HEADER] + [f"{rank}\t1.0E7\t{rank}\t1.0E-8\t{'.'.join(reversed(d.split('.')))}\t3"
                           for d, rank in sorted(rows.items(), key=lambda kv: kv[1])]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


@pytest.fixture
def store(tmp_path) -> Path:
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "More sample links"), write_export(tmp_path, "Top linking sites"),
              write_export(tmp_path, "Top linking text"))
    return store


def _ranks(store: Path):
    with open_store(store) as con:
        return (con.execute("SELECT kind, release, file_name, list_size FROM rank_sources ORDER BY 1").fetchall(),
                con.execute("SELECT domain, rank FROM domain_ranks ORDER BY 1").fetchall())


def test_authority_load_keeps_the_ranks_of_linking_domains_only(store, tmp_path):
    path = cc_file(tmp_path / "cc-main-2025-26-nov-dec-jan-domain-ranks.txt.gz",
                   {"google.com": 3, "bbc.co.uk": 212, "gardening.com": 48_113, "unrelated.org": 7})
    result = run(store, "authority", "load", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Common Crawl web graph (harmonic centrality), cc-main-2025-26-nov-dec-jan "
                                    "(90,000,000 domains): 2 of 3 linking domains ranked")
    sources, ranks = _ranks(store)
    assert sources == [("commoncrawl", "cc-main-2025-26-nov-dec-jan", path.name, 90_000_000)]
    # Looked up: every linking domain (alice and bob.github.io are one site, github.io); only they are kept.
    assert ranks == [("bbc.co.uk", 212), ("gardening.com", 48_113), ("github.io", None)]

    status = json.loads(run(store, "authority", "status", "--format", "json").output)
    assert status["linking_domains"] == 3
    assert status["rank_files"][0]["ranked"] == 2 and status["rank_files"][0]["not_looked_up"] == 0

    doc = json.loads(run(store, "links", "domains", "--site", SITE, "--sort", "value", "--format", "json").output)
    rows = {r["linking_domain"]: r for r in doc["rows"]}
    # bbc.co.uk: rank 212 -> 100 x (1 - log10(212) / 8) = 70.9 -> 71.
    assert rows["bbc.co.uk"]["authority"] == 71 and rows["bbc.co.uk"]["authority_rank"] == 212
    assert rows["bbc.co.uk"]["authority_source"] == "Common Crawl web graph (harmonic centrality), cc-main-2025-26-nov-dec-jan"
    assert rows["gardening.com"]["authority"] == 41  # 100 x (1 - log10(48,113) / 8) = 41.5
    assert [r["linking_domain"] for r in doc["rows"]][0] == "bbc.co.uk"
    values = [r["value"] for r in doc["rows"]]
    assert values == sorted(values, reverse=True)
    assert any("cc-main-2025-26-nov-dec-jan" in n for n in doc["notes"])


def test_new_linking_domains_are_looked_up_by_refresh(store, tmp_path):
    path = cc_file(tmp_path / "cc-main-2025-26-nov-dec-jan-domain-ranks.txt.gz",
                   {"bbc.co.uk": 212, "rosegrowers.org": 5_000})
    assert run(store, "authority", "load", str(path)).exit_code == 0
    later = tmp_path / "later"
    later.mkdir()
    import_ok(store, write_export(later, "More sample links", ["https://www.rosegrowers.org/climbers/"],
                                  date="2026-05-25"))
    assert "1 newer ones not looked up (gsc-backlinks authority refresh)" in run(store, "authority", "status").output
    result = run(store, "authority", "refresh")
    assert result.exit_code == 0, result.output
    assert "1 new linking domains, 1 of them ranked" in result.output
    assert ("rosegrowers.org", 5_000) in _ranks(store)[1]
    # Once the file is gone, refresh says so and what to do.
    path.unlink()
    import_ok(store, write_export(later, "More sample links", ["https://new.example.net/"], date="2026-06-01"))
    result = run(store, "authority", "refresh")
    assert result.exit_code == 65
    assert "is gone or has changed since it was loaded; load the file again" in result.output


def test_several_rank_files_common_crawl_first(store, tmp_path):
    cc_file(tmp_path / "cc-main-x-domain-ranks.txt.gz", {"bbc.co.uk": 212})
    (tmp_path / "tranco_LJ494.csv").write_text("1,google.com\n2,bbc.co.uk\n3,gardening.com\n4,github.io\n")
    assert run(store, "authority", "load", str(tmp_path / "tranco_LJ494.csv")).exit_code == 0
    assert run(store, "authority", "load", str(tmp_path / "cc-main-x-domain-ranks.txt.gz")).exit_code == 0
    doc = json.loads(run(store, "links", "domains", "--site", SITE, "--sort", "value", "--format", "json").output)
    rows = {r["linking_domain"]: r for r in doc["rows"]}
    assert rows["bbc.co.uk"]["authority_rank"] == 212 and "Common Crawl" in rows["bbc.co.uk"]["authority_source"]
    assert rows["gardening.com"]["authority_rank"] == 3 and rows["gardening.com"]["authority_source"] == "Tranco list, list LJ494"
    ranks = _ranks(store)[1]
    assert ("github.io", None) in ranks and ("github.io", 4) in ranks  # looked up in both files
    lines = run(store, "authority", "status").output.splitlines()
    assert lines[0].startswith("Common Crawl") and lines[1].startswith("Tranco list, list LJ494")


@pytest.mark.parametrize("content, words", [
    (b"", "the file is empty"),
    (b"Linking page\nhttps://a.example/\n", "not a rank file we know"),
    (gzip.compress((CC_HEADER + "\n1\t1.0\t1\t0.1\tcom.bbc\n2\t1.0\n").encode()), "does not fit"),
    (gzip.compress((CC_HEADER + "\n" + "".join(f"{i}\t1.0\t{i}\t0.1\tcom.d{i * 7919 % 10007}\t3\n"
                                               for i in range(1, 20000))).encode())[:20000], "ends early"),
    (b"\x00\xff\xfe garbage", "not a rank file we know"),
])
def test_a_bad_rank_file_is_one_line_and_changes_nothing(store, tmp_path, content, words):
    good = cc_file(tmp_path / "cc-main-good-domain-ranks.txt.gz", {"bbc.co.uk": 212})
    assert run(store, "authority", "load", str(good)).exit_code == 0
    before = _ranks(store)
    bad = tmp_path / "cc-main-bad-domain-ranks.txt.gz"
    bad.write_bytes(content)
    result = run(store, "authority", "load", str(bad))
    assert result.exit_code == 65, result.output
    line = error_line(result)
    assert words in line and str(bad) in line and "Traceback" not in result.output
    assert _ranks(store) == before


def test_load_before_any_import_says_what_to_do_first(tmp_path):
    path = cc_file(tmp_path / "cc-main-x-domain-ranks.txt.gz", {"bbc.co.uk": 212})
    store = tmp_path / "empty.duckdb"
    import_ok(store, write_export(tmp_path, "Top target pages"))
    result = run(store, "authority", "load", str(path))
    assert result.exit_code == 3
    assert "import Links exports first" in error_line(result)


def test_brand_terms_are_kept_per_property_and_used(store):
    before = json.loads(run(store, "links", "anchors", "--site", SITE, "--format", "json").output)
    assert [r["class"] for r in before["rows"]] == ["branded", "naked URL"]  # "example roses": the domain's brand
    result = run(store, "brand", "--site", SITE, "--add", "Rosy Shop", "--add", "exmpl")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Brand terms of {SITE}: example, exmpl, rosy shop"
    assert run(store, "brand", "--site", SITE, "--remove", "exmpl").output.strip() == \
        f"Brand terms of {SITE}: example, rosy shop"
    assert run(store, "brand", "--site", SITE, "--add", "!!!").exit_code == 2
    # A one-off term on the command line.
    doc = json.loads(run(store, "links", "anchors", "--site", SITE, "--format", "json").output)
    assert "rosy shop" in doc["notes"][1]


def test_a_brand_term_without_a_letter_is_one_error_line_and_changes_nothing(store):
    assert run(store, "brand", "--site", SITE, "--add", "Rosy Shop").exit_code == 0
    result = run(store, "brand", "--site", SITE, "--add", "fern", "--add", "!!!")
    assert result.exit_code == 2
    assert error_line(result) == "Error: --add '!!!': a brand term needs at least one letter or digit"
    assert run(store, "brand", "--site", SITE).output.strip() == f"Brand terms of {SITE}: example, rosy shop"


def test_without_a_rank_file_value_says_it_is_relevance_alone(store):
    doc = json.loads(run(store, "links", "domains", "--site", SITE, "--sort", "value", "--format", "json").output)
    assert all(r["authority"] is None for r in doc["rows"])  # "unknown", not 0
    assert all(r["value"] == round(0.5 * (r["relevance"] or 0)) for r in doc["rows"])
    assert any(n.startswith("No rank file loaded: authority is unknown and the value reflects relevance alone")
               for n in doc["notes"])
    table = run(store, "links", "domains", "--site", SITE, "--sort", "value", env={"COLUMNS": "100"}).output
    assert "Value" in table and "Authority" in table
    assert "gsc-backlinks authority load FILE" in " ".join(table.split())  # the note may wrap
