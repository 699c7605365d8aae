"""Third-party backlink exports in the shapes the tools (and spreadsheets) write them.

Headers are the real ones (gsc-facts.md 1.7 and the README's evidence table);
the rows are made up.  Every writer returns the bytes; ``vendor_file`` writes them.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

AHREFS_BACKLINKS = ["Referring page title", "Referring page URL", "Language", "Platform", "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains", "Linked domains", "External links", "Page traffic", "Keywords", "Target URL", "Left context", "Anchor", "Right context", "Redirect Chain URLs", "Redirect Chain status codes", "Type", "Is spam", "Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen", "Last seen", "Lost", "Author", "Page type", "Page category", "Links in group"]

AHREFS_REFERRING_DOMAINS = [
    "Domain", "Is spam", "DR", "Dofollow ref. domains", "Dofollow linked domains", "Traffic ", "Keywords ",
    "Links to target", "New links", "Lost links", "Dofollow links", "First seen", "Lost",
]

SEMRUSH_BACKLINKS = ["Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links", "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image", "Sitewide", "First seen", "Last seen", "New link", "Lost link"]

SEMRUSH_BACKLINKS_OLD = ["Page score", "Page trust score", "Source title", "Source url", "Target url", "Anchor", "External links", "Internal links", "Nofollow", "Frame", "Form", "Image", "Sitewide", "First seen", "Last seen"]

SEMRUSH_REFERRING_DOMAINS = ["Domain ascore", "Domain", "Backlinks", "IP", "Country", "First seen", "Last seen"]

MAJESTIC_BACKLINKS = ["Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "Source First Found Date", "FlagNoFollow", "FlagImageLink", "FlagRedirect", "FlagFrame", "FlagOldCrawl", "FlagAltText", "FlagMention", "SourceCitationFlow", "SourceTrustFlow", "TargetCitationFlow", "TargetTrustFlow", "SourceTopicalTrustFlow_Topic_0", "SourceTopicalTrustFlow_Value_0", "RefDomainTopicalTrustFlow_Topic_0", "RefDomainTopicalTrustFlow_Value_0"]

MOZ_INBOUND_LINKS = ["URL", "Title", "Anchor Text", "Spam Score", "Page Authority", "Domain Authority", "Number of Domains Linking to this Page", "Number of Domains Linking to Domain", "Origin", "Target URL", "Link Equity", "No Link Equity", "Only rel=nofollow", "Only follow", "301"]

#: Six lines before the header, as the importer that reads these files skips them (their text is made up).
MOZ_PREAMBLE = [
    ["Open Site Explorer Inbound Links report"],
    ["Target", "https://www.example.com/"],
    ["Link source", "Only external"],
    ["Link type", "All links"],
    ["Generated", "2026-09-01"],
    [],
]

BING_BACKLINKS = ["Source Url", "Anchor text", "Target Url"]


def table_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ",",
               line_end: str = "\n", quoting: int = csv.QUOTE_MINIMAL, before: Sequence[Sequence[str]] = ()) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=line_end, quoting=quoting)
    for line in before:
        writer.writerow(line)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def utf8_csv(header, rows, *, bom: bool = False, line_end: str = "\n", quoting: int = csv.QUOTE_MINIMAL,
             before: Sequence[Sequence[str]] = ()) -> bytes:
    text = table_text(header, rows, line_end=line_end, quoting=quoting, before=before)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def for_excel(header, rows) -> bytes:
    """Ahrefs' "for Excel" form: UTF-16LE with a BOM, tab-separated, every cell quoted."""
    text = table_text(header, rows, delimiter="\t", quoting=csv.QUOTE_ALL)
    return b"\xff\xfe" + text.encode("utf-16-le")


def sheets_resaved(header, rows) -> bytes:
    """A file opened in Google Sheets and downloaded as CSV: a leading "#" column of row numbers, CRLF."""
    numbered = [[i, *row] for i, row in enumerate(rows, start=1)]
    return table_text(["#", *header], numbered, line_end="\r\n").encode("utf-8")


def row_of(header: Sequence[str], **values: object) -> list[object]:
    """A row for ``header`` with the named columns set (spaces and dots in names as underscores)."""
    def key(name: str) -> str:
        return name.strip().lower().replace(" ", "_").replace(".", "").replace("=", "_")

    wanted = {k.lower(): v for k, v in values.items()}
    unknown = set(wanted) - {key(h) for h in header}
    assert not unknown, f"no such columns: {unknown}"
    return [wanted.get(key(h), "") for h in header]


def vendor_file(folder: os.PathLike | str, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
