"""Helpers that write Search Console Links exports in the forms users really have.

A plain module (not a conftest) so that any test file can import it after
putting ``tests/`` on ``sys.path``::

    sys.path.insert(0, str(Path(__file__).parent))
    from exportfiles import write_csv, write_xlsx, write_zip

Every writer returns the path it wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Exact English header rows of the Links exports (as real exports have them; see the README's export table).
HEADERS = {
    "sample_links": ["Linking page"],
    "latest_links": ["Linking page", "Last crawled"],
    "top_target_pages": ["Target page", "Incoming links", "Linking sites"],
    "internal_target_pages": ["Target page", "Internal links"],
    "top_linking_sites": ["Site", "Linking pages", "Target pages"],
    "top_linking_text": ["Rank", "Link text"],
    "target_linking_sites": ["Site", "Linking pages"],
    "internal_linking_pages": ["Linking page"],
}

#: "Top sites linking to this page" as a real French export has it (`Site,Liens`), in English.
HEADERS_SITE_LINKS = ["Site", "Links"]

#: Report titles as they appear in downloaded file names.
TITLES = {
    "sample_links": "More sample links",
    "latest_links": "Latest links",
    "top_target_pages": "Top target pages",
    "internal_target_pages": "Top target pages",
    "top_linking_sites": "Top linking sites",
    "top_linking_text": "Top linking text",
    "target_linking_sites": "Top sites linking to this page",
    "internal_linking_pages": "Your pages linking to this page",
}

SITE = "https://www.example.com/"
SLUG = "https___www.example.com_"


def gsc_name(title: str, date: str = "2026-05-18", *, slug: str = SLUG, copy: int | None = None,
             ext: str = "csv") -> str:
    """A file name as the browser saves a Search Console export."""
    suffix = f" ({copy})" if copy else ""
    return f"{slug}-{title}-{date}{suffix}.{ext}"


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, encoding: str = "utf-8",
              delimiter: str = ",", bom: bool = False, line_end: str = "\n",
              quoting: int = csv.QUOTE_MINIMAL, final_newline: bool = True) -> bytes:
    """CSV text in the given encoding; ``bom`` prepends the encoding's byte-order mark.

    ``final_newline=False`` writes what Search Console really writes: no line end after the last
    row (an empty table is then the header alone, with no newline at all).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=line_end, quoting=quoting)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    text = buf.getvalue()
    if not final_newline:
        text = text[: -len(line_end)]
    if bom:
        boms = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
        return boms[encoding.lower()] + text.encode(encoding)
    return text.encode(encoding)


def write_csv(path: os.PathLike | str, header: Sequence[str], rows: Iterable[Sequence[object]],
              encoding: str = "utf-8", delimiter: str = ",", bom: bool = False, *,
              line_end: str = "\n", quoting: int = csv.QUOTE_MINIMAL, final_newline: bool = True,
              mtime: dt.datetime | float | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(header, rows, encoding=encoding, delimiter=delimiter, bom=bom,
                               line_end=line_end, quoting=quoting, final_newline=final_newline))
    if mtime is not None:
        set_mtime(path, mtime)
    return path


def write_bytes(path: os.PathLike | str, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def set_mtime(path: os.PathLike | str, when: dt.datetime | float) -> None:
    stamp = when.timestamp() if isinstance(when, dt.datetime) else float(when)
    os.utime(path, (stamp, stamp))


def xlsx_bytes(header: Sequence[str] | None = None, rows: Iterable[Sequence[object]] = (), *,
               sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] | None = None) -> bytes:
    """An .xlsx workbook (openpyxl).  ``sheets`` = [(title, [row, ...]), ...] overrides header/rows."""
    from openpyxl import Workbook

    if sheets is None:
        sheets = [("Table", [list(header or []), *[list(r) for r in rows]])]
    wb = Workbook()
    first = True
    for title, sheet_rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        first = False
        for row in sheet_rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: os.PathLike | str, header: Sequence[str] | None = None,
               rows: Iterable[Sequence[object]] = (), *,
               sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] | None = None) -> Path:
    return write_bytes(path, xlsx_bytes(header, rows, sheets=sheets))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def write_zip(path: os.PathLike | str, members: dict[str, bytes]) -> Path:
    return write_bytes(path, zip_bytes(members))
