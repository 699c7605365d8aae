"""Print summaries for people (rich tables) and for pipes (CSV, JSON).

Everything shown here can come from strangers' web pages: terminal output has
control characters replaced (no escape-sequence injection), rich markup is
never interpreted, and CSV cells that a spreadsheet would run as a formula are
neutralized.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import PurePath

import click

from .. import urls
from ..text import UNKNOWN, json_safe, printable, shorten, terminal_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def emit_data(text: str) -> None:
    """CSV or JSON on standard output: byte-exact data into a pipe or a file; on a terminal, with the
    control characters a stranger's text could carry (escape sequences, bidi overrides) made harmless."""
    if sys.stdout.isatty():
        text = terminal_safe(text)
    click.echo(text, nl=False, color=True)  # color=True: click would strip ANSI from piped data otherwise


def dumps(doc) -> str:
    """The JSON the commands print: UTF-8 text, C1 and bidi controls escaped (see ``text.json_safe``)."""
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"


def csv_cell(value) -> str:
    """A CSV cell that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = " | ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def rows_to_csv(rows, keys) -> str:
    """CSV text of dict rows: a header of ``keys``, then each row's cells through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([csv_cell(row.get(k)) for k in keys])
    return out.getvalue()


def to_csv(summary) -> str:
    return rows_to_csv(summary.rows, [c.key for c in summary.columns if not c.json_only])


def to_json(summary) -> str:
    doc = {
        "summary": summary.name,
        "property": summary.site,
        "basis": summary.basis,
        "sources": list(summary.sources),
        "notes": list(summary.notes),
        "total_rows": summary.total_rows,
        "rows": [{c.key: row.get(c.key) for c in summary.columns} for row in summary.rows],
    }
    return dumps(doc)


def _cell(value, column) -> str:
    if value is None:
        return UNKNOWN
    if column.numeric and isinstance(value, (int, float)):
        return f"{value:,}"
    text = str(value)
    if column.path:
        text = PurePath(text).name or text  # tables show a file's name, JSON its path
    if column.site_path and urls.is_web_url(text):
        from ..analysis.week import own_path

        return printable(own_path(text))  # tables only: CSV and JSON keep full URLs
    if column.url and urls.is_web_url(text):
        text = urls.display_url(text)
        if text.startswith("https://"):
            text = text[len("https://"):]  # tables only: CSV and JSON keep full URLs
    return printable(text)


#: The narrowest a shortened column gets: a URL (shortened in the middle) and other text (cut at its end).
_URL_FLOOR, _TEXT_FLOOR = 10, 8


def _fit(columns: list, widths: list[int], width: int) -> tuple[list[int], dict[int, int]]:
    """Which columns a terminal `width` wide shows (indexes), and the width each shortened one gets.

    Numbers and dates keep their width; URLs, paths and text shorten, the widest first; when even that is too
    wide, the columns marked `narrow_drop` are left out, the highest mark first, then the rightmost."""
    keep = list(range(len(columns)))

    def floor(i: int) -> int:
        c = columns[i]
        if c.numeric or widths[i] <= 10:  # numbers, dates and short words stay whole
            return widths[i]
        return min(widths[i], max(_URL_FLOOR if c.url or c.path or c.site_path else _TEXT_FLOOR, len(c.header)))

    while len(keep) > 2 and sum(floor(i) + 3 for i in keep) + 1 > width:
        drop = max(keep[2:], key=lambda i: (columns[i].narrow_drop, i))
        keep.remove(drop)
    limit = {i: widths[i] for i in keep if floor(i) < widths[i]}
    room = width - sum(widths[i] + 3 for i in keep if i not in limit) - 3 * len(limit) - 1
    # URLs and paths shorten first (both their ends still tell), other text only when that is not enough; the
    # widest first.
    for phase in ({i for i in limit if columns[i].url or columns[i].path or columns[i].site_path}, set(limit)):
        while sum(limit.values()) > room:
            over = [i for i in phase if limit[i] > floor(i)]
            if not over:
                break
            limit[max(over, key=lambda i: (limit[i], -i))] -= 1
    return keep, {i: w for i, w in limit.items() if w < widths[i]}


def print_table(summary, console) -> None:
    """A rich table that fits the terminal: URLs shortened in the middle and text at its end, not wrapped; on a
    narrow terminal the least needed columns are left out (CSV and JSON have them all)."""
    from rich.table import Table
    from rich.text import Text

    from ..report.model import shown  # here, not at the top: --help never needs the report's model

    columns = [c for c in shown(summary.columns)
               if not (c.optional and all(row.get(c.key) is None for row in summary.rows))]
    cells = [[_cell(row.get(c.key), c) for c in columns] for row in summary.rows]
    widths = [max([len(c.header)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    keep, limit = _fit(columns, widths, console.width)
    left_out = [columns[i].header for i in range(len(columns)) if i not in keep]
    console.print(Text(f"{summary.title} — {summary.site}", style="bold"))
    table = Table()
    for i in keep:
        column = columns[i]
        table.add_column(Text(column.header),
                         justify="right" if column.numeric else "left", no_wrap=True,
                         min_width=limit.get(i, widths[i]), max_width=limit.get(i, widths[i]))
    for row in cells:
        table.add_row(*(Text(_short(row[i], limit[i], columns[i]) if i in limit else row[i]) for i in keep))
    console.print(table)
    lines = []
    if left_out:
        lines.append(f"Left out at this terminal width: {', '.join(left_out)} (widen it, or --format csv/json).")
    for source in summary.sources:
        name = PurePath(source["file"]).name
        lines.append(f"From: {source['label']} of {source['snapshot_date']} ({name})")
    count = len(summary.rows)
    if summary.total_rows > count:
        lines.append(f"Showing {count:,} of {summary.total_rows:,} rows (--top N for more, --top 0 for all).")
    lines.extend(summary.notes)
    for line in lines:
        console.print(Text(printable(line), style="dim"))


def _short(text: str, width: int, column) -> str:
    """A cell cut to `width`: a URL or path in the middle (both ends tell), other text at its end."""
    if column.url or column.path or column.site_path:
        return shorten(text, width)
    return text if len(text) <= width else text[:max(width - 1, 1)] + "…"
