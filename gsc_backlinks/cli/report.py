"""`report weekly`: the main job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import UsageError
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
    from ..jobs.weekly import run_weekly

    period = iso_week(week) if week else None
    run = run_weekly(state.store_path, site, Path(out_dir), now=_now(now_text), week=period, exports_dir=exports_dir,
                     offline=offline, brands=tuple(brands), say=state.say, warn=state.warn)
    result = run.result
    for line in result.notices:
        click.echo(f"Note: {line}", err=True)
    state.say(f"Weekly report for {run.site}, {result.period.iso()} (Pacific Time), {result.pages} pages:")
    click.echo(str(result.index))
    if open_:
        _open_in_browser(result.index)
