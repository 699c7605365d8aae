"""`authority load|refresh|status` and `brand` (what the link value score is built from); `store check|backup|compact`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..dates import pacific_text
from ..text import printable  # stdlib only: keeps --help fast
from . import FORMATS, State, cli, site_option
from .output import dumps, emit_data, rows_to_csv


class _BytesBar:
    """A progress bar over the bytes of a rank file, on stderr, only on a terminal."""

    def __init__(self, state: State, label: str):
        self.enabled = state.wants_progress
        self.state, self.label = state, label
        self.progress: Any = None  #: a rich Progress, made on the first call (rich is imported only then)
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(TextColumn(self.label), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                                     console=self.state.console(err=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("read", total=total)
        self.progress.update(self.task, completed=done)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@cli.group()
def authority() -> None:
    """Authority of linking domains, from a free web-graph rank file you download.

    \b
    Files it reads (detected from their first line):
      Common Crawl domain ranks  cc-main-<release>-domain-ranks.txt.gz
                                 (https://data.commoncrawl.org/projects/hyperlinkgraph/)
      Tranco list                top-1m.csv or tranco_<ID>.csv[.zip] (https://tranco-list.eu/)
      Majestic Million           majestic_million.csv (https://majestic.com/reports/majestic-million)
    """


@authority.command("load")
@click.argument("path", metavar="FILE")
@click.option("--release", metavar="TEXT", help="Name of this edition (default: from the file name, else its date).")
@click.option("--replace", is_flag=True, help="Use this file even if it is an older release than the one loaded.")
@click.pass_obj
def authority_load(state: State, path: str, release: str | None, replace: bool) -> None:
    """Read a rank file once and keep the ranks of every domain linking to your properties.

    The file is streamed (a multi-GB Common Crawl file needs no more memory than
    a small one). The newest release of each kind is kept: a file older than the
    one loaded of its kind is not read unless --replace (the release comes from
    the file name, else the file's date). Until the whole file is read, the
    store is left as it was.
    """
    from ..jobs.authority import load

    bar = _BytesBar(state, "Reading")
    try:
        result = load(state.store_path, path, release=release, replace=replace, progress=bar)
    finally:
        bar.stop()
    if not result.loaded:
        click.echo(printable(result.choice))  # not an error: the newer release is kept
        return
    if not state.quiet:
        # --release is the user's text and reaches the terminal as is: no escapes, one line.
        replaced = f" ({printable(result.choice)})" if "in place of" in result.choice else ""
        click.echo(f"{result.label}, {printable(result.release)} ({result.list_size:,} domains): "
                   f"{result.ranked:,} of {result.looked_up:,} linking domains ranked; "
                   f"the other {result.looked_up - result.ranked:,} show authority \"unknown\".{replaced}")


@authority.command("refresh")
@click.pass_obj
def authority_refresh(state: State) -> None:
    """Look up linking domains that appeared since the rank files were loaded (reads each file again)."""
    from ..jobs.authority import refresh

    bar = _BytesBar(state, "Reading")
    try:
        results = refresh(state.store_path, progress=bar)
    finally:
        bar.stop()
    failed = False
    for r in results:
        if r.problem:
            failed = True
            click.echo(f"Error: {r.label}, {printable(r.release)}: {r.new_domains:,} new linking domains not looked up: "
                       f"{printable(r.problem)}", err=True)  # the problem names the file
        elif not state.quiet:
            click.echo(f"{r.label}, {printable(r.release)}: {r.new_domains:,} new linking domains, "
                       f"{r.ranked:,} of them ranked.")
    if failed:
        sys.exit(65)


STATUS_COLUMNS = ("source", "release", "file", "list_size", "ranked", "looked_up", "not_looked_up", "loaded_at")


@authority.command("status")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def authority_status(state: State, fmt: str) -> None:
    """The rank files loaded, and how many linking domains each ranks."""
    from ..jobs.authority import status

    found = status(state.store_path)
    known = found.linking_domains
    rows: list[dict[str, Any]] = [
        {"source": f.source, "release": f.release, "file": f.file, "list_size": f.list_size, "ranked": f.ranked,
         "looked_up": f.looked_up, "not_looked_up": f.not_looked_up,
         "loaded_at": f.loaded_at.isoformat(timespec="seconds") + "Z"} for f in found.files]
    if fmt == "json":
        emit_data(dumps({"linking_domains": known, "rank_files": rows}))
        return
    if fmt == "csv":  # through csv_cell: --release text is the user's
        emit_data(rows_to_csv(rows, STATUS_COLUMNS))
        return
    if not rows:
        click.echo("No rank file loaded. Download one (see gsc-backlinks authority --help) and run: "
                   "gsc-backlinks authority load FILE")
        return
    for r, f in zip(rows, found.files):
        # File names and --release text are the user's, and could hold terminal escapes or newlines.
        line = (f"{r['source']}, {printable(r['release'])} ({printable(r['file'])}, {r['list_size']:,} domains): "
                f"{r['ranked']:,} of {r['looked_up']:,} linking domains ranked")
        if r["not_looked_up"]:
            line += f"; {r['not_looked_up']:,} newer ones not looked up (gsc-backlinks authority refresh)"
        click.echo(line + f"; loaded {pacific_text(f.loaded_at)}")


# --- brand terms ---------------------------------------------------------------------------------


@cli.command("brand")
@site_option
@click.option("--add", "add", multiple=True, metavar="TERM", help="A brand term to add (repeatable).")
@click.option("--remove", "remove", multiple=True, metavar="TERM", help="A brand term to remove (repeatable).")
@click.pass_obj
def brand(state: State, site: str, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Show or change a property's brand terms (anchor texts with them count as branded).

    Terms from the property's own domain name are always used; add your
    company's and products' names here. Matching ignores case and punctuation,
    as Search Console writes anchor text.
    """
    from ..jobs.brand import brand as change

    site, terms = change(state.store_path, site, add, remove)
    click.echo(f"Brand terms of {site}: " + ", ".join(terms))


# --- the store itself ----------------------------------------------------------------------------


@cli.group("store")
def store_group() -> None:
    """Check the store, copy it, give back unused space."""


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@store_group.command("check")
@click.pass_obj
def store_check(state: State) -> None:
    """Read every block of the store (DuckDB checks each one's checksum) and say whether it is healthy."""
    from ..errors import StoreError
    from ..jobs.store import check
    from ..store.health import WAYS_OUT

    result = check(state.store_path)
    if result.damaged:
        tables = "; ".join(f"table {t} cannot be read ({printable(p)})" for t, p in result.damaged)
        raise StoreError(f"store {result.path} is damaged: {tables}; {WAYS_OUT.split('; gsc-backlinks store check')[0]}")
    size = result.size
    unused = (f", {_mb(size.free_bytes)} of it unused (gsc-backlinks store compact gives it back)"
              if size.free_bytes >= 1_000_000 else "")
    click.echo(f"Store {result.path} is healthy: {result.tables} tables, {result.rows:,} rows, every block read "
               f"and checked; {_mb(size.file_bytes)} on disk{unused}.")


@store_group.command("backup")
@click.argument("target", metavar="PATH")
@click.pass_obj
def store_backup(state: State, target: str) -> None:
    """Copy the store to a new file PATH, consistently (no other command writes while it copies)."""
    from ..jobs.store import backup

    result = backup(state.store_path, Path(target))
    state.say(f"Backed up {result.source} to {result.target}: {result.tables} tables, {result.rows:,} rows, "
              f"{_mb(result.bytes_after)}.")


@store_group.command("compact")
@click.pass_obj
def store_compact(state: State) -> None:
    """Rewrite the store without the unused space an interrupted write leaves behind."""
    from ..jobs.store import compact

    result = compact(state.store_path)
    state.say(f"Compacted {result.source}: {_mb(result.bytes_before)} -> {_mb(result.bytes_after)} "
              f"({result.tables} tables, {result.rows:,} rows, all checked).")
