"""`report weekly`: the main job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import GscBacklinksError, UsageError
from ..urls import printable
from . import State, _open_in_browser, cli, site_option


@cli.group()
def report() -> None:
    """Build HTML reports."""


def _now(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO date-time; write it like 2026-11-24T08:00:00-08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@report.command("weekly")
@site_option
@click.option("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2026-W47 (default: the latest 7 days of final data).")
@click.option("--exports", "exports_dir", metavar="DIR", envvar="GSC_BACKLINKS_EXPORTS", show_envvar=True,
              help="Import new Links exports of this property found in DIR (e.g. ~/Downloads) first.")
@click.option("--out", "out_dir", default="reports", show_default=True, envvar="GSC_BACKLINKS_OUT", show_envvar=True,
              metavar="DIR", help="Folder the report is written under: DIR/<property>/<end date>/index.html.")
@click.option("--offline", is_flag=True, envvar="GSC_BACKLINKS_OFFLINE", help="Use only what the store holds; do not sync.")
@click.option("--open", "open_", is_flag=True, help="Open the report in your browser.")
@click.option("--now", "now_text", metavar="DATETIME", envvar="GSC_BACKLINKS_NOW",
              help="Pretend it is this moment (ISO 8601): same store and --now give byte-identical files.")
@click.option("--brand", "brands", multiple=True, metavar="TERM",
              help="A brand term for anchor classes beyond the domain's and the stored ones (repeatable; "
                   "store them with gsc-backlinks brand --add).")
@click.pass_obj
def weekly(state: State, site: str, week: str | None, exports_dir: str | None, out_dir: str, offline: bool,
           open_: bool, now_text: str | None, brands: tuple[str, ...]) -> None:
    """The weekly report: links, what changed, and how the linked pages do in search.

    Imports new exports (--exports), syncs the search data the report needs
    (unless --offline), then writes index.html and a drill-down page per
    linked page. Without Google authorization it uses what the store holds
    and says what is missing.
    """
    from ..dates import iso_week
    from ..urls import parse_property
    from ..weekly import import_new_exports, write_weekly

    prop = parse_property(site)
    period = iso_week(week) if week else None
    now = _now(now_text)
    notices: list[str] = []

    def say(text: str) -> None:
        if not state.quiet:
            click.echo(text)

    if exports_dir:
        scan = import_new_exports(exports_dir, prop.site, state.store_path)
        say(f"Exports in {printable(str(exports_dir))}: {len(scan.imported)} new imported, {scan.held} already held"
            + (f", {scan.other_property} of other properties left alone" if scan.other_property else ""))
        for r in scan.imported:
            say(f"  + {printable(r.source)} ({r.rows:,} rows, {r.snapshot_date})")
        for name in scan.needs_target:
            click.echo(f"  skipped {printable(name)}: a drill-down export; import it with "
                       f"`gsc-backlinks import FILE --site {prop.site} --target URL`", err=True)
        for line in scan.problems:
            click.echo(f"  skipped: {line}", err=True)
            notices.append(f"An export in the exports folder could not be read: {line}")

    if offline:
        notices.append("Built with --offline: search data is what the store held, not synced now.")
    else:
        notices += _sync(state, prop.site, now)

    _check_held(state, prop.site)  # after import and sync: a typo in --site writes no empty report
    result = write_weekly(state.store_path, prop.site, Path(out_dir), now=now, week=period, notices=tuple(notices),
                          brands=tuple(brands))
    for line in result.notices:
        click.echo(f"Note: {line}", err=True)
    say(f"Weekly report for {prop.site}, {result.period.iso()} (Pacific Time), {result.pages} pages:")
    click.echo(str(result.index))
    if open_:
        _open_in_browser(result.index)


def _check_held(state: State, site: str) -> None:
    """A property the store holds nothing for is a typo more often than not: say so, with close matches."""
    from ..store import open_store
    from . import _check_site

    with open_store(state.store_path) as con:
        _check_site(con, site)


def _sync(state: State, site: str, now: dt.datetime) -> list[str]:
    """Sync the days the report needs; on any problem say it, and go on with the store."""
    from .. import auth as A
    from ..dates import to_pacific
    from ..sync import sync
    from ..weekly import SYNC_DAYS
    from .google import google_api

    if A.saved() is None:  # the token file or GOOGLE_APPLICATION_CREDENTIALS: say it the cron-friendly way
        line = ("Search data not synced: not authorized with Google (run `gsc-backlinks auth login`); "
                "the report uses what the store holds.")
        click.echo(line, err=True)
        return [line]
    try:
        with google_api(site) as (api, _):
            rep = sync(api, state.store_path, site, days=SYNC_DAYS, today=to_pacific(now).date())
    except GscBacklinksError as exc:
        line = f"Search data not synced: {printable(str(exc))}. The report uses what the store holds."
        click.echo(line, err=True)
        return [line]
    if not state.quiet:
        click.echo(f"Synced {site}: {rep.final_days + rep.fresh_days} days fetched, {rep.already_final} already final"
                   + (f", newest final day {rep.newest_final}" if rep.newest_final else ""))
    return []
