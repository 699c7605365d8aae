"""Read one Links export (CSV in any of its encodings/delimiters, or XLSX) into rows.

The kind of export is decided by its header row (see ``kinds.py``); the file
name is only a hint.  Output is a :class:`ParsedExport` whose ``table`` has the
columns of the store table the kind belongs to, with URLs already in canonical
form and each linking URL's registrable domain filled in (the host is read from
the URL where it is needed; the store keeps no host column since schema 5).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from .. import arrow, urls
from ..errors import ExportError, UnknownExportError
from ..text import shown_text
from . import kinds as K
from .sources import RawFile, cell_text, is_zip
from .thirdparty import detect_vendor, unknown_header

BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
DELIMITERS = (",", ";", "\t")
_NOT_SPACE = re.compile(rb"\S")
DATE_IN_NAME_RE = re.compile(r"-(\d{4}-\d{2}-\d{2})(?:\s*\(\d+\))?\.[A-Za-z0-9]+$")


@dataclass
class ParsedExport:
    """One export file, read and normalized, ready for the store."""

    source: str
    filename: str
    kind: str
    language: str
    table: Any  #: pyarrow.Table with the columns of ``kinds.KINDS[kind].table``
    file_rows: int  #: data rows in the file
    content_hash: str
    snapshot_date: dt.date
    date_source: str  #: "--date", "file name" or "file time"
    target_url: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Linking-page rows are already one per canonical URL; if False the store merges them.
    one_row_per_url: bool = False

    @property
    def label(self) -> str:
        return K.KINDS[self.kind].label

    @property
    def row_table(self) -> str:
        """The store table its rows go to."""
        return K.KINDS[self.kind].table


# --- bytes -> header cells + columns --------------------------------------------



def _to_utf8(data: bytes, source: str) -> tuple[bytes, str]:
    """Return UTF-8 bytes without BOM and the encoding the file had."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if encoding == "utf-8":
                return body, "utf-8-sig"
            try:
                return body.decode(encoding).encode("utf-8"), encoding
            except UnicodeDecodeError:
                raise ExportError(source, f"says it is {encoding.upper()} but is not valid {encoding.upper()} text") from None
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM shows a NUL in every other byte of ASCII text.
        even, odd = head[0::2], head[1::2]
        for encoding, nuls, text in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if nuls.count(0) > 0.9 * len(nuls) and text.count(0) == 0:
                try:
                    return data.decode(encoding).encode("utf-8"), encoding
                except UnicodeDecodeError:
                    break
        raise ExportError(source, "is a binary file, not a CSV export (it contains NUL bytes)")
    return data, "utf-8"


def _first_line(text: bytes) -> tuple[str, int]:
    """The first non-blank line (decoded) and the byte offset where it starts."""
    offset = 0
    while True:
        end = text.find(b"\n", offset)
        line = text[offset: end if end != -1 else len(text)]
        if line.strip(b" \t\r") or end == -1:
            try:
                return line.decode("utf-8").rstrip("\r"), offset
            except UnicodeDecodeError:
                return line.decode("cp1252", errors="replace").rstrip("\r"), offset
        offset = end + 1


def _sniff(header_line: str) -> tuple[str, list[str], K.HeaderMatch | None]:
    best: tuple[str, list[str]] | None = None
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        match = K.match_header(cells)
        if match:
            return delimiter, cells, match
        if best is None or len(cells) > len(best[1]):
            best = (delimiter, cells)
    assert best is not None
    return best[0], best[1], None


def _unknown_header(source: str, cells: list[str]) -> ExportError:
    if K.is_performance_header(cells):
        return UnknownExportError(source, K.PERFORMANCE_EXPORT)
    vendor = detect_vendor(cells)
    if vendor:
        return UnknownExportError(
            source, f"this is {vendor.label}, not a Search Console Links export; "
            "gsc-backlinks import reads it as one (with --competitor DOMAIN when it lists a competitor's links)",
        )
    return unknown_header(source, cells, "is not a Links export header this version knows; if it is a Links "
                          "export in another UI language, please send us its header row so that a later version "
                          "reads it")


def _no_rows(names: list[str]) -> dict[str, Any]:
    import pyarrow as pa

    return {n: pa.chunked_array([], pa.string()) for n in names}


def _read_csv(raw: RawFile, beside=None) -> tuple[K.HeaderMatch, dict[str, Any], int, str]:
    """Parse CSV bytes: (header match, {column id: pyarrow chunked array}, rows, encoding).

    ``beside``: Python work to run in a thread while Arrow reads (which needs no GIL).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    body, encoding = _to_utf8(raw.data, raw.display)
    if not body or body.isspace():  # isspace() stops at the first other byte; strip() would copy
        raise ExportError(raw.display, "is empty; download the export again from Search Console (or the tool it "
                                       "came from)")
    header_line, offset = _first_line(body)
    delimiter, cells, match = _sniff(header_line)
    if match is None:
        raise _unknown_header(raw.display, cells)
    ncols = len(cells)
    names = [f"c{i}" for i in range(ncols)]
    header_end = body.find(b"\n", offset)
    if header_end == -1 or not _NOT_SPACE.search(body, header_end):  # a search: a slice would copy the file
        # The header alone, as Search Console writes an empty table (no final newline): no rows.
        return match, _no_rows(list(match.columns)), 0, encoding

    def parse(data: bytes, start: int):
        # Without any quote a value cannot hold a newline, and Arrow can read in parallel.
        quoted = data.find(b'"', start) != -1
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),  # read where the bytes are: no Python file calls
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    if beside:
        _beside(beside)
    try:
        table = parse(body, offset)
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or "UTF-8" in message:
            # Saved by a spreadsheet program in the Windows code page.
            try:
                table = parse(body[offset:].decode("cp1252").encode("utf-8"), 0)
                encoding = "cp1252"
            except (UnicodeDecodeError, pa.ArrowInvalid):
                raise ExportError(raw.display, "is not UTF-8 or UTF-16 text; is it really a CSV export?") from None
        else:
            detail = shown_text(message.replace("CSV parse error: ", ""), 160)
            raise ExportError(raw.display, f"is not a well-formed CSV: {detail}") from None
    columns = {cid: table.column(i) for i, cid in enumerate(match.columns)}  # chunked: no copy into one piece
    return match, columns, table.num_rows, encoding


def _read_xlsx(raw: RawFile) -> tuple[K.HeaderMatch, dict[str, Any], int, str]:
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw.data))
        sheets = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ExportError(raw.display,
                          f"is not a readable .xlsx workbook (corrupt or truncated: {shown_text(str(exc), 80)})") from None
    first_header: list[str] | None = None
    for name in sheets:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as exc:
            raise ExportError(raw.display, f"sheet {name!r} cannot be read ({shown_text(str(exc), 80)})") from None
        rows = [r for r in rows if any(cell_text(c).strip() for c in r)]
        if not rows:
            continue
        cells = [cell_text(c) for c in rows[0]]
        match = K.match_header(cells)
        if match is None:
            # A Performance workbook's first sheet may be its chart: say so whichever sheet shows it.
            first_header = cells if first_header is None or K.is_performance_header(cells) else first_header
            continue
        data = rows[1:]
        columns = {
            cid: arrow.array([cell_text(r[i]) if i < len(r) else "" for r in data], pa.string())
            for i, cid in enumerate(match.columns)
        }
        return match, columns, len(data), "xlsx"
    if first_header is None:
        raise ExportError(raw.display, "workbook is empty; download the export again from Search Console (or the "
                                       "tool it came from)")
    raise _unknown_header(raw.display, first_header)


# --- typed values -----------------------------------------------------------------

_GROUPED_RE = re.compile(r"^\d{1,3}(?:([,.' \u00a0\u202f\u2009])\d{3})(?:\1\d{3})*$")


def parse_count(text: str) -> int | None:
    """A count as Search Console or a spreadsheet writes it: 1234, 1,234, 1.234, 1 234."""
    value = text.strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if _GROUPED_RE.match(value):
        return int(re.sub(r"\D", "", value))
    if re.fullmatch(r"\d+[.,]0+", value):  # 12.0 from a spreadsheet
        return int(re.split(r"[.,]", value)[0])
    raise ValueError(value)


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def parse_dates(values: list[str]) -> list[dt.date | None]:
    """Parse a date column: ISO as Search Console writes it, else d/m/y or m/d/y.

    The day/month order of slash dates is decided for the whole column (a part
    above 12 tells which); a column that never says is read as day-first.
    """
    out: list[dt.date | None] = []
    slash = [re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", v.strip()) for v in values]
    month_first = any(m and int(m.group(2)) > 12 for m in slash) and not any(
        m and int(m.group(1)) > 12 for m in slash
    )
    for value, m in zip(values, slash):
        v = value.strip()
        if not v:
            out.append(None)
            continue
        iso = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", v)
        try:
            if iso:
                out.append(dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))))
            elif m:
                a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                out.append(dt.date(y, a, b) if month_first else dt.date(y, b, a))
            else:
                named = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})", v) or None
                if named and named.group(1).lower() in _MONTHS:
                    out.append(dt.date(int(named.group(3)), _MONTHS[named.group(1).lower()], int(named.group(2))))
                else:
                    named = re.fullmatch(r"(\d{1,2})\.? ([A-Za-z]{3})[a-z]*\.? (\d{4})", v)
                    if not named or named.group(2).lower() not in _MONTHS:
                        raise ValueError(v)
                    out.append(dt.date(int(named.group(3)), _MONTHS[named.group(2).lower()], int(named.group(1))))
        except ValueError:
            raise ValueError(value) from None
    return out


def _counts(source: str, label: str, values: list[str], row_offset: int = 2) -> list[int | None]:
    out = []
    for i, v in enumerate(values):
        try:
            out.append(parse_count(v))
        except ValueError:
            raise ExportError(
                source, f"row {i + row_offset}: {shown_text(v, 40)!r} in column {label!r} is not a count"
            ) from None
    return out


# --- the whole file -----------------------------------------------------------------


def snapshot_date_for(raw: RawFile, date_option: dt.date | None) -> tuple[dt.date, str]:
    """--date, else the date in Search Console's file name (or a Google Sheets download of it), else the file's time."""
    if date_option:
        return date_option, "--date"
    for name in (raw.filename, raw.archive_name):
        match = DATE_IN_NAME_RE.search(K.clean_name(name or ""))
        if match:
            try:
                return dt.date.fromisoformat(match.group(1)), "file name"
            except ValueError:
                pass
    if raw.mtime is not None:
        return dt.datetime.fromtimestamp(raw.mtime).date(), "file time"
    return dt.date.today(), "today"


def names_property(named: str, prop: urls.Property) -> bool:
    """Whether the property part of a file name in Search Console's pattern is `prop`: exactly, or with a
    prefix the user added ("gsc_example.com"), but not another domain that ends the same ("notexample.com")."""
    slug, given = prop.file_slug.lower(), named.lower()
    return given == slug or (given.endswith(slug) and not re.match(r"[a-z0-9.\-]", given[-len(slug) - 1]))


def _check_file_property(raw: RawFile, prop: urls.Property) -> None:
    """A file name in Search Console's pattern names its property: it must be --site's."""
    for name in (raw.filename, raw.archive_name):
        match = K.FILENAME_RE.match(K.clean_name(name or ""))
        if not match or K.normalized(match.group("title")) not in K.known_titles():
            continue
        named = match.group("property")
        if names_property(named, prop):
            return
        raise ExportError(
            raw.display,
            f"its file name says it was exported from property {named!r}, but --site is {prop.site}; "
            "import it with the --site it came from",
        )


def _resolve_kind(raw: RawFile, match: K.HeaderMatch, inside_share: float, target: str | None) -> str:
    if len(match.kinds) == 1:
        return match.kinds[0]
    hinted = [k for k in K.kinds_from_title(raw.filename) if k in match.kinds]
    hinted = hinted or [k for k in K.kinds_from_title(raw.archive_name or "") if k in match.kinds]
    if hinted:
        return hinted[0]
    if target:
        return "internal_linking_pages" if inside_share > 0.5 else "site_linking_pages"
    if inside_share > 0.5:
        # External exports hold no pages of yours: this is the internal drill-down.
        return "internal_linking_pages"  # needs --target: reported by the caller
    return "sample_links"


#: Above this many rows sharing a canonical URL with another, the store's GROUP BY merges them faster.
MERGE_IN_PYTHON_MAX = 20_000


def _repeats_to_drop(canon, written, crawled):
    """(rows to leave out, whether the rest are then one per URL) for linking pages.

    A canonical URL repeats when the file repeats a line or when a repaired form
    (case, a space, a port) meets one written canonically.  Search Console lists
    linking pages once each in URL order, so the cheap case is checked first:
    ``written`` (the cells as in the file) strictly increasing rules out repeated
    lines, and only canonical URLs equal to a repaired one can then repeat.  Those
    few are merged here as the store's GROUP BY would merge them (the row with the
    latest crawl date kept).  Any other order leaves the merge to the store.
    """
    import pyarrow.compute as pc

    if len(canon) < 2:
        return [], True
    written = pc.fill_null(written, arrow.scalar(""))
    if not pc.all(pc.less(written[:-1], written[1:])).as_py():
        return [], False
    repaired = canon.filter(pc.not_equal(canon, written)).combine_chunks()  # is_in takes repeats in its set
    repaired = repaired.filter(pc.not_equal(repaired, arrow.scalar("")))  # empty cells are left out, not merged
    if len(repaired) == 0:
        return [], True
    near = pc.is_in(canon, value_set=repaired)  # rows that may repeat
    near_urls = canon.filter(near)  # a filter, not a take: chunk by chunk
    counts = pc.value_counts(near_urls)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), arrow.scalar(1)))
    if len(repeated) == 0:
        return [], True
    at = pc.indices_nonzero(near).filter(pc.is_in(near_urls, value_set=repeated))
    if len(at) > MERGE_IN_PYTHON_MAX:
        return [], False
    rows = at.to_pylist()
    urls_at = canon.take(at).to_pylist()  # an Arrow index array: a list would make pyarrow import pandas
    crawled_at = crawled.take(at).to_pylist()
    best: dict[str, tuple[int, dt.date | None]] = {}
    for row, url, when in zip(rows, urls_at, crawled_at):
        held = best.get(url)
        if held is None or (when is not None and (held[1] is None or when > held[1])):
            best[url] = (row, when)
    return sorted(set(rows) - {row for row, _ in best.values()}), True


#: What Search Console writes in Last crawled for a page it never crawled.
NEVER_CRAWLED = dt.date(1970, 1, 1)


def never_crawled_note(rows: int) -> str:
    """The import's note for Last crawled dates of 1970-01-01, stored as unknown."""
    what = "1 linking page has" if rows == 1 else f"{rows:,} linking pages have"
    return f"{what} Last crawled 1970-01-01 (Search Console's word for never crawled): stored as unknown"


def merged_note(rows: int) -> str:
    """The import's note for rows merged into another row with the same canonical URL."""
    what = "1 row repeats" if rows == 1 else f"{rows:,} rows repeat"
    return f"{what} the linking page of another row (the same URL once canonical); merged"


def _without_rows(table, rows: list[int]):
    """``table`` without the rows at the sorted positions ``rows``.

    A few rows are cut out by joining zero-copy slices around them; a filter would
    copy every column of a million-row table.
    """
    import numpy as np
    import pyarrow as pa

    if not rows:
        return table
    if len(rows) > 1000:
        keep = np.ones(table.num_rows, dtype=bool)
        keep[rows] = False
        mask = pa.py_buffer(np.packbits(keep, bitorder="little"))
        return table.filter(pa.Array.from_buffers(pa.bool_(), len(keep), [None, mask]))
    pieces, start = [], 0
    for row in rows:
        if row > start:
            pieces.append(table.slice(start, row - start))
        start = row + 1
    pieces.append(table.slice(start))
    return pa.concat_tables(pieces)


def _beside(function, *args):
    """A future of ``function(*args)``, run in a thread while the caller goes on.

    For work in C code that lets go of the GIL (hashlib, Arrow), so it costs no time.
    """
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def import_arrow_beside():
    """Start importing Arrow in a thread (a tenth of a second of start-up), for a caller that
    reads its files meanwhile; ``parse_export``'s own import then waits for it."""
    return _beside(_import_arrow)


def _import_arrow() -> None:
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401


def parse_export(
    raw: RawFile,
    prop: urls.Property,
    *,
    target: str | None = None,
    date_option: dt.date | None = None,
) -> ParsedExport:
    """Read, detect, validate and normalize one export file."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if raw.not_links:
        raise UnknownExportError(raw.display, raw.not_links)
    _check_file_property(raw, prop)
    if raw.filename.lower().endswith(".xlsx") and not is_zip(raw.data):
        raise ExportError(raw.display, "is not a readable .xlsx workbook (it is not a zip container); download it again")
    if is_zip(raw.data):
        match, cols, nrows, encoding = _read_xlsx(raw)
    else:
        match, cols, nrows, encoding = _read_csv(raw, beside=urls.warm_up)
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig", "xlsx"):
        notes.append(f"read as {encoding}")
    if match.language != "en":
        notes.append(f"headers in language '{match.language}'")

    inside_share = 0.0
    one_row_per_url = False
    if "linking_page" in cols:
        canon, host = urls.canonical_url_array(cols["linking_page"])
        domain_job = _beside(urls.domains_of, host)  # beside the checks below
        if prop.domain:
            inside = pc.or_(pc.equal(host, arrow.scalar(prop.domain)), pc.ends_with(host, "." + prop.domain))
        else:
            inside = pc.starts_with(canon, prop.prefix)
        inside_share = (pc.sum(pc.cast(pc.fill_null(inside, arrow.scalar(False)), pa.int64())).as_py() or 0) / max(nrows, 1)

    kind_key = _resolve_kind(raw, match, inside_share, target)
    kind = K.KINDS[kind_key]
    if kind.drill_down and not target:
        raise ExportError(
            raw.display,
            f"is a {kind.label!r} drill-down export, which does not say which of your pages it was "
            "filtered on; import it again with --target URL (the page you clicked in the Links report)",
        )
    if target and not kind.drill_down:
        notes.append("--target ignored (not a drill-down export)")
    target_url = target if kind.drill_down else None

    snapshot_date, date_source = snapshot_date_for(raw, date_option)
    if nrows == 0:
        notes.append(kind.nothing_listed(snapshot_date, target_url and urls.display_url(target_url)))

    if kind.table == K.LINKING_PAGES:  # its header has a linking-page column: canon, host and domain_job are set
        if "last_crawled" in cols:
            texts = cols["last_crawled"].to_pylist()
            try:
                dates = parse_dates(texts)
            except ValueError as exc:
                row = texts.index(exc.args[0]) + 2
                raise ExportError(
                    raw.display, f"row {row}: {shown_text(exc.args[0], 40)!r} in column 'Last crawled' is not a date"
                ) from None
            never = dates.count(NEVER_CRAWLED)
            if never:
                # Search Console's "never" (seen on a redirect script's URL): the crawl date is unknown.
                dates = [None if d == NEVER_CRAWLED else d for d in dates]
                notes.append(never_crawled_note(never))
            crawled = arrow.array(dates, pa.date32())
        else:
            crawled = pa.nulls(nrows, pa.date32())
        drop, one_row_per_url = _repeats_to_drop(canon, cols["linking_page"], crawled)
        if drop:
            notes.append(merged_note(len(drop)))
        empty = pc.indices_nonzero(pc.equal(canon, arrow.scalar(""))).to_pylist()
        if empty:
            notes.append(f"{len(empty)} empty rows left out")
            drop = sorted(set(drop) | set(empty))
        table = arrow.table(
            {"linking_url": canon, "linking_domain": domain_job.result(), "last_crawled": crawled, "host": host}
        )
        table = _without_rows(table, drop)
        bad = table.column("host").null_count  # no host: not a web URL
        table = table.drop_columns(["host"])  # the store keeps the domain; the URL holds the host
        if bad:
            notes.append(f"{bad} rows are not http(s) URLs (kept as text)")
        if kind_key == "internal_linking_pages" and nrows and inside_share < 0.5:
            raise ExportError(
                raw.display,
                f"is a 'Your pages linking to this page' export, but most of its pages are not in {prop.site}; check --site",
            )
    elif kind.table == K.TARGET_PAGES:
        canon, _ = urls.canonical_url_array(cols["target_page"])
        label = "Internal links" if kind_key == "internal_target_pages" else "Incoming links"
        incoming: list[int | None]
        sites: list[int | None]
        internal: list[int | None]
        if kind_key == "internal_target_pages":
            internal = _counts(raw.display, label, cols["internal_links"].to_pylist())
            incoming, sites = [None] * nrows, [None] * nrows
        else:
            incoming = _counts(raw.display, "Incoming links", cols["incoming_links"].to_pylist())
            sites = _counts(raw.display, "Linking sites", cols["linking_sites"].to_pylist())
            internal = [None] * nrows
        table = arrow.table(
            {
                "target_url": canon,
                "incoming_links": arrow.array(incoming, pa.int64()),
                "linking_sites": arrow.array(sites, pa.int64()),
                "internal_links": arrow.array(internal, pa.int64()),
            }
        )
        targets = canon.to_pylist()
        outside = [t for t in targets if t and not prop.contains(t)]
        if outside and len(outside) > 0.5 * len(targets):
            raise ExportError(
                raw.display,
                f"its target pages ({shown_text(urls.display_url(outside[0]), 60)}, …) are not in property "
                f"{prop.site}; check --site",
            )
        if outside:
            notes.append(f"{len(outside)} target pages are outside {prop.site}")
    elif kind.table == K.LINKING_SITES:
        site_text = pc.utf8_lower(pc.utf8_trim_whitespace(cols["site"])).to_pylist()
        hosts = [urls.host_of(urls.canonical_url(s, default_scheme="https")) or s for s in site_text]
        if "links" in cols:  # `Site,Links`: a site's links to the page, i.e. its linking pages (see kinds)
            linking_pages = _counts(raw.display, "Links", cols["links"].to_pylist())
        else:
            linking_pages = _counts(raw.display, "Linking pages", cols["linking_pages"].to_pylist())
        target_pages = (
            _counts(raw.display, "Target pages", cols["target_pages"].to_pylist())
            if "target_pages" in cols
            else [None] * nrows
        )
        table = arrow.table(
            {
                "site": arrow.array(site_text, pa.string()),
                "linking_domain": arrow.array([urls.registrable_domain(h) for h in hosts], pa.string()),
                "linking_pages": arrow.array(linking_pages, pa.int64()),
                "target_pages": arrow.array(target_pages, pa.int64()),
            }
        )
        table = table.filter(pc.invert(pc.equal(table.column("site"), arrow.scalar(""))))
    else:  # LINKING_TEXT
        texts = cols["link_text"].to_pylist()
        if "rank" in cols:
            ranks = _counts(raw.display, "Rank", cols["rank"].to_pylist())
            counts: list[int | None] = [None] * nrows
        else:
            ranks = list(range(1, nrows + 1))
            counts = _counts(raw.display, "Count", cols["link_count"].to_pylist())
        table = arrow.table(
            {
                "rank": arrow.array([r if r is not None else i + 1 for i, r in enumerate(ranks)], pa.int64()),
                "anchor_text": arrow.array(texts, pa.string()),
                "link_count": arrow.array(counts, pa.int64()),
            }
        )
    return ParsedExport(
        source=raw.display,
        filename=raw.filename,
        kind=kind_key,
        language=match.language,
        table=table,
        file_rows=nrows,
        content_hash=raw.content_hash,
        snapshot_date=snapshot_date,
        date_source=date_source,
        target_url=target_url,
        notes=notes,
        one_row_per_url=one_row_per_url,
    )
