"""gsc_backlinks.ranks: detecting and streaming free web-graph rank files.

Every fixture is written here, in the publishers' real formats:

* Common Crawl domain ranks: gzip, tab-separated, the header
  ``#harmonicc_pos #harmonicc_val #pr_pos #pr_val #host_rev #n_hosts``, reversed
  names (``com.example``, ``uk.co.bbc``, ``com.xn--bcher-kva``), sorted by
  harmonic-centrality position; the host-level file has no ``#n_hosts`` column
  and names like ``com.example.www``.
* Tranco: ``rank,domain`` lines with CRLF endings, no header, often zipped with
  one member ``top-1m.csv``.
* Majestic Million: CSV with its 12-column header.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import string
import struct
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from gsc_backlinks import ranks
from gsc_backlinks.errors import ExportError, RankFileError
from gsc_backlinks.store import open_store

from clihelp import error_line, import_ok, run, run_fresh, write_export

CC_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts"
CC_HOST_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev"
CC_NAME = "cc-main-2024-25-dec-jan-feb-domain-ranks.txt.gz"
MAJESTIC_HEADER = ("GlobalRank,TldRank,Domain,TLD,RefSubNets,RefIPs,IDN_Domain,IDN_TLD,"
                   "PrevGlobalRank,PrevTldRank,PrevRefSubNets,PrevRefIPs")

# (harmonic-centrality position, reversed name) as in the real file, best first.
CC_ROWS = [
    (1, "com.facebook"),
    (2, "com.google"),
    (3, "com.googleapis"),
    (17, "uk.co.bbc"),
    (52, "org.wikipedia"),
    (1_204, "de.spiegel"),
    (73_411, "com.xn--bcher-kva"),  # bücher.com
    (2_345_678, "jp.co.example-shop"),
    (48_112_907, "com.tiny-blog-42"),
]


def _reverse(name: str) -> str:
    return ".".join(reversed(name.split(".")))


def cc_line(rank: int, name: str, n_hosts: int | None = 3) -> str:
    """One line shaped like Common Crawl's: harmonic value and PageRank in Java's float notation."""
    fields = [str(rank), f"{3.0e7 / (1 + rank ** 0.3):.7E}", str(rank * 3 + 1),
              f"{1.0e-3 / (rank + 7):.16E}", name]
    if n_hosts is not None:
        fields.append(str(n_hosts))
    return "\t".join(fields)


def write_cc(path: Path, rows, *, header: str = CC_HEADER, host_level: bool = False, extra: str = "") -> Path:
    lines = [header] + [cc_line(rank, name, None if host_level else 1 + rank % 40) for rank, name in rows]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n" + extra).encode()))
    return path


def tranco_text(rows) -> str:
    return "".join(f"{rank},{domain}\r\n" for rank, domain in rows)


TRANCO_ROWS = [(1, "google.com"), (2, "facebook.com"), (3, "microsoft.com"), (4, "bbc.co.uk"),
               (5, "xn--bcher-kva.com"), (6, "amazonaws.com"), (999_999, "last-one.net"), (1_000_000, "tail.org")]

MAJESTIC_ROWS = [
    "1,1,google.com,com,476374,3264313,google.com,com,1,1,475703,3271092",
    "2,2,facebook.com,com,471005,3175484,facebook.com,com,2,2,470361,3182196",
    "3,1,bbc.co.uk,uk,180112,660232,bbc.co.uk,uk,3,1,179933,661021",
    "4,1,wikipedia.org,org,301220,1109087,wikipedia.org,org,4,1,300870,1110000",
    "5,3,xn--bcher-kva.com,com,10231,22009,bücher.com,com,5,3,10199,21950",
    "999999,512,small-site.de,de,301,330,small-site.de,de,998870,511,300,329",
]


@pytest.fixture
def cc_file(tmp_path: Path) -> Path:
    return write_cc(tmp_path / CC_NAME, CC_ROWS)


def _bad(path, *, release=None, scan_for=("example.com",)) -> RankFileError:
    """The RankFileError raised by detecting, then scanning, a broken file: one line, naming the file."""
    with pytest.raises(RankFileError) as caught:
        ranks.scan(ranks.detect(path, release=release), list(scan_for))
    exc = caught.value
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(str(Path(path).expanduser()))
    assert exc.exit_code == 65 and isinstance(exc, ExportError)
    return exc


# --- Common Crawl -----------------------------------------------------------------------------


def test_common_crawl_domain_ranks(cc_file: Path):
    rank_file = ranks.detect(cc_file)
    assert rank_file.kind == "commoncrawl"
    assert rank_file.compression == "gzip"
    assert rank_file.release == "cc-main-2024-25-dec-jan-feb"
    assert rank_file.label == "Common Crawl web graph (harmonic centrality)"
    wanted = ["google.com", "bbc.co.uk", "xn--bcher-kva.com", "wikipedia.org", "example-shop.co.jp",
              "tiny-blog-42.com", "not-in-the-file.com", "co.uk", "spiegel.com", "bbc.com"]
    result = ranks.scan(rank_file, wanted)
    assert result.found == {"google.com": 2, "bbc.co.uk": 17, "xn--bcher-kva.com": 73_411, "wikipedia.org": 52,
                            "example-shop.co.jp": 2_345_678, "tiny-blog-42.com": 48_112_907}
    assert result.lines == len(CC_ROWS)


def test_common_crawl_names_are_matched_whole_not_by_prefix(cc_file: Path):
    # "com.google" must not match google.co or googleapis.com's neighbours; forward spelling out.
    result = ranks.scan(ranks.detect(cc_file), ["googleapis.com", "google.co", "apis.google.com", "facebook.com"])
    assert result.found == {"googleapis.com": 3, "facebook.com": 1}


def test_common_crawl_wanted_domains_in_upper_case(cc_file: Path):
    result = ranks.scan(ranks.detect(cc_file), ["Google.COM", "BBC.co.uk"])
    assert result.found == {"google.com": 2, "bbc.co.uk": 17}


def test_common_crawl_host_ranks_file_is_refused_with_the_file_to_load(tmp_path: Path):
    # The host-level file: the domain file's columns less #n_hosts, hosts rather than domains. Its positions
    # rank hosts, so it is refused, naming the domain file of the same release.
    rows = [(1, "com.google.www"), (4, "com.example.www"), (9, "com.google"), (12, "uk.co.bbc.www")]
    path = write_cc(tmp_path / "cc-main-2024-25-dec-jan-feb-host-ranks.txt.gz", rows,
                    header=CC_HOST_HEADER, host_level=True)
    assert str(_bad(path)) == (f"{path}: this is Common Crawl's host ranks file; load the domain-ranks file "
                               "(cc-main-2024-25-dec-jan-feb-domain-ranks.txt.gz)")


def test_common_crawl_host_ranks_file_renamed_is_refused_by_its_header(tmp_path: Path):
    path = write_cc(tmp_path / "ranks.txt.gz", [(1, "com.google.www")], header=CC_HOST_HEADER, host_level=True)
    assert str(_bad(path)).endswith("this is Common Crawl's host ranks file; load the domain-ranks file "
                                    "(cc-main-…-domain-ranks.txt.gz)")


def test_authority_load_of_the_host_ranks_file_is_one_line_and_changes_nothing(store_with_ranks, tmp_path):
    before = _rank_rows(store_with_ranks)
    path = write_cc(tmp_path / "cc-main-2025-26-nov-dec-jan-host-ranks.txt.gz", [(3, "uk.co.bbc.www")],
                    header=CC_HOST_HEADER, host_level=True)
    result = run(store_with_ranks, "authority", "load", str(path))
    assert result.exit_code == 65
    assert error_line(result) == (f"Error: {path}: this is Common Crawl's host ranks file; load the domain-ranks "
                                  "file (cc-main-2025-26-nov-dec-jan-domain-ranks.txt.gz)")
    assert _rank_rows(store_with_ranks) == before


def test_common_crawl_domain_file_has_no_www_entries_to_match(tmp_path: Path):
    # The domain file names domains: a "com.example.www" line (no such line in a real one) is no domain's rank.
    path = write_cc(tmp_path / CC_NAME, [(4, "com.example.www"), (31, "com.example")])
    assert ranks.scan(ranks.detect(path), ["example.com"]).found == {"example.com": 31}


def test_common_crawl_plain_text_and_other_release_names(tmp_path: Path):
    path = tmp_path / "cc-main-2023-may-sep-nov-domain-ranks.txt"
    path.write_text("\n".join([CC_HEADER] + [cc_line(r, n) for r, n in CC_ROWS]) + "\n")
    rank_file = ranks.detect(path)
    assert (rank_file.kind, rank_file.compression, rank_file.release) == ("commoncrawl", None, "cc-main-2023-may-sep-nov")
    assert ranks.scan(rank_file, ["bbc.co.uk"]).found == {"bbc.co.uk": 17}


def test_release_override(cc_file: Path):
    rank_file = ranks.detect(cc_file, release="Winter 2024-25")
    assert rank_file.release == "Winter 2024-25"


def test_release_from_the_file_date_when_the_name_says_nothing(tmp_path: Path):
    path = write_cc(tmp_path / "ranks.txt.gz", CC_ROWS)
    noon = dt.datetime(2026, 11, 17, 12, 0).timestamp()  # local time, as the release is shown
    os.utime(path, (noon, noon))
    assert ranks.detect(path).release == "file dated 2026-11-17"


def test_many_blocks_find_every_domain(tmp_path: Path, monkeypatch):
    # A few thousand lines read in 4 KiB blocks (~70 lines each): hits on the first and last
    # line and on every block boundary, whichever it is, are all found.
    monkeypatch.setattr(ranks, "BLOCK_SIZE", 4096)
    rng = random.Random(7)
    names = set()
    while len(names) < 3000:
        names.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 14))))
    rows = [(i, f"{rng.choice(['com', 'de', 'org', 'uk.co', 'jp.co'])}.{name}") for i, name in enumerate(sorted(names), 1)]
    path = write_cc(tmp_path / CC_NAME, rows)
    assert path.stat().st_size > 20 * 4096  # really many blocks, even compressed
    picked = rows[::7] + rows[-1:]
    progress = []
    result = ranks.scan(ranks.detect(path), [_reverse(n) for _, n in picked] + ["absent.example"],
                        progress=lambda done, total: progress.append((done, total)))
    assert result.found == {_reverse(n): r for r, n in picked}
    assert result.lines == 3000
    assert progress and progress[-1] == (path.stat().st_size, path.stat().st_size)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_a_domain_listed_twice_keeps_its_best_rank(tmp_path: Path):
    path = write_cc(tmp_path / CC_NAME, [(5, "com.example"), (8, "com.other"), (9, "com.example")])
    assert ranks.scan(ranks.detect(path), ["example.com"]).found == {"example.com": 5}


_LABEL = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12).filter(
    lambda s: not s.startswith("www"))
_SUFFIX = st.sampled_from(["com", "org", "de", "co.uk", "com.au", "co.jp", "xn--p1ai", "github.io"])
_DOMAIN = st.builds(lambda label, suffix: f"{label}.{suffix}", _LABEL, _SUFFIX)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_DOMAIN, min_size=1, max_size=60, unique=True), st.data())
def test_property_any_domains_written_are_found_back(domains, data):
    """Whatever registrable domains a Common Crawl file lists, scanning for them gives back their ranks."""
    ranks_ = sorted(data.draw(st.lists(st.integers(1, 10**9), min_size=len(domains), max_size=len(domains),
                                       unique=True)))
    listed = dict(zip(domains, ranks_))
    wanted = data.draw(st.lists(st.sampled_from(domains), unique=True)) + ["never-listed.example"]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_cc(Path(tmp) / CC_NAME, [(r, _reverse(d)) for d, r in listed.items()])
        result = ranks.scan(ranks.detect(path), wanted)
    assert result.found == {d: listed[d] for d in wanted if d in listed}
    assert result.lines == len(domains)


# --- Tranco ---------------------------------------------------------------------------------------


def test_tranco_csv(tmp_path: Path):
    path = tmp_path / "tranco_LJ494.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    rank_file = ranks.detect(path)
    assert (rank_file.kind, rank_file.release, rank_file.compression) == ("tranco", "list LJ494", None)
    assert rank_file.label == "Tranco list"
    result = ranks.scan(rank_file, ["bbc.co.uk", "xn--bcher-kva.com", "tail.org", "example.com", "co.uk"])
    assert result.found == {"bbc.co.uk": 4, "xn--bcher-kva.com": 5, "tail.org": 1_000_000}
    assert result.lines == len(TRANCO_ROWS)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_tranco_has_no_header_row_and_no_final_newline(tmp_path: Path, line_end):
    # As downloaded: the first line is already a domain ("1,google.com"), and nothing ends the last.
    path = tmp_path / "top-1m.csv"
    path.write_bytes(line_end.join(f"{r},{d}" for r, d in TRANCO_ROWS).encode())
    rank_file = ranks.detect(path)
    assert (rank_file.kind, rank_file.has_header) == ("tranco", False)
    result = ranks.scan(rank_file, ["google.com", "tail.org", "facebook.com"])
    assert result.found == {"google.com": 1, "facebook.com": 2, "tail.org": 1_000_000}  # first and last line too
    assert result.lines == len(TRANCO_ROWS)


def test_tranco_www_entry_counts_for_its_domain(tmp_path: Path):
    path = tmp_path / "top-1m.csv"
    path.write_text(tranco_text([(1, "google.com"), (2, "www.example.com"), (3, "blog.other.com")]), newline="")
    result = ranks.scan(ranks.detect(path), ["example.com", "other.com", "google.com"])
    assert result.found == {"google.com": 1, "example.com": 2}


def test_tranco_zipped(tmp_path: Path):
    path = tmp_path / "tranco_LJ494-1m.csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("top-1m.csv", tranco_text(TRANCO_ROWS))
    rank_file = ranks.detect(path)
    assert (rank_file.kind, rank_file.compression, rank_file.release) == ("tranco", "zip", "list LJ494")
    result = ranks.scan(rank_file, ["google.com", "amazonaws.com", "last-one.net", "missing.net"])
    assert result.found == {"google.com": 1, "amazonaws.com": 6, "last-one.net": 999_999}
    assert result.lines == len(TRANCO_ROWS)


def test_format_comes_from_the_content_not_the_name(tmp_path: Path):
    path = tmp_path / "cc-main-2024-25-dec-jan-feb-domain-ranks.txt.gz"  # a Tranco list, misnamed
    path.write_bytes(gzip.compress(tranco_text(TRANCO_ROWS).encode()))
    rank_file = ranks.detect(path)
    assert rank_file.kind == "tranco"
    assert rank_file.release.startswith("file dated ")
    assert ranks.scan(rank_file, ["bbc.co.uk"]).found == {"bbc.co.uk": 4}


# --- Majestic -------------------------------------------------------------------------------------


def test_majestic_million(tmp_path: Path):
    path = tmp_path / "majestic_million.csv"
    path.write_text("\n".join([MAJESTIC_HEADER] + MAJESTIC_ROWS) + "\n", encoding="utf-8")
    rank_file = ranks.detect(path, release="2026-11-17")
    assert (rank_file.kind, rank_file.release) == ("majestic", "2026-11-17")
    assert rank_file.label == "Majestic Million"
    result = ranks.scan(rank_file, ["google.com", "bbc.co.uk", "xn--bcher-kva.com", "small-site.de", "nope.de"])
    assert result.found == {"google.com": 1, "bbc.co.uk": 3, "xn--bcher-kva.com": 5, "small-site.de": 999_999}
    assert result.lines == len(MAJESTIC_ROWS)


def test_majestic_subdomains_count_for_their_registrable_domain(tmp_path: Path):
    # Majestic lists hosts as they are linked to: en.wikipedia.org above wikipedia.org itself; a domain
    # takes the best rank of its names, grouped as Search Console groups sites (the list's ICANN part).
    rows = [
        "1,1,google.com,com,476374,3264313,google.com,com,1,1,475703,3271092",
        "6,2,en.wikipedia.org,org,301220,1109087,en.wikipedia.org,org,6,2,300870,1110000",
        "9,3,www.bbc.co.uk,uk,180112,660232,www.bbc.co.uk,uk,9,1,179933,661021",
        "12,5,alice.blogspot.com,com,90112,230232,alice.blogspot.com,com,12,5,90100,230000",
        "40,4,de.wikipedia.org,org,201220,709087,de.wikipedia.org,org,40,4,200870,710000",
        "77,9,bob.blogspot.com,com,10112,30232,bob.blogspot.com,com,77,9,10100,30000",
        "120,8,wikipedia.org,org,101220,409087,wikipedia.org,org,120,8,100870,410000",
        "500,20,a.b.c.deep-example.co.uk,uk,1000,2000,a.b.c.deep-example.co.uk,uk,500,20,990,1990",
        "501,21,wikipedia.org.evil.example,example,1000,2000,wikipedia.org.evil.example,example,501,21,990,1990",
    ]
    path = tmp_path / "majestic_million.csv"
    path.write_text("\n".join([MAJESTIC_HEADER] + rows), encoding="utf-8")
    result = ranks.scan(ranks.detect(path), ["wikipedia.org", "bbc.co.uk", "blogspot.com", "deep-example.co.uk",
                                             "google.com", "evil.example", "co.uk"])
    assert result.found == {"google.com": 1, "wikipedia.org": 6, "bbc.co.uk": 9, "blogspot.com": 12,
                            "deep-example.co.uk": 500, "evil.example": 501}
    assert result.lines == len(rows)


_SUB = st.sampled_from(["", "www.", "en.", "m.", "a.b.", "blog."])
_MAJESTIC_SUFFIX = st.sampled_from(["com", "org", "co.uk", "com.au", "blogspot.com", "github.io", "de", "s3.amazonaws.com"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_SUB, _LABEL, _MAJESTIC_SUFFIX), min_size=1, max_size=80), st.data())
def test_property_majestic_ranks_are_the_best_rank_of_each_registrable_domain(names, data):
    """Whatever names Majestic lists, a domain's rank is the best rank of the names whose registrable
    domain it is (urls.registrable_domain: one definition of "site" for every source)."""
    from gsc_backlinks import urls

    listed = [f"{sub}{label}.{suffix}" for sub, label, suffix in names]
    domains = sorted({urls.registrable_domain(n) for n in listed})
    wanted = data.draw(st.lists(st.sampled_from(domains), unique=True)) + ["never-listed.example"]
    expected: dict[str, int] = {}
    for rank, name in enumerate(listed, 1):
        domain = urls.registrable_domain(name)
        if domain in wanted:
            expected.setdefault(domain, rank)
    lines = [f"{rank},{rank},{n},x,1,1,{n},x,{rank},{rank},1,1" for rank, n in enumerate(listed, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "majestic_million.csv"
        path.write_text("\n".join([MAJESTIC_HEADER] + lines), encoding="utf-8")
        assert ranks.scan(ranks.detect(path), wanted).found == expected


@pytest.mark.parametrize("idn", ["bücher.com", "xn--bcher-kva.com", "BÜCHER.com"])
def test_majestic_row_whose_domain_is_only_a_suffix_takes_the_idn_name(tmp_path: Path, idn):
    # A real Majestic Million row has Domain ".com", the name being only in IDN_Domain.
    rows = [
        "1,1,google.com,com,476374,3264313,google.com,com,1,1,475703,3271092",
        f"4012,2311,.com,com,2870,3112,{idn},com,4020,2315,2861,3100",
        "4013,2312,com,com,2870,3112,,com,4020,2315,2861,3100",  # nothing to read: no domain's rank
    ]
    path = tmp_path / "majestic_million.csv"
    path.write_text("\n".join([MAJESTIC_HEADER] + rows), encoding="utf-8")
    result = ranks.scan(ranks.detect(path), ["xn--bcher-kva.com", "google.com", "com"])
    assert result.found == {"google.com": 1, "xn--bcher-kva.com": 4012}


# --- which release is kept --------------------------------------------------------------------------


@pytest.mark.parametrize(("release", "date"), [
    ("cc-main-2017-aug-sep-oct", dt.date(2017, 10, 1)),
    ("cc-main-2019-20-nov-dec-jan", dt.date(2020, 1, 1)),
    ("cc-main-2024-25-dec-jan-feb", dt.date(2025, 2, 1)),
    ("cc-main-2023-may-sep-nov", dt.date(2023, 11, 1)),
    ("file dated 2026-11-17", dt.date(2026, 11, 17)),
    ("2026-11-17", dt.date(2026, 11, 17)),
    ("tranco 20261117", dt.date(2026, 11, 17)),
    ("list LJ494", None),
    ("Winter 2024-25", None),
    ("2026-02-30", None),
])
def test_release_date_from_its_name(release, date):
    assert ranks.release_date(release) == date


def test_an_older_common_crawl_release_does_not_replace_a_newer_one():
    # Seen: the 2017-18 domain ranks loaded after the 2026 ones replaced them.
    choice = ranks.choose_release("commoncrawl", "cc-main-2017-18-nov-dec-jan", "cc-main-2025-26-nov-dec-jan")
    assert not choice.replace
    assert choice.message == ("Common Crawl web graph (harmonic centrality): cc-main-2017-18-nov-dec-jan is older "
                              "than cc-main-2025-26-nov-dec-jan, which stays in use; load it with --replace to use "
                              "the older one instead")
    forced = ranks.choose_release("commoncrawl", "cc-main-2017-18-nov-dec-jan", "cc-main-2025-26-nov-dec-jan",
                                  replace=True)
    assert forced.replace and "in place of the newer cc-main-2025-26-nov-dec-jan (--replace)" in forced.message


def test_a_newer_release_replaces_an_older_one():
    choice = ranks.choose_release("commoncrawl", "cc-main-2025-26-nov-dec-jan", "cc-main-2024-25-dec-jan-feb")
    assert choice.replace
    assert choice.message.endswith("cc-main-2025-26-nov-dec-jan is in use in place of the older "
                                   "cc-main-2024-25-dec-jan-feb")


def test_the_same_release_loaded_again_is_used():
    assert ranks.choose_release("tranco", "list LJ494", "list LJ494").replace


def test_tranco_lists_are_told_apart_by_their_file_dates():
    # Tranco list IDs are random: only the files' dates can say which list is newer.
    older = ranks.choose_release("tranco", "list Z2XKG", "list LJ494", new_file_date=dt.date(2025, 1, 3),
                                 held_file_date=dt.date(2026, 11, 17))
    assert not older.replace and "list LJ494, which stays in use" in older.message
    newer = ranks.choose_release("tranco", "list Z2XKG", "list LJ494", new_file_date=dt.date(2026, 12, 1),
                                 held_file_date=dt.date(2026, 11, 17))
    assert newer.replace


def test_names_with_dates_win_over_file_dates():
    # A 2026 release downloaded (file dated) before a re-download of the 2017 one is still the newer one.
    assert ranks.compare_releases("cc-main-2017-aug-sep-oct", "cc-main-2026-jan-feb-mar",
                                  new_file_date=dt.date(2026, 6, 1), held_file_date=dt.date(2026, 4, 1)) == -1
    assert ranks.compare_releases("file dated 2026-11-17", "file dated 2026-10-01") == 1


def test_when_nothing_tells_which_is_newer_the_file_loaded_is_used_and_that_is_said():
    choice = ranks.choose_release("majestic", "Monday's", "list LJ494")
    assert choice.replace
    assert choice.message == ("Majestic Million: Monday's is in use in place of list LJ494 (neither their names "
                              "nor their file dates say which is newer)")
    assert ranks.choose_release("majestic", "2026-11-17", None).message == "Majestic Million: 2026-11-17 is in use"


def test_detect_gives_the_file_date(tmp_path: Path):
    path = tmp_path / "tranco_LJ494.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    noon = dt.datetime(2026, 11, 17, 12, 0).timestamp()
    os.utime(path, (noon, noon))
    assert ranks.detect(path).file_date == dt.date(2026, 11, 17)


# --- the score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rank", "score"), [
    (1, 100),
    # 100 * (1 - 1/8) = 87.5 exactly (log10(10) is exactly 1.0); halves round up, always
    # (not Python's round-half-to-even, which would give 88, 62, 38, 12 for the decades).
    (10, 88),
    (100, 75),
    (1_000, 63),  # 62.5
    (10_000, 50),
    (100_000, 38),  # 37.5
    (1_000_000, 25),
    (10_000_000, 13),  # 12.5
    (100_000_000, 1),  # 0.0 -> clamped to 1: ranked, however low, is never 0
    (10**12, 1),  # negative on the scale -> 1
])
def test_authority_score(rank, score):
    assert ranks.authority_score(rank) == score


@pytest.mark.parametrize("rank", [None, 0, -3])
def test_authority_score_unknown(rank):
    assert ranks.authority_score(rank) is None


def test_authority_score_is_monotonic_and_in_range():
    scores = [ranks.authority_score(r) for r in (1, 2, 5, 30, 400, 7_000, 90_000, 2 * 10**6, 5 * 10**7, 10**9)]
    assert scores == sorted(scores, reverse=True)
    assert all(1 <= s <= 100 for s in scores)


# --- files we cannot use --------------------------------------------------------------------------


def test_missing_file(tmp_path: Path):
    assert "no such file" in str(_bad(tmp_path / "cc-main-2024-25-dec-jan-feb-domain-ranks.txt.gz"))


def test_folder(tmp_path: Path):
    assert "folder" in str(_bad(tmp_path))


def test_empty_file(tmp_path: Path):
    path = tmp_path / "top-1m.csv"
    path.write_bytes(b"")
    assert "empty" in str(_bad(path))


def test_links_export_is_not_a_rank_file(tmp_path: Path):
    path = tmp_path / "https___www.example.com_-More sample links-2026-05-18.csv"
    path.write_text("Linking page\nhttps://a.example/\nhttps://b.example/x\n")
    message = str(_bad(path))
    assert "not a rank file we know" in message and "'Linking page'" in message
    assert "Common Crawl" in message and "Tranco" in message and "Majestic" in message


def test_other_csv_is_not_a_rank_file(tmp_path: Path):
    path = tmp_path / "domains.csv"
    path.write_text("domain,rank\ngoogle.com,1\n")
    assert "not a rank file we know" in str(_bad(path))


def test_binary_garbage(tmp_path: Path):
    path = tmp_path / "download.bin"
    path.write_bytes(random.Random(1).randbytes(8192).replace(b"\x1f\x8b", b"xx").replace(b"PK", b"pk"))
    assert "not a rank file we know" in str(_bad(path))


def test_garbage_behind_a_gzip_magic(tmp_path: Path):
    path = tmp_path / CC_NAME
    path.write_bytes(b"\x1f\x8b" + random.Random(2).randbytes(8192))
    assert "cannot be read as gzip" in str(_bad(path))


def test_common_crawl_header_of_another_shape(tmp_path: Path):
    path = write_cc(tmp_path / CC_NAME, CC_ROWS, header="#harmonicc_pos\t#something_else\t#pr_pos")
    message = str(_bad(path))
    assert "looks like a Common Crawl ranks file" in message and "#something_else" in message


def test_header_only(tmp_path: Path):
    path = write_cc(tmp_path / CC_NAME, [])
    assert "holds no domains" in str(_bad(path))


def test_a_gzip_cut_in_half_is_found_broken_at_its_first_line(tmp_path: Path):
    # (The name keeps "truncated" out of tmp_path, so only the message can satisfy the check.)
    # Cut in half: a small file is already found broken when its first line is read.
    good = write_cc(tmp_path / "good.txt.gz", CC_ROWS * 50).read_bytes()
    path = tmp_path / CC_NAME
    path.write_bytes(good[: len(good) // 2])
    assert "truncated" in str(_bad(path, scan_for=["google.com"])).lower()


def test_truncated_gzip_large(tmp_path: Path):
    # A file big enough that its start reads fine: the cut is found while scanning.
    rng = random.Random(3)
    rows = [(i, "com." + "".join(rng.choice(string.ascii_lowercase) for _ in range(12))) for i in range(1, 60_001)]
    good = write_cc(tmp_path / "good.txt.gz", rows).read_bytes()
    path = tmp_path / CC_NAME
    path.write_bytes(good[: len(good) // 2])
    assert ranks.detect(path).kind == "commoncrawl"
    message = str(_bad(path))
    assert "ends early" in message and "download it again" in message


def test_malformed_line_in_the_middle(tmp_path: Path):
    rows = [cc_line(i, f"com.site{i}") for i in range(1, 200)]
    rows[100] = "101\t1.2345678E7\t304"  # too few columns
    path = tmp_path / CC_NAME
    path.write_bytes(gzip.compress(("\n".join([CC_HEADER] + rows) + "\n").encode()))
    message = str(_bad(path, scan_for=["site150.com"]))
    assert "does not fit the Common Crawl" in message and "Expected 6 columns, got 3" in message


def test_non_integer_rank(tmp_path: Path):
    path = write_cc(tmp_path / CC_NAME, CC_ROWS, extra="1.5e3\t1.0E7\t9\t1.0E-8\tcom.float-rank\t1\n")
    message = str(_bad(path))
    assert "does not fit the Common Crawl" in message and "1.5e3" in message


def test_tranco_non_integer_rank(tmp_path: Path):
    path = tmp_path / "top-1m.csv"
    path.write_text(tranco_text(TRANCO_ROWS[:3]) + "four,bbc.co.uk\r\n", newline="")
    assert "does not fit the Tranco list" in str(_bad(path))


def test_zip_with_two_members(tmp_path: Path):
    path = tmp_path / "tranco_LJ494.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("top-1m.csv", tranco_text(TRANCO_ROWS))
        archive.writestr("README.txt", "Tranco list LJ494\n")
    message = str(_bad(path))
    assert "holds 2 files" in message and "unzip" in message


def test_truncated_zip(tmp_path: Path):
    path = tmp_path / "tranco_LJ494.csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("top-1m.csv", tranco_text(TRANCO_ROWS * 200))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "not a readable zip archive" in str(_bad(path))


def test_corrupted_zip_member(tmp_path: Path):
    rng = random.Random(4)
    rows = [(i, "".join(rng.choice(string.ascii_lowercase) for _ in range(10)) + ".com") for i in range(1, 20_001)]
    path = tmp_path / "top-1m.csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("top-1m.csv", tranco_text(rows))
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    assert "cannot be read" in str(_bad(path))


# --- zips Python's zipfile cannot read, through `authority load` ----------------------------------


def _zip_by_hand(path: Path, stored: bytes, text: bytes, *, method: int = zipfile.ZIP_DEFLATED, flags: int = 0) -> Path:
    """A one-member zip archive (``top-1m.csv``) whose member data is ``stored`` exactly as given.

    ``text`` is what the member claims to hold (its CRC and size); ``flags`` and ``method`` go into
    both the local and the central header, as another zip program would write them.
    """
    name = b"top-1m.csv"
    crc, date = zlib.crc32(text), 0x21  # 1980-01-01
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, date, crc, len(stored), len(text),
                        len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, date, crc, len(stored), len(text),
                          len(name), 0, 0, 0, 0, 0o100644 << 16, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(stored), 0)
    path.write_bytes(local + stored + central + end)
    return path


def _tranco_bytes(lines: int = 20_000) -> bytes:
    rng = random.Random(5)
    return tranco_text([(i, "".join(rng.choice(string.ascii_lowercase) for _ in range(10)) + ".com")
                        for i in range(1, lines + 1)]).encode()


def _deflate_broken_at(text: bytes, at: int) -> bytes:
    """Raw deflate of ``text`` whose data turn invalid after ``at`` bytes of it: a block of the reserved type."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    good = compressor.compress(text[:at]) + compressor.flush(zlib.Z_FULL_FLUSH)  # ends on a byte boundary
    return good + b"\x07" + bytes(200)  # BFINAL=1, BTYPE=11: "invalid block type"


def _deflate_damaged_at_start(path: Path) -> Path:
    text = _tranco_bytes()
    return _zip_by_hand(path, _deflate_broken_at(text, 0), text)


def _deflate_damaged_deep(path: Path) -> Path:
    text = _tranco_bytes()
    return _zip_by_hand(path, _deflate_broken_at(text, len(text) // 2), text)  # far past the first line's 64 KiB


def _lzma_damaged(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr("top-1m.csv", _tranco_bytes())
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    return path


def _encrypted(path: Path) -> Path:
    text = _tranco_bytes(50)
    return _zip_by_hand(path, zlib.compress(text)[2:-4], text, flags=0x1)  # the "encrypted" flag bit


def _deflate64(path: Path) -> Path:
    text = _tranco_bytes(50)
    return _zip_by_hand(path, zlib.compress(text)[2:-4], text, method=9)  # Windows' "Deflate64"


def test_a_zip_written_by_hand_reads_like_any_other(tmp_path: Path):
    # The helper above writes valid archives: only what the cases below change breaks them.
    text = _tranco_bytes(50)
    path = _zip_by_hand(tmp_path / "top-1m.csv.zip", zlib.compress(text)[2:-4], text)
    result = ranks.scan(ranks.detect(path), ["google.com"])
    assert result.lines == 50


def _rank_rows(store: Path):
    with open_store(store) as con:
        return (con.execute("SELECT * FROM rank_sources ORDER BY source_id").fetchall(),
                con.execute("SELECT * FROM domain_ranks ORDER BY ALL").fetchall())


@pytest.fixture
def store_with_ranks(tmp_path: Path) -> Path:
    """A store with linking domains (bbc.co.uk, gardening.com) and one Tranco list loaded."""
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking sites"))
    good = tmp_path / "tranco_LJ494.csv"
    good.write_text(tranco_text(TRANCO_ROWS), newline="")
    assert run(store, "authority", "load", str(good)).exit_code == 0
    return store


@pytest.mark.parametrize(("make", "words"), [
    (_deflate_damaged_at_start, "cannot be read as zip"),  # zlib.error when the first line is read
    (_deflate_damaged_deep, "cannot be read as zip"),  # zlib.error while scanning
    (_lzma_damaged, "cannot be read as zip"),  # lzma.LZMAError
    (_encrypted, "encrypted or uses a compression we cannot read; unzip it and load the file inside"),
    (_deflate64, "encrypted or uses a compression we cannot read; unzip it and load the file inside"),
])
def test_authority_load_of_a_zip_we_cannot_read_is_one_line_and_changes_nothing(store_with_ranks, tmp_path,
                                                                                make, words):
    before = _rank_rows(store_with_ranks)
    bad = make(tmp_path / "tranco_XYZ12-1m.csv.zip")
    result = run(store_with_ranks, "authority", "load", str(bad))
    assert result.exit_code == 65, result.output
    line = error_line(result)
    assert line.startswith(f"Error: {bad}: ") and words in line
    assert _rank_rows(store_with_ranks) == before


# --- hostile file names and --release text reach the terminal as one clean line ------------------

HOSTILE = "evil\x1b[2J\x1b]0;owned\x07\nError: fake"


def _one_clean_line(text: str) -> str:
    assert "\x1b" not in text and "\x07" not in text, repr(text)
    lines = text.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def linked_store(tmp_path: Path) -> Path:
    store = tmp_path / "store.duckdb"
    import_ok(store, write_export(tmp_path, "Top linking sites"))  # bbc.co.uk, gardening.com
    return store


def test_authority_load_shows_a_hostile_release_on_one_line(linked_store, tmp_path):
    path = tmp_path / "top-1m.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    result = run(linked_store, "authority", "load", str(path), "--release", HOSTILE)
    assert result.exit_code == 0, result.output
    assert _one_clean_line(result.stdout).startswith("Tranco list, evil\ufffd[2J\ufffd]0;owned\ufffd\ufffdError: fake (")


def test_authority_status_shows_a_hostile_file_name_and_release_on_one_line(linked_store, tmp_path):
    path = tmp_path / f"top-1m-{HOSTILE}.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    assert run(linked_store, "authority", "load", str(path), "--release", HOSTILE).exit_code == 0
    result = run(linked_store, "authority", "status")
    assert result.exit_code == 0, result.output
    line = _one_clean_line(result.stdout)
    assert line.startswith("Tranco list, evil\ufffd[2J") and "(top-1m-evil\ufffd[2J" in line
    assert "1 of 2 linking domains ranked" in line
    # JSON keeps the names as they are (escaped by JSON itself).
    doc = json.loads(run(linked_store, "authority", "status", "--format", "json").stdout)
    assert doc["rank_files"][0]["file"] == path.name and doc["rank_files"][0]["release"] == HOSTILE


def test_authority_refresh_names_a_hostile_missing_file_on_one_line(linked_store, tmp_path):
    path = tmp_path / f"top-1m-{HOSTILE}.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    assert run(linked_store, "authority", "load", str(path), "--release", HOSTILE).exit_code == 0
    path.unlink()
    later = tmp_path / "later"
    later.mkdir()
    import_ok(linked_store, write_export(later, "Top linking sites", ["new-site.example,3,1"], date="2026-05-25"))
    result = run(linked_store, "authority", "refresh")
    assert result.exit_code == 65
    line = _one_clean_line(result.stderr)
    assert line.startswith("Error: Tranco list, evil\ufffd[2J") and "is gone or has changed since it was loaded" in line


def test_authority_load_does_not_import_pandas(linked_store, tmp_path):
    # pandas costs a third of a second at start-up; reading a rank file and keeping its ranks need Arrow only.
    path = write_cc(tmp_path / CC_NAME, CC_ROWS)
    proc = run_fresh(["--store", str(linked_store), "authority", "load", str(path)],
                     "'PANDAS:' + str('pandas' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert "1 of 2 linking domains ranked" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "PANDAS:False"
    assert _rank_rows(linked_store)[1] == [(1, "bbc.co.uk", 17), (1, "gardening.com", None)]


def test_a_line_longer_than_a_block(tmp_path: Path):
    # Nothing in a rank file is megabytes long; pyarrow's "try to increase block size?" is no help to a user.
    # The 5 MB line starts 3.8 MB in, so it spans the ends of two 4 MB blocks: pyarrow carries a line
    # over one block end, not two.
    rows = [(i, f"d{i}.com") for i in range(1, 200_001)]
    path = tmp_path / "top-1m.csv"
    path.write_text(tranco_text(rows) + "200001," + "a" * (5 << 20) + ".com\r\n" + tranco_text([(200_002, "z.com")]),
                    newline="")
    assert 3.5 * (1 << 20) < len(tranco_text(rows)) < 4 << 20
    assert ranks.detect(path).kind == "tranco"
    message = str(_bad(path))
    assert message == f"{path}: a line is longer than 4 MB; is it really a rank file?"


def test_an_older_rank_release_does_not_replace_a_newer_one_unless_asked(linked_store, tmp_path):
    # What `authority load --help` says: the newest release of a kind is kept; --replace takes an older one.
    newer, older = tmp_path / "tranco_NEW01.csv", tmp_path / "tranco_OLD01.csv"
    newer.write_text(tranco_text([(1, "bbc.co.uk"), (2, "gardening.com")]), newline="")
    older.write_text(tranco_text([(7, "bbc.co.uk"), (8, "google.com")]), newline="")
    os.utime(older, (dt.datetime(2020, 1, 1).timestamp(),) * 2)  # Tranco IDs say nothing: the file dates do
    assert run(linked_store, "authority", "load", str(newer)).exit_code == 0
    kept = run(linked_store, "authority", "load", str(older))
    assert kept.exit_code == 0
    assert "list OLD01 is older than list NEW01, which stays in use" in kept.stdout and "--replace" in kept.stdout
    sources, rows = _rank_rows(linked_store)
    assert [s[1:3] for s in sources] == [("tranco", "list NEW01")]
    assert [r[1:] for r in rows] == [("bbc.co.uk", 1), ("gardening.com", 2)]

    replaced = run(linked_store, "authority", "load", str(older), "--replace")
    assert replaced.exit_code == 0 and "in place of the newer list NEW01 (--replace)" in replaced.stdout
    sources, rows = _rank_rows(linked_store)
    assert [s[1:3] for s in sources] == [("tranco", "list OLD01")]
    assert [r[1:] for r in rows] == [("bbc.co.uk", 7), ("gardening.com", None)]
    help_text = " ".join(run(linked_store, "authority", "load", "--help").stdout.split())
    assert "The newest release of each kind is kept" in help_text


def test_authority_status_csv_has_the_same_columns_with_or_without_rank_files(linked_store, tmp_path):
    header = "source,release,file,list_size,ranked,looked_up,not_looked_up,loaded_at"
    assert run(linked_store, "authority", "status", "--format", "csv").stdout == header + "\n"
    path = tmp_path / "top-1m.csv"
    path.write_text(tranco_text(TRANCO_ROWS), newline="")
    assert run(linked_store, "authority", "load", str(path), "--release", "=cmd()").exit_code == 0
    lines = run(linked_store, "authority", "status", "--format", "csv").stdout.splitlines()
    assert lines[0] == header
    assert lines[1].startswith("Tranco list,'=cmd(),top-1m.csv,")  # a formula is neutralized
