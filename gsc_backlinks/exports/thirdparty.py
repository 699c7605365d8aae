"""Backlink exports of Ahrefs, Semrush, Majestic, Moz and Bing Webmaster Tools, read into link observations.

Which tool and which export a file is comes from its header row alone
(:func:`detect_vendor`); columns are matched by name, ignoring case, spaces and
columns this version does not know.  :func:`parse_vendor_export` reads the file
(CSV in the encodings and delimiters the tools and spreadsheets write, or XLSX)
into a pyarrow table with the project's link-observation columns
(:data:`LINK_COLUMNS`), or for a referring-domains export one row per linking
domain (:data:`DOMAIN_COLUMNS`); each tool's own metrics follow as nullable
columns named with the tool (:data:`VENDOR_METRICS`).  The table's column types
map one to one onto DuckDB's, so it can be inserted as it is.

Everything is vectorized with pyarrow compute: the CSV is parsed by Arrow's
multi-threaded reader (only the columns used are converted), URLs, dates,
flags and numbers are turned into their types column by column, and Python only
sees the few values that need it (distinct dates in unusual forms, rows that
are not valid CSV).  Strangers' text (anchors, titles, context) is kept as it
is: the output layers escape it.

Evidence for each tool's header is in the README ("Third-party exports").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from .. import arrow, urls
from ..errors import ExportError, UnknownExportError, UsageError
from ..text import printable, shown_text
from .sources import RawFile, cell_text, is_zip

# --- what each tool writes --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One of a tool's own metrics, kept as the tool gives it in a column of its own."""

    column: str  #: output column, named with its tool: ``ahrefs_dr``
    names: tuple[str, ...]  #: header names it is read from
    label: str  #: as the tool calls it: "Ahrefs Domain rating"
    kind: str = "number"  #: "number" (DOUBLE), "text" (VARCHAR) or "flag" (BOOLEAN)
    total: bool = False  #: a count: summed when several rows merge into one linking domain

    @property
    def sql_type(self) -> str:
        return {"number": "DOUBLE", "text": "VARCHAR", "flag": "BOOLEAN"}[self.kind]


@dataclass(frozen=True)
class _Spec:
    key: str
    vendor: str
    tool: str
    label: str
    required: tuple[str, ...]  #: header names that must all be there
    any_of: tuple[str, ...]  #: header names of which one must be there (empty: none needed)
    fields: dict[str, tuple[str, ...]]  #: field id -> header names, first found wins
    metrics: tuple[Metric, ...] = ()
    referring_domains: bool = False
    empty_flag_is_false: bool = False  #: Majestic leaves a flag empty when it is not set
    month_first: bool = False  #: how to read an ambiguous 03/04/2026
    lost_reason: str = ""  #: the reason given when a boolean lost flag is set


_AHREFS_DR = Metric("ahrefs_dr", ("Domain rating", "DR"), "Ahrefs Domain rating")
_AHREFS_SPAM = Metric("ahrefs_is_spam", ("Is spam",), "Ahrefs Is spam", kind="flag")

_SPECS: tuple[_Spec, ...] = (
    # Checked in this order: Majestic's and Semrush's headers also hold "Source URL" and
    # "Target URL", so Bing's three columns come after them.
    _Spec(
        "majestic_backlinks", "majestic", "Majestic", "a Majestic backlinks export",
        required=("Source URL", "Target URL"),
        any_of=("SourceTrustFlow", "SourceCitationFlow", "FlagNoFollow", "Source Crawl Date",
                "Source First Found Date"),
        fields={
            "linking_url": ("Source URL",),
            "target_url": ("Target URL",),
            "anchor_text": ("Anchor Text",),
            "image": ("FlagImageLink", "FlagImages"),
            "nofollow": ("FlagNoFollow",),
            "first_seen": ("Source First Found Date",),
            "last_seen": ("Source Crawl Date",),
            "lost_flag": ("FlagDeleted",),
        },
        metrics=(
            Metric("majestic_source_trust_flow", ("SourceTrustFlow",), "Majestic Trust Flow (source page)"),
            Metric("majestic_source_citation_flow", ("SourceCitationFlow",), "Majestic Citation Flow (source page)"),
            Metric("majestic_source_topic", ("SourceTopicalTrustFlow_Topic_0",),
                   "Majestic Topical Trust Flow topic (source page)", kind="text"),
            Metric("majestic_source_topic_trust_flow", ("SourceTopicalTrustFlow_Value_0",),
                   "Majestic Topical Trust Flow (source page)"),
        ),
        empty_flag_is_false=True,
        lost_reason="deleted",
    ),
    _Spec(
        "ahrefs_backlinks", "ahrefs", "Ahrefs", "an Ahrefs backlinks export",
        required=("Referring page URL", "Target URL"),
        any_of=(),
        fields={
            "linking_url": ("Referring page URL",),
            "target_url": ("Target URL",),
            "anchor_text": ("Anchor",),
            "linking_title": ("Referring page title",),
            "link_type": ("Type",),
            "nofollow": ("Nofollow",),
            "ugc": ("UGC",),
            "sponsored": ("Sponsored",),
            "in_content": ("Content",),
            "context_before": ("Left context",),
            "context_after": ("Right context",),
            "first_seen": ("First seen",),
            "last_seen": ("Last seen",),
            "lost": ("Lost",),
            "lost_status": ("Lost status",),
            "drop_reason": ("Drop reason",),
        },
        metrics=(
            _AHREFS_DR,
            Metric("ahrefs_ur", ("UR", "URL rating"), "Ahrefs URL Rating"),
            Metric("ahrefs_domain_traffic", ("Domain traffic",), "Ahrefs Domain traffic"),
            Metric("ahrefs_page_traffic", ("Page traffic",), "Ahrefs Page traffic"),
            _AHREFS_SPAM,
        ),
    ),
    _Spec(
        "semrush_backlinks", "semrush", "Semrush", "a Semrush backlinks export",
        required=("Source url", "Target url"),
        any_of=("Page ascore", "Page score", "Page trust score", "Sitewide", "New link", "Lost link"),
        fields={
            "linking_url": ("Source url",),
            "target_url": ("Target url",),
            "anchor_text": ("Anchor",),
            "linking_title": ("Source title",),
            "nofollow": ("Nofollow",),
            "ugc": ("Ugc",),
            "sponsored": ("Sponsored",),
            "image": ("Image",),
            "sitewide": ("Sitewide",),
            "first_seen": ("First seen",),
            "last_seen": ("Last seen",),
            "lost_flag": ("Lost link",),
        },
        metrics=(
            Metric("semrush_page_ascore", ("Page ascore",), "Semrush Page Authority Score"),
            Metric("semrush_page_score", ("Page score",), "Semrush Page score (older exports)"),
            Metric("semrush_page_trust_score", ("Page trust score",), "Semrush Page trust score (older exports)"),
        ),
        month_first=True,
        lost_reason="lost link",
    ),
    _Spec(
        "moz_inbound_links", "moz", "Moz", "a Moz inbound-links export",
        required=("URL", "Target URL"),
        any_of=("Page Authority", "Domain Authority", "Spam Score"),
        fields={
            "linking_url": ("URL",),
            "target_url": ("Target URL",),
            "anchor_text": ("Anchor Text",),
            "linking_title": ("Title",),
            "nofollow": ("Only rel=nofollow",),
            "followable": ("Followable",),
            # Not seen in a real Moz file yet: read if a newer export has them.
            "first_seen": ("First Seen", "Date First Seen"),
            "last_seen": ("Last Seen", "Date Last Seen"),
        },
        metrics=(
            Metric("moz_domain_authority", ("Domain Authority",), "Moz Domain Authority"),
            Metric("moz_page_authority", ("Page Authority",), "Moz Page Authority"),
            Metric("moz_spam_score", ("Spam Score",), "Moz Spam Score"),
        ),
        month_first=True,
    ),
    _Spec(
        "bing_backlinks", "bing", "Bing Webmaster Tools", "a Bing Webmaster Tools backlinks export",
        required=("Source Url", "Target Url", "Anchor text"),
        any_of=(),
        fields={"linking_url": ("Source Url",), "target_url": ("Target Url",), "anchor_text": ("Anchor text",)},
        month_first=True,
    ),
    _Spec(
        "semrush_referring_domains", "semrush", "Semrush", "a Semrush referring-domains export",
        required=("Domain ascore", "Domain"),
        any_of=(),
        fields={"domain": ("Domain",), "first_seen": ("First seen",), "last_seen": ("Last seen",)},
        metrics=(
            Metric("semrush_domain_ascore", ("Domain ascore",), "Semrush Authority Score"),
            Metric("semrush_backlinks", ("Backlinks",), "Semrush Backlinks", total=True),
        ),
        referring_domains=True,
        month_first=True,
    ),
    _Spec(
        "ahrefs_referring_domains", "ahrefs", "Ahrefs", "an Ahrefs referring-domains export",
        required=("Domain",),
        any_of=("Domain rating", "DR", "Dofollow ref. domains", "Dofollow linked domains", "Links to target"),
        fields={
            "domain": ("Domain", "Referring domain"),
            "first_seen": ("First seen",),
            "last_seen": ("Last seen",),
            "lost": ("Lost",),
        },
        metrics=(
            _AHREFS_DR,
            Metric("ahrefs_domain_traffic", ("Traffic", "Domain traffic"), "Ahrefs Domain traffic"),
            Metric("ahrefs_links_to_target", ("Links to target",), "Ahrefs Links to target", total=True),
            Metric("ahrefs_dofollow_links", ("Dofollow links",), "Ahrefs Dofollow links", total=True),
            _AHREFS_SPAM,
        ),
        referring_domains=True,
    ),
)

_SPEC_BY_KEY = {s.key: s for s in _SPECS}

#: export key -> label ("ahrefs_backlinks" -> "an Ahrefs backlinks export").
VENDOR_EXPORTS: dict[str, str] = {s.key: s.label for s in _SPECS}

def export_label(key: str) -> str:
    """An export's name without its article, as a list shows it: "Ahrefs backlinks export"."""
    label = VENDOR_EXPORTS[key]
    return label.split(" ", 1)[1] if label.startswith(("a ", "an ")) else label


#: vendor -> the tool's name as people say it ("ahrefs" -> "Ahrefs").
TOOLS: dict[str, str] = {s.vendor: s.tool for s in _SPECS}

#: Every vendor metric column: name -> Metric (its label and SQL type), for the store's columns.
VENDOR_METRICS: dict[str, Metric] = {m.column: m for s in _SPECS for m in s.metrics}

#: The link-observation columns of a backlinks export, in order, with their DuckDB types.
LINK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("linking_url", "VARCHAR"),  # canonical
    ("linking_domain", "VARCHAR"),  # registrable domain of its host
    ("target_url", "VARCHAR"),  # canonical, tracking parameters stripped
    ("anchor_text", "VARCHAR"),  # as the tool gives it; null when the tool has no anchor column
    ("image", "BOOLEAN"),
    ("nofollow", "BOOLEAN"),
    ("ugc", "BOOLEAN"),
    ("sponsored", "BOOLEAN"),
    ("placement", "VARCHAR"),  # 'content' where Ahrefs says so, else null
    ("sitewide", "BOOLEAN"),  # Semrush's Sitewide
    ("context_before", "VARCHAR"),
    ("context_after", "VARCHAR"),
    ("first_seen", "DATE"),
    ("last_seen", "DATE"),
    ("lost_on", "DATE"),
    ("status", "VARCHAR"),  # 'live', 'lost' or null
    ("reason", "VARCHAR"),
    ("linking_title", "VARCHAR"),  # the linking page's title, for relevance
)

#: The columns of a referring-domains export (one row per linking domain), before its metrics.
DOMAIN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("linking_domain", "VARCHAR"),
    ("first_seen", "DATE"),
    ("last_seen", "DATE"),
    ("lost_on", "DATE"),
    ("status", "VARCHAR"),
)

_ZERO_WIDTH_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def _norm(text: str) -> str:
    """A header cell as matched: NFKC, no BOM or zero-width marks, spaces collapsed, case folded."""
    text = _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip().strip('"').strip().casefold()


@dataclass(frozen=True)
class VendorExport:
    """A header row recognised as one tool's export: which one, and where its columns are."""

    key: str  #: "ahrefs_backlinks", "semrush_referring_domains", …
    vendor: str  #: "ahrefs", "semrush", "majestic", "moz", "bing"
    tool: str  #: "Ahrefs", …, "Bing Webmaster Tools"
    label: str  #: "an Ahrefs backlinks export"
    referring_domains: bool  #: one row per linking domain, not per link
    columns: tuple[tuple[str, int], ...]  #: (field id or metric column, position in the header row)

    @property
    def columns_named(self) -> set[str]:
        return {name for name, _ in self.columns}

    def position(self, name: str) -> int | None:
        return next((i for n, i in self.columns if n == name), None)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        """All metric columns of this kind of export (present in the file or not)."""
        return _SPEC_BY_KEY[self.key].metrics


def detect_vendor(header_cells: list[str]) -> VendorExport | None:
    """Which tool's export, and which of its exports, a header row is; None if none of them."""
    where: dict[str, int] = {}
    for i, cell in enumerate(header_cells):
        where.setdefault(_norm(str(cell)), i)
    for spec in _SPECS:
        if not all(_norm(n) in where for n in spec.required):
            continue
        if spec.any_of and not any(_norm(n) in where for n in spec.any_of):
            continue
        columns = []
        for name, aliases in [*spec.fields.items(), *((m.column, m.names) for m in spec.metrics)]:
            found = next((where[_norm(a)] for a in aliases if _norm(a) in where), None)
            if found is not None:
                columns.append((name, found))
        return VendorExport(spec.key, spec.vendor, spec.tool, spec.label, spec.referring_domains, tuple(columns))
    return None


#: Columns of one tool's export a header must hold to be taken for it though a required one is missing.
_NEAR_MATCH = 4


def near_vendor(header_cells: list[str]) -> str | None:
    """What is wrong with a header row that is recognizably one tool's export but lacks a column this reader
    needs ("looks like an Ahrefs backlinks export but has no 'Target URL' column; …"); None when it is no
    tool's export."""
    present = {_norm(str(cell)) for cell in header_cells}
    best: tuple[int, _Spec] | None = None
    for spec in _SPECS:
        names = {_norm(n) for n in (*spec.required, *spec.any_of,
                                    *(a for aliases in spec.fields.values() for a in aliases),
                                    *(n for m in spec.metrics for n in m.names))}
        count = len(names & present)
        if count >= _NEAR_MATCH and (best is None or count > best[0]):
            best = (count, spec)
    if best is None:
        return None
    spec = best[1]
    missing = [f"'{n}'" for n in spec.required if _norm(n) not in present]
    said = []
    if missing:
        said.append(f"no {' or '.join(missing)} column" + ("s" if len(missing) > 1 else ""))
    if spec.any_of and not any(_norm(n) in present for n in spec.any_of):
        said.append("none of the columns " + ", ".join(f"'{n}'" for n in spec.any_of))
    if not said:
        return None
    return (f"looks like {spec.label} but has {' and '.join(said)}; export it again from {spec.tool} with every "
            "column")


def competitor_domain(text: str, option: str = "--competitor") -> str:
    """The registrable domain a ``--competitor`` (or `option`) names ("https://www.Example.org/x" -> "example.org")."""
    value = (text or "").strip()
    if value.lower().startswith("sc-domain:"):
        value = value.split(":", 1)[1]
    host = urls.host_of(urls.canonical_url(value, default_scheme="https")) if value else None
    if not host or "." not in host.strip("."):
        shown = printable(value)[:80] or "(empty)"
        raise UsageError(f"{option} '{shown}' is not a domain; write it as example.org")
    return urls.registrable_domain(host) or host


def refuse_own_site(competitor: str, site: urls.Property, option: str = "--competitor") -> None:
    """Raise UsageError when the competitor's registrable domain is the property's own."""
    own = site.domain or urls.host_of(site.prefix)
    if own and urls.registrable_domain(own) == competitor:
        raise UsageError(f"{option} {competitor} is your own site ({site.site}); import its exports "
                         "without --competitor")


# --- the result ---------------------------------------------------------------------------


@dataclass
class VendorParsed:
    """One third-party export, read and normalized, ready for the store."""

    source: str  #: what messages call the file
    filename: str
    export: VendorExport
    table: Any  #: pyarrow.Table: LINK_COLUMNS (or DOMAIN_COLUMNS) then the export's metric columns
    file_rows: int  #: data rows read from the file (broken lines not counted)
    skipped_rows: int  #: lines that were not valid CSV rows and were skipped
    content_hash: str
    quick_key: str  #: size and hash of the first MiB (see RawFile.quick_key)
    snapshot_date: dt.date
    date_source: str  #: "file name", "--date", "file time" or "today"
    site: str | None  #: the property the targets belong to (None with a competitor or no site given)
    competitor: str | None  #: the competitor's registrable domain the targets belong to
    encoding: str
    notes: list[str] = field(default_factory=list)

    @property
    def vendor(self) -> str:
        return self.export.vendor

    @property
    def kind(self) -> str:
        return self.export.key

    @property
    def label(self) -> str:
        return self.export.label

    @property
    def rows(self) -> int:
        return self.table.num_rows


# --- bytes -> header and string columns ------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_DELIMITERS = (",", "\t", ";")
_HEAD_BYTES = 256 * 1024
_HEADER_SEARCH_LINES = 30  #: Moz puts a few lines before its header
_LINE_RE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")


def _encoding(raw: RawFile) -> tuple[str, int]:
    """(encoding, length of its byte-order mark)."""
    data = raw.data
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM shows a NUL in every other byte of ASCII text.
        even, odd = head[0::2], head[1::2]
        for encoding, nuls, text in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if nuls.count(0) > 0.9 * len(nuls) and text.count(0) == 0:
                return encoding, 0
        # A NUL or two in a stranger's anchor is text; a file full of them is not.
        if head.count(0) * 100 > len(head) or b"\n" not in head:
            raise ExportError(raw.display, "is a binary file, not a CSV export (it contains NUL bytes)")
    return "utf-8", 0


def _head_lines(raw: RawFile, encoding: str, start: int) -> list[tuple[str, int]]:
    """The first lines of the text: (line, byte offset from ``start``) each."""
    chunk = raw.data[start: start + _HEAD_BYTES]
    width = 2 if encoding.startswith("utf-16") else 1
    if len(raw.data) - start > _HEAD_BYTES:  # cut at the last whole line of the window
        newline = "\n".encode(encoding) if width == 2 else b"\n"
        cut = chunk.rfind(newline)
        while width == 2 and cut > 0 and cut % 2:
            cut = chunk.rfind(newline, 0, cut)
        chunk = chunk[: cut + width] if cut > 0 else chunk
    if width == 2:
        text = chunk.decode(encoding, errors="replace")
        encode = lambda s: len(s.encode(encoding, errors="replace"))  # noqa: E731
    else:
        try:
            text = chunk.decode("utf-8")
            encode = lambda s: len(s.encode("utf-8"))  # noqa: E731
        except UnicodeDecodeError:
            text = chunk.decode("cp1252", errors="replace")
            encode = len
    lines, offset = [], 0
    for match in _LINE_RE.finditer(text):  # "\n", "\r\n" and a lone "\r" end a line, as for Arrow
        lines.append((match.group(1), offset))
        offset += encode(match.group(0))
        if len(lines) >= _HEADER_SEARCH_LINES * 4 or not match.group(0):
            break
    return lines


def _find_header(raw: RawFile, lines: list[tuple[str, int]]):
    """(header byte offset, delimiter, header cells, VendorExport) of the first line that is a known header."""
    first_cells: list[str] | None = None
    seen = 0
    for line, offset in lines:
        if not line.strip(" \t\r,;"):
            continue
        seen += 1
        best: list[str] | None = None
        for delimiter in _DELIMITERS:
            cells = _cells(line, delimiter)
            export = detect_vendor(cells)
            if export:
                return offset, delimiter, cells, export
            if best is None or len(cells) > len(best):
                best = cells
        first_cells = first_cells or best
        if seen >= _HEADER_SEARCH_LINES:
            break
    if first_cells is None:
        raise ExportError(raw.display, "is empty; download the export again from the tool")
    raise _not_a_vendor_export(raw.display, first_cells)


def _cells(line: str, delimiter: str, quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL) -> list[str]:
    """One line's cells as the csv module reads them ([] where it cannot: a NUL, an open quote)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, quoting=quoting), [])
    except csv.Error:
        return []


def unknown_header(source: str, cells: list[str], what: str) -> ExportError:
    """A header no reader knows: a tool's export with a column cut says which (an error even with
    --skip-unknown); anything else shows its first cells and ``what`` it is not."""
    near = near_vendor(cells)
    if near:
        return ExportError(source, near)
    shown = ", ".join(repr(shown_text(c, 40)) for c in cells[:6]) or "(nothing)"
    return UnknownExportError(source, f"header [{shown}] {what}")


def _not_a_vendor_export(source: str, cells: list[str]) -> ExportError:
    return unknown_header(source, cells, "is not a backlinks export of Ahrefs, Semrush, Majestic, Moz or Bing "
                          "Webmaster Tools that this version knows (it reads their backlinks and referring-domains "
                          "exports as downloaded)")


@dataclass
class _Read:
    export: VendorExport
    header: list[str]  #: the header row's cells as written
    columns: dict[str, object]  #: field id / metric column -> pyarrow string ChunkedArray
    rows: int
    skipped: int
    encoding: str
    notes: list[str]


def _recover(texts: list[str], delimiter: str, ncols: int,
             url_column: int | None = None) -> tuple[list[list[str]], int, int]:
    """Rows Arrow could not read: each line of them read again on its own.

    A stray quote makes Arrow run one row on over the following lines until
    another quote; those lines are sound rows and are kept.  A line still of the
    wrong width is read once more with quotes as plain characters (an anchor
    such as ``5" screen``).  A line so read whose linking URL (``url_column``)
    is no http(s) URL (``"https://…`` with the stray quote in it) is broken too.
    Returns (rows recovered, lines of the wrong width, lines without a linking URL).
    """
    rows, wrong_width, no_url = [], 0, 0
    for text in texts:
        for line in re.split(r"\r\n|\r|\n", text):
            if not line.strip():
                continue
            cells = _cells(line, delimiter)
            if len(cells) != ncols:
                cells = _cells(line, delimiter, quoting=csv.QUOTE_NONE)
            if len(cells) != ncols:
                wrong_width += 1
            elif url_column is not None and not cells[url_column].strip().lower().startswith(("http://", "https://")):
                no_url += 1
            else:
                rows.append(cells)
    return rows, wrong_width, no_url


def _read_csv(raw: RawFile) -> _Read:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding, bom = _encoding(raw)
    if len(raw.data) <= bom or raw.data[bom:].isspace():
        raise ExportError(raw.display, "is empty; download the export again from the tool")
    offset, delimiter, cells, export = _find_header(raw, _head_lines(raw, encoding, bom))
    ncols = len(cells)
    names = [f"c{i}" for i in range(ncols)]
    wanted = sorted({i for _, i in export.columns})
    notes: list[str] = []
    body = pa.py_buffer(raw.data)[bom + offset:]
    quoted = raw.data.find(b'"' if encoding == "utf-8" else '"'.encode(encoding), bom + offset) != -1

    def parse(buffer, source_encoding: str, block_size: int):
        broken: list[str] = []

        def keep_aside(row) -> str:
            broken.append(row.text or "")
            return "skip"

        # Arrow's threaded reader: blocks parsed and converted on every core, only the columns used kept.
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=block_size,
                encoding="utf8" if source_encoding == "utf-8" else source_encoding,
            ),
            # Without any quote a value cannot hold a newline, and Arrow splits blocks anywhere.
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted,
                                             invalid_row_handler=keep_aside),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[i] for i in wanted],
                column_types={names[i]: pa.string() for i in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        return table, broken

    def parse_sized(buffer, source_encoding: str):
        block_size = 16 << 20
        while True:
            try:
                with _undecodable_rows() as undecodable:
                    return parse(buffer, source_encoding, block_size)
            except pa.ArrowInvalid as exc:
                if undecodable:  # pyarrow could not hand a broken row of bad UTF-8 to our handler
                    raise pa.ArrowInvalid("invalid UTF8 data in a broken row") from None
                # A cell larger than a block (hostile or not) needs a larger block.
                if "straddl" not in str(exc) or block_size >= len(buffer) + 1:
                    raise
                block_size = min(max(block_size * 8, 64 << 20), len(buffer) + 1, (1 << 31) - 1)

    try:
        table, broken = parse_sized(body, encoding)
    except UnicodeDecodeError as exc:  # from the UTF-16 transcoder
        raise ExportError(raw.display, f"says it is {encoding.upper()} text but is not ({exc.reason} at byte "
                                       f"{bom + offset + exc.start:,}); is it cut short? download it again") from None
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if encoding != "utf-8" or ("UTF8" not in message and "UTF-8" not in message):
            detail = shown_text(message.replace("CSV parse error: ", ""), 160)
            raise ExportError(raw.display, f"is not a well-formed CSV: {detail}") from None
        text, encoding, note = _decode_loosely(raw.data[bom + offset:])
        notes.append(note)
        fixed = text.encode("utf-8")
        del text
        try:
            table, broken = parse_sized(pa.py_buffer(fixed), "utf-8")
        except pa.ArrowInvalid as exc2:
            detail = shown_text(str(exc2).replace("CSV parse error: ", ""), 160)
            raise ExportError(raw.display, f"is not a well-formed CSV: {detail}") from None
    if encoding not in ("utf-8",):
        notes.insert(0, f"read as {encoding}")
    columns = {n: table.column(names[i]) for n, i in export.columns}
    url_column = next((i for n, i in export.columns if n == "linking_url"), None)
    recovered, wrong_width, no_url = _recover(broken, delimiter, ncols, url_column) if broken else ([], 0, 0)
    if recovered:
        for n, i in export.columns:
            extra = arrow.array([r[i] for r in recovered], pa.string())
            columns[n] = pa.chunked_array([*columns[n].chunks, extra], pa.string())
        notes.append(f"{len(recovered)} rows after a stray quote read line by line")
    if wrong_width:
        what = "1 line is" if wrong_width == 1 else f"{wrong_width:,} lines are"
        notes.append(f"{what} not a valid CSV row of {ncols} columns; skipped")
    if no_url:
        what = "1 line" if no_url == 1 else f"{no_url:,} lines"
        notes.append(f"{what} after a stray quote had no http(s) linking URL (a quote in it); skipped")
    return _Read(export, cells, columns, table.num_rows + len(recovered), wrong_width + no_url, encoding, notes)


class _undecodable_rows:
    """Catches what pyarrow reports as "Exception ignored" (with a traceback on stderr) when a row that is
    not valid CSV is not valid UTF-8 either: it cannot decode it for the invalid-row handler."""

    def __enter__(self) -> list:
        import sys

        self.seen: list = []
        self.hook = sys.unraisablehook
        sys.unraisablehook = lambda info: self.seen.append(info.exc_type)
        return self.seen

    def __exit__(self, *exc) -> None:
        import sys

        sys.unraisablehook = self.hook


def _decode_loosely(data: bytes) -> tuple[str, str, str]:
    """Text that is not valid UTF-8: mostly UTF-8 with a few bad bytes, or a spreadsheet's Windows code page."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    sample = data[: 1 << 20]
    wide = (len(sample) - len(sample.translate(None, bytes(range(128, 256))))) * len(data) / max(len(sample), 1)
    if replaced * 4 < wide:  # a few bad bytes among much good UTF-8
        return text, "utf-8", f"{replaced:,} bytes that are not UTF-8 replaced with \ufffd"
    return (data.decode("cp1252", errors="replace"), "cp1252",
            "not UTF-8: read as Windows-1252 (a spreadsheet's code page)")


def _read_xlsx(raw: RawFile) -> _Read:
    import pyarrow as pa
    from python_calamine import CalamineWorkbook


    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw.data))
        sheets = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ExportError(raw.display, "is not a readable .xlsx workbook "
                                       f"(corrupt or truncated: {shown_text(str(exc), 80)})") from None
    first: list[str] | None = None
    for name in sheets:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as exc:
            raise ExportError(raw.display,
                              f"sheet {shown_text(name, 40)!r} cannot be read ({shown_text(str(exc))})") from None
        for at, row in enumerate(rows[:_HEADER_SEARCH_LINES]):
            cells = [cell_text(c) for c in row]
            if not any(c.strip() for c in cells):
                continue
            first = first or cells
            export = detect_vendor(cells)
            if not export:
                continue
            data = [r for r in rows[at + 1:] if any(cell_text(c).strip() for c in r)]
            columns = {
                n: pa.chunked_array([arrow.array([cell_text(r[i]) if i < len(r) else "" for r in data], pa.string())])
                for n, i in export.columns
            }
            return _Read(export, cells, columns, len(data), 0, "xlsx", [])
    if first is None:
        raise ExportError(raw.display, "workbook is empty; download the export again from the tool")
    raise _not_a_vendor_export(raw.display, first)


def vendor_of(raw: RawFile) -> VendorExport | None:
    """Which tool's export a file is, from its first lines (or first rows of each sheet); None if it is
    none of them or cannot be read.  Never raises: for routing a file to this reader or Search Console's."""
    try:
        if is_zip(raw.data):
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw.data))
            for name in workbook.sheet_names:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True, nrows=_HEADER_SEARCH_LINES)
                for row in rows:
                    export = detect_vendor([cell_text(c) for c in row])
                    if export:
                        return export
            return None
        encoding, bom = _encoding(raw)
        return _find_header(raw, _head_lines(raw, encoding, bom))[3]
    except Exception:  # noqa: BLE001  (an unreadable file is simply not a vendor export; its reader says why)
        return None


# --- typed columns, vectorized ----------------------------------------------------------------

_TRUE = ("true", "1", "yes", "y", "t", "+", "x", "on")
_FALSE = ("false", "0", "no", "n", "f", "-", "off")
_PLACEHOLDERS = ("", "-", "–", "—", "n/a", "na", "none", "null")


def _null(type_):
    import pyarrow as pa

    return pa.nulls(1, type_)[0]  # pa.scalar(None) would import pandas


def _strings(values: list[str]):
    import pyarrow as pa

    return arrow.array(values, pa.string())


def _clean(values):
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(values)


def _flags(values, empty_is_false: bool = False):
    """(bool column, values that are neither yes nor no)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_lower(_clean(values))
    yes = pc.is_in(text, value_set=_strings(list(_TRUE)))
    no = pc.is_in(text, value_set=_strings(list(_FALSE)))
    empty = pc.equal(text, arrow.scalar(""))
    if empty_is_false:
        no = pc.or_(no, empty)
    out = pc.if_else(yes, arrow.scalar(True), pc.if_else(no, arrow.scalar(False), _null(pa.bool_())))
    odd = pc.sum(pc.invert(pc.or_(pc.or_(yes, no), empty)).cast(pa.int64())).as_py() or 0
    return out, odd


def _numbers(values):
    """(float64 column, values that are no number): "45", "1,234", "0.5", "12%"; placeholders are null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = pc.equal(pc.binary_length(values), arrow.scalar(0))
    try:  # plain numbers and empty cells, as the tools write them: no regex needed
        return pc.cast(pc.if_else(blank, _null(pa.string()), values), pa.float64()), 0
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = pc.replace_substring_regex(_clean(values), r"\s*%$", "")
    grouped = pc.match_substring_regex(text, r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
    if pc.any(grouped).as_py():
        text = pc.if_else(grouped, pc.replace_substring(text, ",", ""), text)
    valid = pc.match_substring_regex(text, r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
    out = pc.cast(pc.if_else(valid, text, _null(pa.string())), pa.float64())
    placeholder = pc.is_in(pc.utf8_lower(text), value_set=_strings(list(_PLACEHOLDERS)))
    odd = pc.sum(pc.invert(pc.or_(valid, placeholder)).cast(pa.int64())).as_py() or 0
    return out, odd


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _date_of(text: str) -> dt.date | None:
    """One date in a form the vectorized pass leaves over: named months, Unix time."""
    value = text.strip().replace(",", " ")
    value = re.sub(r"\s+", " ", value)
    m = re.match(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}) (\d{4})\b", value) or None
    if m and m.group(1).lower() in _MONTHS:
        return dt.date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = re.match(r"(\d{1,2})\.? ([A-Za-z]{3})[a-z]*\.? (\d{4})\b", value)
    if m and m.group(2).lower() in _MONTHS:
        return dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.fullmatch(r"(\d{9,10})(\d{3})?(?:\.\d+)?", value)
    if m:
        return dt.datetime.fromtimestamp(int(m.group(1)), dt.UTC).date()
    return None


def _dates(values, month_first: bool):
    """(date32 column, values that are no date).

    ISO dates and timestamps (``2026-09-01``, ``2026-09-01 13:28:23``,
    ``2026-09-01T13:28:23Z``) are read vectorized; so are ``d/m/y`` and
    ``m/d/y`` (the order decided for the whole column: a part above 12 tells,
    else the tool's habit).  The distinct values left over are read one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = _ymd(pc.utf8_slice_codeunits(values, 0, 10))  # ISO dates and timestamps: nearly every value
    if not pc.any(pc.and_(pc.is_null(out), pc.not_equal(pc.binary_length(values), arrow.scalar(0)))).as_py():
        return out, 0
    text = _clean(values)
    empty = pc.is_in(pc.utf8_lower(text), value_set=_strings(list(_PLACEHOLDERS)))
    parts = pc.extract_regex(text, r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:$|[ T,])")
    out = pc.coalesce(out, _ymd(pc.binary_join_element_wise(
        pc.struct_field(parts, [0]), pc.utf8_lpad(pc.struct_field(parts, [1]), 2, "0"),
        pc.utf8_lpad(pc.struct_field(parts, [2]), 2, "0"), arrow.scalar("-"))))
    parts = pc.extract_regex(text, r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})(?:$|[ T,])")
    first, second, year = (pc.struct_field(parts, [i]) for i in range(3))
    day_first = pc.any(pc.greater(pc.cast(first, pa.int32()), arrow.scalar(12))).as_py() is True
    by_month = pc.any(pc.greater(pc.cast(second, pa.int32()), arrow.scalar(12))).as_py() is True
    if day_first != by_month:  # one part goes above 12 somewhere: that one is the day
        month_first = by_month
    month, day = (first, second) if month_first else (second, first)
    out = pc.coalesce(out, _ymd(pc.binary_join_element_wise(
        year, pc.utf8_lpad(month, 2, "0"), pc.utf8_lpad(day, 2, "0"), arrow.scalar("-"))))
    still = pc.and_(pc.is_null(out), pc.invert(empty))
    if pc.any(still).as_py():
        distinct = pc.unique(text.filter(still))
        known = arrow.array([_safe_date(v) for v in distinct.to_pylist()], pa.date32())
        out = pc.coalesce(out, pc.take(known, pc.index_in(text, value_set=distinct)))
    odd = pc.sum(pc.and_(pc.is_null(out), pc.invert(empty)).cast(pa.int64())).as_py() or 0
    return out, odd


def _ymd(text):
    """Dates of ``YYYY-MM-DD`` strings; null where the string is no such date (strptime alone takes 2026-02-30
    for 2 March)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pc.cast(pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    # A day past the month's end comes out as day 1, 2 or 3 of the next month: only those rows are checked.
    early = pc.fill_null(pc.less_equal(pc.day(out), arrow.scalar(3)), arrow.scalar(False))
    if not pc.any(early).as_py():
        return out
    # Kernels may drop empty chunks: the short columns are put in one piece each so that they line up.
    whole = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in (text, out, early)]
    text, out, early = whole
    shown = pc.utf8_lpad(pc.cast(pc.day(out.filter(early)), pa.string()), 2, "0")
    stated = pc.utf8_lpad(pc.utf8_slice_codeunits(text.filter(early), 8, 10), 2, "0")
    wrong = pc.replace_with_mask(early, early, pc.not_equal(shown, stated))
    return pc.if_else(wrong, _null(pa.date32()), out)


def _safe_date(text: str) -> dt.date | None:
    try:
        return _date_of(text)
    except (ValueError, OverflowError, OSError):
        return None


def _present(values):
    """Non-empty cells."""
    import pyarrow.compute as pc

    return pc.not_equal(_clean(values), arrow.scalar(""))


def _or_null_text(values):
    """The cells, with empty ones null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _clean(values)
    return pc.if_else(pc.equal(text, arrow.scalar("")), _null(pa.string()), text)


_TRACKING_FILTER = r"(?i)[?&](?:" + urls.TRACKING_PARAMS.pattern.strip("^$") + r")(?:[=&]|$)"


def _canonical_targets(values):
    """(canonical target URLs without tracking parameters, and their distinct values with hosts and counts).

    Target URLs repeat (a site's backlinks point to its few best pages): each
    distinct one is worked on once, and the property check weighs them by count.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    if encoded.num_chunks == 0 or len(encoded) == 0:
        empty = arrow.array([], pa.string())
        return pa.chunked_array([], pa.string()), (empty, empty, arrow.array([], pa.int64()))
    # Arrow encodes every chunk with one growing memo table: all indices point into the last chunk's dictionary.
    distinct = encoded.chunk(encoded.num_chunks - 1).dictionary
    canon, hosts = urls.canonical_url_array(distinct)
    canon, hosts = canon.combine_chunks(), hosts.combine_chunks()
    tracked = pc.fill_null(pc.match_substring_regex(canon, _TRACKING_FILTER), arrow.scalar(False))
    if pc.any(tracked).as_py():
        stripped = [urls.canonical_url(urls.strip_tracking(u)) for u in canon.filter(tracked).to_pylist()]
        canon = pc.replace_with_mask(canon, tracked, _strings(stripped))
    # Rows per distinct URL (Arrow only: numpy's views of Arrow arrays would import pandas).
    tally = pc.value_counts(pa.chunked_array([c.indices for c in encoded.chunks]))
    where = pc.index_in(arrow.array(list(range(len(distinct))), pa.int64()),
                        value_set=pc.cast(tally.field("values"), pa.int64()))
    counts = pc.fill_null(pc.take(tally.field("counts"), where), arrow.scalar(0))
    targets = pa.chunked_array([pc.take(canon, c.indices) for c in encoded.chunks], pa.string())
    return targets, (canon, hosts, counts)


# --- the whole file ---------------------------------------------------------------------------

_NAME_DATE_RE = re.compile(r"(?<!\d)(\d{4})[-_](\d{2})[-_](\d{2})(?:[_ T](\d{2})[-_:.](\d{2})[-_:.](\d{2}))?(?!\d)")


def snapshot_date_for(raw: RawFile, date_option: dt.date | None) -> tuple[dt.date, str]:
    """The date the tool wrote in the file name (Ahrefs: ``…_2026-09-01_13-28-23.csv``), else --date, else the
    file's time."""
    for name in (raw.filename, raw.archive_name):
        for match in reversed(list(_NAME_DATE_RE.finditer(name or ""))):
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))), "file name"
            except ValueError:
                continue
    if date_option:
        return date_option, "--date"
    if raw.mtime is not None:
        return dt.datetime.fromtimestamp(raw.mtime).date(), "file time"
    return dt.date.today(), "today"


def _check_targets(display: str, distinct, prop: urls.Property | None, competitor: str | None,
                   notes: list[str]) -> None:
    """Refuse a file whose target URLs are not the property's (or the competitor's) pages.

    ``distinct``: (canonical URLs, hosts, rows of each), from ``_canonical_targets``.
    A URL-prefix property keeps a file whose targets are mostly elsewhere on its
    own registrable domain (an Ahrefs export of all subdomains), with a note.
    """
    import pyarrow.compute as pc

    if prop is None and competitor is None:
        return
    canon, hosts, counts = distinct
    present = pc.not_equal(canon, arrow.scalar(""))

    def rows(mask) -> int:
        return pc.sum(pc.if_else(pc.and_(present, pc.fill_null(mask, arrow.scalar(False))), counts,
                                 arrow.scalar(0))).as_py() or 0

    def example(mask) -> str:
        outside = canon.filter(pc.and_(present, pc.invert(pc.fill_null(mask, arrow.scalar(False)))))
        return shown_text(urls.display_url(outside[0].as_py()), 60) if len(outside) else ""

    total = rows(present)
    if total == 0:
        raise ExportError(display, "names no target URL in any row, so it cannot say whose links it lists; "
                                   "export it again with its Target URL column")
    domains = urls.registrable_domains(hosts)
    if prop is not None:
        own_domain = urls.registrable_domain(prop.domain or urls.host_of(prop.prefix))
        if prop.domain:
            inside = pc.or_(pc.equal(hosts, arrow.scalar(prop.domain)), pc.ends_with(hosts, "." + prop.domain))
        else:
            inside = pc.starts_with(canon, prop.prefix)
        on_own_domain = pc.equal(domains, arrow.scalar(own_domain)) if own_domain else inside
    if competitor is not None:
        theirs = pc.equal(domains, arrow.scalar(competitor))
        if rows(theirs) * 2 < total:
            if prop is not None and rows(on_own_domain) * 2 >= total:
                raise ExportError(display, f"its target URLs are pages of your own site {prop.site}, not of "
                                           f"competitor {competitor}; import it without --competitor")
            raise ExportError(display, f"its target URLs ({example(theirs)}, …) are not pages of competitor "
                                       f"{competitor}; check --competitor")
        if rows(theirs) < total:
            notes.append(f"{total - rows(theirs):,} target URLs are not on {competitor}")
        return
    assert prop is not None
    outside = total - rows(inside)
    if outside * 2 <= total:
        if outside:
            notes.append(f"{outside:,} target URLs are outside {prop.site}")
        return
    if own_domain and rows(on_own_domain) * 2 >= total:
        notes.append(f"{outside:,} of {total:,} target URLs are outside {prop.site} (on {own_domain}, kept)")
        return
    raise ExportError(
        display,
        f"its target URLs ({example(on_own_domain)}, …) are not pages of property {prop.site}; import it with the "
        "--site it belongs to, or with --competitor DOMAIN if these are a competitor's links",
    )


def _note_odd(notes: list[str], count: int, what: str, column: str) -> None:
    if count:
        many = "1 value" if count == 1 else f"{count:,} values"
        notes.append(f"{many} in column {column!r} {'is' if count == 1 else 'are'} not {what}; left empty")


def _header_name(read: _Read, name: str) -> str:
    """The column's header cell as the file writes it, for notes."""
    at = read.export.position(name)
    return shown_text(read.header[at].strip(), 40) if at is not None and at < len(read.header) else name


def parse_vendor_export(
    raw: RawFile,
    *,
    site: urls.Property | None,
    competitor: str | None = None,
    date_option: dt.date | None = None,
) -> VendorParsed:
    """Read, detect, check and normalize one third-party backlinks or referring-domains export.

    ``site``: the property whose links the file must list (its target URLs are
    checked), unless ``competitor`` names the domain the targets must belong to
    instead.  With neither, nothing is checked.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    comp = competitor_domain(competitor) if competitor is not None else None
    if comp and site is not None:
        refuse_own_site(comp, site)
    hashing = _beside(lambda: raw.content_hash)  # hashlib lets go of the GIL: free beside Arrow
    if raw.filename.lower().endswith(".xlsx") and not is_zip(raw.data):
        raise ExportError(raw.display,
                          "is not a readable .xlsx workbook (it is not a zip container); download it again")
    read = _read_xlsx(raw) if is_zip(raw.data) else _read_csv(raw)
    export, notes = read.export, list(read.notes)
    spec = _SPEC_BY_KEY[export.key]
    if read.rows == 0:
        raise ExportError(raw.display, f"is {export.label} with a header row but no rows; there was nothing to export")
    n = read.rows
    cols = read.columns
    read.columns = {}
    # Each string column is taken out of ``cols`` when it is turned into its type, so that a
    # million rows' text is not held twice.

    def nulls(type_):
        return pa.nulls(n, type_)

    def flag(name: str):
        if name not in cols:
            return None
        out, odd = _flags(cols.pop(name), spec.empty_flag_is_false)
        _note_odd(notes, odd, "true or false", _header_name(read, name))
        return out

    def date(name: str):
        if name not in cols:
            return None
        out, odd = _dates(cols.pop(name), spec.month_first)
        _note_odd(notes, odd, "a date", _header_name(read, name))
        return out

    def given(value, type_):
        return value if value is not None else nulls(type_)

    target = linking = host = domain_job = None
    if "target_url" in cols:  # checked first: a file of another site is refused before the rest is worked on
        target, distinct = _canonical_targets(cols.pop("target_url"))
        _check_targets(raw.display, distinct, site, comp, notes)
        del distinct
    if "linking_url" in cols:
        linking, host = urls.canonical_url_array(cols.pop("linking_url"))
        domain_job = _beside(urls.domains_of, host)  # in a thread, beside the columns below

    first_seen, last_seen = date("first_seen"), date("last_seen")
    lost_on = lost_flag = None
    if "lost" in cols:  # Ahrefs' Lost: the date the link was lost (a flag in some importers' files)
        values = cols.pop("lost")
        lost_on, _ = _dates(values, spec.month_first)
        lost_flag, _ = _flags(values)
        lost_on = pc.if_else(pc.fill_null(lost_flag, arrow.scalar(False)), _null(pa.date32()), lost_on)
        odd = pc.sum(pc.and_(pc.and_(pc.is_null(lost_on), pc.is_null(lost_flag)), _present(values))
                     .cast(pa.int64())).as_py() or 0
        _note_odd(notes, odd, "a date", _header_name(read, "lost"))
    status = reason = None
    if {"lost", "lost_status", "lost_flag"} & ({*cols, "lost"} if lost_on is not None else set(cols)):
        parts = []
        if lost_on is not None:
            parts += [pc.is_valid(lost_on), pc.fill_null(lost_flag, arrow.scalar(False))]
        said = _or_null_text(cols.pop("lost_status")) if "lost_status" in cols else None
        why = _or_null_text(cols.pop("drop_reason")) if "drop_reason" in cols else None
        if said is not None:
            parts.append(pc.is_valid(said))
        if "lost_flag" in cols:
            parts.append(pc.fill_null(flag("lost_flag"), arrow.scalar(False)))
        lost = parts[0]
        for part in parts[1:]:
            lost = pc.or_(lost, part)
        status = pc.if_else(lost, arrow.scalar("lost"), arrow.scalar("live"))
        if said is not None or why is not None:
            said, why = given(said, pa.string()), given(why, pa.string())
            reason = pc.coalesce(pc.binary_join_element_wise(said, why, arrow.scalar(": ")), said, why)
        elif spec.lost_reason:
            reason = pc.if_else(lost, arrow.scalar(spec.lost_reason), _null(pa.string()))

    metrics = {}
    for metric in spec.metrics:
        if metric.column not in cols:
            metrics[metric.column] = nulls({"flag": pa.bool_(), "text": pa.string()}.get(metric.kind, pa.float64()))
        elif metric.kind == "flag":
            metrics[metric.column] = flag(metric.column)
        elif metric.kind == "text":
            metrics[metric.column] = _or_null_text(cols.pop(metric.column))
        else:
            out, odd = _numbers(cols.pop(metric.column))
            _note_odd(notes, odd, "a number", _header_name(read, metric.column))
            metrics[metric.column] = out

    snapshot_date, date_source = snapshot_date_for(raw, date_option)
    if date_option and date_source == "file name" and date_option != snapshot_date:
        notes.append(f"--date {date_option.isoformat()} ignored: the file name says {snapshot_date.isoformat()}")

    if export.referring_domains:
        table = _domains_table(cols.pop("domain"), n, first_seen, last_seen, lost_on, status, metrics, spec, notes)
        if site is not None or comp is not None:
            notes.append("a referring-domains export names no target pages: not checked against "
                         + (f"competitor {comp}" if comp else f"property {site.site if site else ''}"))
    else:
        image = flag("image")
        if image is None and "link_type" in cols:
            kind = pc.utf8_lower(_clean(cols.pop("link_type")))
            image = pc.if_else(pc.equal(kind, arrow.scalar("")), _null(pa.bool_()), pc.match_substring(kind, "image"))
        nofollow = flag("nofollow")
        if nofollow is None and "followable" in cols:
            nofollow = pc.invert(flag("followable"))
        placement = None
        if "in_content" in cols:  # Ahrefs: "the link was found in the biggest piece of content on the page"
            placement = pc.if_else(pc.fill_null(flag("in_content"), arrow.scalar(False)),
                                   arrow.scalar("content"), _null(pa.string()))
        def text(name: str):
            # An empty title or context says nothing (null); text is kept exactly as the tool wrote it
            # (the space before an anchor is part of its context).
            return _empty_as_null(cols.pop(name)) if name in cols else nulls(pa.string())

        table = arrow.table({
            "linking_url": linking,
            "linking_domain": given(domain_job.result() if domain_job else None, pa.string()),
            "target_url": given(target, pa.string()),
            # An empty anchor is a fact (an image without alt text): kept as "".
            "anchor_text": cols.pop("anchor_text") if "anchor_text" in cols else nulls(pa.string()),
            "image": given(image, pa.bool_()),
            "nofollow": given(nofollow, pa.bool_()),
            "ugc": given(flag("ugc"), pa.bool_()),
            "sponsored": given(flag("sponsored"), pa.bool_()),
            "placement": given(placement, pa.string()),
            "sitewide": given(flag("sitewide"), pa.bool_()),
            "context_before": text("context_before"),
            "context_after": text("context_after"),
            "first_seen": given(first_seen, pa.date32()),
            "last_seen": given(last_seen, pa.date32()),
            "lost_on": given(lost_on, pa.date32()),
            "status": given(status, pa.string()),
            "reason": given(reason, pa.string()),
            "linking_title": text("linking_title"),
            **metrics,
        })
        del linking, host, target
        empty = pc.equal(table.column("linking_url"), arrow.scalar(""))
        missing = pc.sum(empty.cast(pa.int64())).as_py() or 0
        if missing:
            table = table.filter(pc.invert(empty))
            notes.append(f"{missing:,} rows without a linking URL left out")
        not_web = table.column("linking_domain").null_count
        if not_web:
            notes.append(f"{not_web:,} linking URLs are not http(s) URLs (kept as text)")
        if "target_url" in export.columns_named:
            no_target = pc.sum(pc.equal(table.column("target_url"), arrow.scalar("")).cast(pa.int64())).as_py() or 0
            if no_target:
                notes.append(f"{no_target:,} rows name no target URL")
    return VendorParsed(
        source=raw.display,
        filename=raw.filename,
        export=export,
        table=table,
        file_rows=n,
        skipped_rows=read.skipped,
        content_hash=hashing.result(), quick_key=raw.quick_key,
        snapshot_date=snapshot_date,
        date_source=date_source,
        site=site.site if site is not None and comp is None else None,
        competitor=comp,
        encoding=read.encoding,
        notes=notes,
    )


def _empty_as_null(values):
    """A string column with its empty cells null: the text buffers are shared, only a validity bitmap is new."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = []
    for chunk in values.chunks:
        filled = pc.not_equal(pc.binary_length(chunk), arrow.scalar(0))  # from the offsets alone
        if chunk.offset or chunk.null_count:
            chunks.append(pc.if_else(filled, chunk, _null(pa.string())))
        elif pc.all(filled).as_py():
            chunks.append(chunk)
        else:
            chunks.append(pa.Array.from_buffers(chunk.type, len(chunk), [filled.buffers()[1], *chunk.buffers()[1:]]))
    return pa.chunked_array(chunks, values.type)


def _domains_table(domain_cells, n: int, first_seen, last_seen, lost_on, status, metrics, spec: _Spec,
                   notes: list[str]):
    """One row per registrable linking domain: subdomains the tool lists apart are merged into it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    written = pc.utf8_lower(_clean(domain_cells))
    as_url = pc.if_else(pc.match_substring(written, "://"), written, pc.binary_join_element_wise(
        arrow.scalar("https://"), written, arrow.scalar("/"), arrow.scalar("")))  # "example.org" or a URL
    _, hosts = urls.canonical_url_array(as_url)
    domains = urls.domains_of(hosts)
    table = arrow.table({
        "linking_domain": domains,
        "first_seen": first_seen if first_seen is not None else pa.nulls(n, pa.date32()),
        "last_seen": last_seen if last_seen is not None else pa.nulls(n, pa.date32()),
        "lost_on": lost_on if lost_on is not None else pa.nulls(n, pa.date32()),
        "status": status if status is not None else pa.nulls(n, pa.string()),
        **metrics,
    })
    bad = domains.null_count
    if bad:
        table = table.filter(pc.is_valid(table.column("linking_domain")))
        notes.append(f"{bad:,} rows whose Domain is not a domain name left out")
    distinct = len(pc.unique(table.column("linking_domain")))
    if distinct == table.num_rows:
        return table
    aggregations = [("first_seen", "min"), ("last_seen", "max"), ("lost_on", "max"),
                    ("lost_on", "count", pc.CountOptions(mode="only_null"))]
    for metric in spec.metrics:
        if metric.kind == "text":
            aggregations.append((metric.column, "first"))
        elif metric.kind == "flag":
            aggregations.append((metric.column, "any"))
        else:
            aggregations.append((metric.column, "sum" if metric.total else "max"))
    grouped = table.group_by("linking_domain", use_threads=False).aggregate(aggregations)
    live = pc.greater(grouped.column("lost_on_count"), arrow.scalar(0))  # a subdomain still links
    lost_on = pc.if_else(live, _null(pa.date32()), grouped.column("lost_on_max"))
    has_status = table.column("status").null_count < table.num_rows
    merged = arrow.table({
        "linking_domain": grouped.column("linking_domain"),
        "first_seen": grouped.column("first_seen_min"),
        "last_seen": grouped.column("last_seen_max"),
        "lost_on": lost_on,
        "status": (pc.if_else(pc.is_valid(lost_on), arrow.scalar("lost"), arrow.scalar("live")) if has_status
                   else pa.nulls(grouped.num_rows, pa.string())),
        **{m.column: grouped.column(f"{m.column}_{f}") for m, (_, f) in zip(spec.metrics, aggregations[4:])},
    })
    notes.append(f"{table.num_rows - merged.num_rows:,} rows of subdomains merged into their registrable domain")
    return merged


def _beside(function, *args):
    """A future of ``function(*args)`` run in a thread (for C work that lets go of the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future
