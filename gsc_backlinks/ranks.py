"""Free web-graph rank files, read as a stream: Common Crawl domain ranks, Tranco, Majestic Million.

The files are big (Common Crawl's domain ranks are several GB of gzip holding
around a hundred million lines) and we want only the few thousand domains that
link to the user's properties.  So nothing is parsed in Python line by line:
pyarrow's CSV reader decompresses and splits the file in blocks of a few MB,
and each block is filtered with a vectorized set lookup.  Memory stays flat
whatever the file's size; on our machine the whole pass is as fast as
``zcat FILE > /dev/null`` (see ``benchmarks/bench_authority.py``).

Formats, as the publishers write them:

* Common Crawl ``cc-main-<release>-domain-ranks.txt.gz``: tab-separated with
  the header ``#harmonicc_pos #harmonicc_val #pr_pos #pr_val #host_rev
  #n_hosts``; names are reversed (``com.example``, ``uk.co.bbc``).  We take the
  harmonic-centrality position as the rank, as Common Crawl orders the file.
  Its host-level file (the same columns without ``#n_hosts``, hosts such as
  ``com.example.www``) is refused: its positions rank hosts, not domains.
* Tranco ``top-1m.csv`` / ``tranco_<ID>.csv`` (often zipped): ``rank,domain``,
  no header.
* Majestic Million ``majestic_million.csv``: header ``GlobalRank,TldRank,
  Domain,TLD,RefSubNets,RefIPs,IDN_Domain,…``.  It lists subdomains
  (``en.wikipedia.org``): a domain takes the best rank of its names.  Where
  ``Domain`` is a bare suffix (``.com``) the name is read from ``IDN_Domain``.

Which release of a kind to keep when another is loaded is decided by
:func:`choose_release` (newest wins unless the user says to replace).
"""

from __future__ import annotations

import datetime as dt
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import arrow, urls
from .errors import RankFileError
from .text import printable

BLOCK_SIZE = 4 << 20  #: bytes of text parsed at a time: memory is a few of these, whatever the file size

KINDS = {
    "commoncrawl": "Common Crawl web graph (harmonic centrality)",
    "majestic": "Majestic Million",
    "tranco": "Tranco list",
}
#: When several files know a domain, the first of these wins: the web graph ranks by links
#: (what authority means here), Majestic by linking subnets, Tranco by popularity.
PRECEDENCE = ("commoncrawl", "majestic", "tranco")

_CC_COLUMNS = ("#harmonicc_pos", "#harmonicc_val", "#pr_pos", "#pr_val")
_MAJESTIC_START = ("GlobalRank", "TldRank", "Domain")
TRUNCATED = "the file is truncated: it ends early (an unfinished download?); download it again"
_TRANCO_ROW = re.compile(r"^\d+,[^,\s]+\.[^,\s]+$")


@dataclass(frozen=True)
class RankFile:
    path: Path
    kind: str  #: commoncrawl / tranco / majestic
    release: str  #: what the publisher calls this edition, or the file's date
    compression: str | None  #: gzip / bz2 / zstd / zip / None
    columns: tuple[str, ...]  #: the column names the reader gives the file's fields
    rank_column: str
    name_column: str
    has_header: bool
    delimiter: str
    file_date: dt.date | None = None  #: the file's modification date (local time): a release's date of last resort

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def reversed_names(self) -> bool:
        return self.kind == "commoncrawl"


@dataclass(frozen=True)
class ScanResult:
    found: dict[str, int]  #: registrable domain -> rank (1 = top)
    lines: int  #: domains in the file
    last_rank: int = 0  #: the largest rank in it (more than `lines` in a sample of a bigger list)

    @property
    def list_size(self) -> int:
        return max(self.lines, self.last_rank)


def _compression(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _open_raw(path: Path, compression: str | None):
    """A pyarrow input stream of the file's text, decompressed on the fly."""
    import pyarrow as pa

    if compression == "zip":
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise RankFileError(str(path), f"the zip archive holds {len(members)} files; unzip it and load the rank file itself")
        try:
            member = archive.open(members[0])
        except (RuntimeError, NotImplementedError):  # zipfile's words for "encrypted" and "deflate64, …"
            archive.close()
            raise RankFileError(str(path), "the zip archive is encrypted or uses a compression we cannot read; "
                                           "unzip it and load the file inside") from None
        # archive.fp: the zip file itself, whose position is the compressed bytes read (for progress)
        return pa.PythonFile(member, mode="r"), archive.fp
    raw = pa.OSFile(str(path))
    if compression:
        return pa.BufferedInputStream(pa.CompressedInputStream(raw, compression), 1 << 20), raw
    return pa.BufferedInputStream(raw, 1 << 20), raw


#: What reading a damaged file raises: pyarrow's decompressors (OSError), and zipfile's own
#: (zlib.error, lzma.LZMAError, EOFError for a cut member, BadZipFile for a bad CRC).
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError)


def _unreadable(shown: str, compression: str | None, exc: BaseException) -> RankFileError:
    """The one-line error for a file whose bytes cannot be decompressed: cut short, or damaged."""
    text = str(exc)
    if isinstance(exc, EOFError) or "truncated" in text.lower() or "unexpected end" in text.lower():
        return RankFileError(shown, TRUNCATED)
    return RankFileError(shown, f"cannot be read as {compression or 'text'}: {printable(text)[:160]}; download it again")


def _first_line(path: Path, compression: str | None) -> str:
    stream, _ = _open_raw(path, compression)
    try:
        head = stream.read(64 << 10)
    except _READ_ERRORS as exc:
        raise _unreadable(str(path), compression, exc) from None
    finally:
        stream.close()
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return line.decode("utf-8-sig", errors="replace")


def _release(path: Path, kind: str) -> str:
    name = path.name
    if kind == "commoncrawl":
        found = re.search(r"(cc-main-[0-9a-z-]+?)-(?:domain|host)-ranks", name)
        if found:
            return found.group(1)
    if kind == "tranco":
        found = re.search(r"tranco_([A-Z0-9]{3,6})\b", name)
        if found:
            return f"list {found.group(1)}"
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
    return f"file dated {stamp}"


def detect(path: str | Path, *, release: str | None = None) -> RankFile:
    """Which rank file this is, from its first line (never from its name)."""
    path = Path(path).expanduser()
    shown = str(path)
    if not path.exists():
        raise RankFileError(shown, "no such file")
    if path.is_dir():
        raise RankFileError(shown, "is a folder; give the rank file itself")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise RankFileError(shown, f"cannot be read: {exc.strerror or exc}") from None
    if not head:
        raise RankFileError(shown, "the file is empty")
    compression = _compression(head)
    try:
        first = _first_line(path, compression)
    except zipfile.BadZipFile:
        raise RankFileError(shown, "is not a readable zip archive; download it again") from None
    fields = first.split("\t")
    if fields[0] == "#harmonicc_pos" and tuple(fields[:4]) == _CC_COLUMNS and fields[4:] == ["#host_rev"]:
        # Same columns as the domain file less #n_hosts: host positions are not domain ranks (a third of
        # the domains would look unranked, the rest ranked by one of their hosts).
        release_name = _release(path, "commoncrawl")
        wanted = f"{release_name}-domain-ranks.txt.gz" if release_name.startswith("cc-main-") else "cc-main-…-domain-ranks.txt.gz"
        raise RankFileError(shown, f"this is Common Crawl's host ranks file; load the domain-ranks file ({wanted})")
    if fields[0] == "#harmonicc_pos":
        if tuple(fields[:4]) != _CC_COLUMNS or len(fields) < 5 or fields[4] not in ("#host_rev", "#domain_rev"):
            raise RankFileError(shown, f"looks like a Common Crawl ranks file but its header is {printable(first)[:120]!r}")
        columns = tuple(f.lstrip("#") for f in fields)
        kind, rank, name, header, delimiter = "commoncrawl", "harmonicc_pos", columns[4], True, "\t"
    elif tuple(first.split(",")[:3]) == _MAJESTIC_START:
        columns = tuple(first.split(","))
        kind, rank, name, header, delimiter = "majestic", "GlobalRank", "Domain", True, ","
    elif _TRANCO_ROW.match(first.strip()):
        columns = ("rank", "domain")
        kind, rank, name, header, delimiter = "tranco", "rank", "domain", False, ","
    else:
        raise RankFileError(
            shown,
            f"not a rank file we know (first line {printable(first)[:80]!r}); expected Common Crawl domain ranks "
            "(cc-main-…-domain-ranks.txt.gz), a Tranco list (rank,domain) or the Majestic Million CSV",
        )
    file_date = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
    return RankFile(path, kind, release or _release(path, kind), compression, columns, rank, name, header, delimiter,
                    file_date)


# --- which release to keep ---------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
#: Common Crawl's web graph releases: the year the crawls start, maybe the year they end, their months
#: ("cc-main-2017-aug-sep-oct", "cc-main-2024-25-dec-jan-feb", "cc-main-2023-may-sep-nov").
_CC_RELEASE = re.compile(
    r"cc-main-(?P<year>\d{4})(?:-\d{2})?(?P<months>(?:-(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))+)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def release_date(release: str) -> dt.date | None:
    """When a release was made, as far as its name says: the first day of the last crawl month of a
    Common Crawl ``cc-main-…`` release, or a date written in it (``2026-11-17``, ``20261117``,
    ``file dated 2026-11-17``); None when it says nothing (a Tranco list ID such as ``list LJ494``)."""
    text = release.lower()
    found = _CC_RELEASE.search(text)
    if found:
        year, last = int(found.group("year")), 0
        for name in found.group("months").strip("-").split("-"):
            month = _MONTHS[name]
            if month < last:  # "2024-25-dec-jan-feb": January comes after December
                year += 1
            last = month
        return dt.date(year, last, 1)
    for match in _ISO_DATE.finditer(text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def compare_releases(new: str, held: str, *, new_file_date: dt.date | None = None,
                     held_file_date: dt.date | None = None) -> int | None:
    """1 if release ``new`` is newer than ``held``, -1 if older, 0 if the same, None if nothing tells.

    Their names decide when both give a date (:func:`release_date`); else the files' dates, when
    both are known.  Tranco list IDs are random, so two Tranco lists are told apart by file date.
    """
    if new == held:
        return 0
    a, b = release_date(new), release_date(held)
    if a is None or b is None:
        a, b = new_file_date, held_file_date
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


@dataclass(frozen=True)
class ReleaseChoice:
    """What loading a rank file does to the release of its kind held already."""

    replace: bool  #: True: the new file's ranks take the held one's place; False: the held one stays
    message: str  #: one line saying which release is in use, and why


def choose_release(kind: str, new: str, held: str | None, *, new_file_date: dt.date | None = None,
                   held_file_date: dt.date | None = None, replace: bool = False) -> ReleaseChoice:
    """Keep the newest release of each kind: an older one replaces a newer one only when the user says
    so (``replace``, the CLI's ``--replace``).  Pure: the caller reads and writes the store."""
    label = KINDS.get(kind, kind)
    if held is None:
        return ReleaseChoice(True, f"{label}: {new} is in use")
    order = compare_releases(new, held, new_file_date=new_file_date, held_file_date=held_file_date)
    if order == -1 and not replace:
        return ReleaseChoice(False, f"{label}: {new} is older than {held}, which stays in use; "
                                    "load it with --replace to use the older one instead")
    if order == -1:
        return ReleaseChoice(True, f"{label}: {new} is in use in place of the newer {held} (--replace)")
    if order == 0:
        return ReleaseChoice(True, f"{label}: {new} is in use (loaded again)")
    if order == 1:
        return ReleaseChoice(True, f"{label}: {new} is in use in place of the older {held}")
    return ReleaseChoice(True, f"{label}: {new} is in use in place of {held} "
                               "(neither their names nor their file dates say which is newer)")


def _reverse(domain: str) -> str:
    return ".".join(reversed(domain.split(".")))


def scan(rank_file: RankFile, domains: Iterable[str], *,
         progress: Callable[[int, int], None] | None = None) -> ScanResult:
    """Stream the whole file once; return the ranks of the given registrable domains.

    ``progress(done, total)`` is called after each block with bytes of the file read.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    # The file's spelling of each domain we look for: reversed for Common Crawl; a Tranco list's
    # "www." entry counts for its domain.  Majestic's names are mapped to registrable domains below.
    spellings: dict[str, str] = {}
    for domain in domains:
        domain = domain.lower()
        if rank_file.reversed_names:
            spellings[_reverse(domain)] = domain
        else:
            spellings[domain] = domain
            if rank_file.kind == "tranco":
                spellings.setdefault("www." + domain, domain)
    wanted = arrow.array(sorted(spellings), pa.string())  # pa.array(list) would import pandas
    by_domain = rank_file.kind == "majestic"
    idn_column = "IDN_Domain" if by_domain and "IDN_Domain" in rank_file.columns else None
    total = rank_file.path.stat().st_size
    shown = str(rank_file.path)

    stream, raw = _open_raw(rank_file.path, rank_file.compression)
    read_options = pcsv.ReadOptions(block_size=BLOCK_SIZE, column_names=list(rank_file.columns),
                                    skip_rows=1 if rank_file.has_header else 0, encoding="utf8")
    parse_options = pcsv.ParseOptions(delimiter=rank_file.delimiter, quote_char=False if rank_file.kind == "commoncrawl" else '"',
                                      newlines_in_values=False)
    read = [rank_file.rank_column, rank_file.name_column] + ([idn_column] if idn_column else [])
    convert_options = pcsv.ConvertOptions(include_columns=read,
                                          column_types={rank_file.rank_column: pa.int64(),
                                                        **{c: pa.string() for c in read[1:]}})
    found: dict[str, int] = {}
    lines = last_rank = 0
    try:
        reader = pcsv.open_csv(stream, read_options=read_options, parse_options=parse_options,
                               convert_options=convert_options)
        for batch in reader:
            lines += batch.num_rows
            last_rank = max(last_rank, pc.max(batch.column(rank_file.rank_column)).as_py() or 0)
            names = batch.column(rank_file.name_column)
            if by_domain:
                names = _majestic_names(names, batch.column(idn_column) if idn_column else None)
                mask = _under(names, wanted)
            else:
                mask = pc.is_in(names, value_set=wanted)
            if pc.any(mask).as_py():
                hit_names = names.filter(mask)
                if by_domain:  # a subdomain's rank counts for its registrable domain (the best one wins)
                    hit_names = urls.registrable_domains(hit_names)
                hit_ranks = batch.column(rank_file.rank_column).filter(mask).to_pylist()
                for name, rank in zip(hit_names.to_pylist(), hit_ranks):
                    hit = spellings.get(name)
                    if hit and rank is not None and (hit not in found or rank < found[hit]):
                        found[hit] = rank
            if progress:
                progress(raw.tell(), total)
    except pa.ArrowInvalid as exc:
        # "straddling object straddles two block boundaries (try to increase block size?)": a line
        # spans a whole block. The block size is not the user's to change, and no rank file has such lines.
        if "straddl" in str(exc):
            raise RankFileError(shown, f"a line is longer than {BLOCK_SIZE / (1 << 20):g} MB; "
                                       "is it really a rank file?") from None
        raise RankFileError(shown, f"a line does not fit the {rank_file.label} format ({_arrow_problem(exc)}); "
                                   "is the file complete and unmodified?") from None
    except _READ_ERRORS as exc:
        raise _unreadable(shown, rank_file.compression, exc) from None
    finally:
        stream.close()
    if lines == 0:
        raise RankFileError(shown, f"holds no domains after its first line; is it a complete {rank_file.label}?")
    return ScanResult(found, lines, last_rank)


def _majestic_names(names, idn_names):
    """Majestic's names, lower case; where ``Domain`` is not a name but a bare suffix (``.com``),
    the ``IDN_Domain`` column's name in IDNA form."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = pc.utf8_lower(names)
    if idn_names is None:
        return names
    bare = pc.or_(pc.starts_with(names, "."), pc.invert(pc.match_substring(names, ".")))
    bare = pc.fill_null(bare, arrow.scalar(True))
    if not pc.any(bare).as_py():
        return names
    fixed = [urls.host_of(urls.canonical_url(text or "", default_scheme="http")) for text in idn_names.filter(bare).to_pylist()]
    return pc.replace_with_mask(names, bare, arrow.array(fixed, pa.string()))


def _under(names, wanted):
    """Which names are one of the ``wanted`` domains or a subdomain of one (a cheap test on their
    parent names; the exact registrable domain of the few hits is worked out after)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    false = arrow.scalar(False)
    mask = pc.fill_null(pc.is_in(names, value_set=wanted), false)
    # A subdomain has two dots at least ("en.wikipedia.org"): only those rows are looked at again,
    # one parent name at a time, each pass on the rows left (few: most names in a list are domains).
    deeper = pc.fill_null(pc.and_(pc.invert(mask), pc.greater_equal(pc.count_substring(names, "."), arrow.scalar(2))), false)
    if not pc.any(deeper).as_py():
        return mask
    rows = first_rows = pc.indices_nonzero(deeper)  # positions in `names`
    parents = names.filter(deeper)
    found = []
    while len(parents):
        dotted = pc.match_substring(parents, ".")
        parents, rows = parents.filter(dotted), rows.filter(dotted)
        if not len(parents):
            break
        parents = pc.list_element(pc.split_pattern(parents, ".", max_splits=1), arrow.scalar(1))
        hit = pc.is_in(parents, value_set=wanted)
        found.append(rows.filter(hit))
        parents, rows = parents.filter(pc.invert(hit)), rows.filter(pc.invert(hit))
    if not found:
        return mask
    return pc.replace_with_mask(mask, deeper, pc.is_in(first_rows, value_set=pa.concat_arrays(found)))


def _arrow_problem(exc: Exception) -> str:
    text = printable((str(exc).splitlines()[0] if str(exc) else type(exc).__name__).replace("\t", " "))
    return text[:160]


# --- the score ------------------------------------------------------------------------------------

#: log10 of the number of ranked domains the scale spans: rank 1 -> 100, rank 10**8 -> 1.
#: One fixed scale for every list, so a Tranco and a Common Crawl number mean roughly the same.
SCALE_DECADES = 8.0


def authority_score(rank: int | None) -> int | None:
    """0-100 authority from a rank on a log scale: 1 -> 100, 10k -> 50, 1M -> 25, 100M+ -> 1; None stays None.

    Known domains never score 0: "unknown" and "ranked last" are different things.
    """
    import math

    if rank is None or rank < 1:
        return None
    score = 100.0 * (1.0 - math.log10(rank) / SCALE_DECADES)
    return int(max(1, min(100, math.floor(score + 0.5))))  # halves up: 62.5 -> 63, as a reader rounds
