"""`report weekly`: the main job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import UsageError
from ..text import printable
from . import State, _open_in_browser, cli, given, site_option


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
@site_option(required=False)
@click.option("--all", "all_", is_flag=True,
              help="Every property of the configuration file, then the portfolio page (OUT/index.html).")
@click.option("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2026-W47 (default: the latest 7 days of final data).")
@click.option("--exports", "exports_dir", metavar="DIR", envvar="GSC_BACKLINKS_EXPORTS", show_envvar=True,
              help="Import new Links exports of this property found in DIR (e.g. ~/Downloads) first.")
@click.option("--out", "out_dir", default="reports", show_default=True, envvar="GSC_BACKLINKS_OUT", show_envvar=True,
              metavar="DIR", help="Folder the report is written under: DIR/<property>/<end date>/index.html.")
@click.option("--offline", is_flag=True, envvar="GSC_BACKLINKS_OFFLINE", help="Use only what the store holds; do not sync.")
@click.option("--open", "open_", is_flag=True, help="Open the report (with --all: the portfolio page) in your browser.")
@click.option("--now", "now_text", metavar="DATETIME", envvar="GSC_BACKLINKS_NOW",
              help="Pretend it is this moment (ISO 8601): same store and --now give byte-identical files.")
@click.option("--brand", "brands", multiple=True, metavar="TERM",
              help="A brand term for anchor classes beyond the domain's and the stored ones (repeatable; "
                   "store them with gsc-backlinks brand --add).")
@click.option("--mail-to", "mail_to", multiple=True, metavar="ADDR",
              help="Mail the report to this address (repeatable; instead of the file's mail_to). SMTP settings: "
                   "GSC_BACKLINKS_SMTP_* in the environment.")
@click.option("--report-url", metavar="BASE", envvar="GSC_BACKLINKS_REPORT_URL",
              help="Where the --out folder is published (https://…): the mail links to the report there.")
@click.option("--alert", is_flag=True,
              help="Mail only when something mattered: a valuable link lost, a linked page gone, or linking domains "
                   "down by more than --alert-drop (for a daily cron).")
@click.option("--alert-drop", type=click.IntRange(min=0), metavar="N",
              help="With --alert: linking domains lost (net) that make an alert (default: the file's "
                   "alert_drop_domains, else 5).")
@click.option("--check/--no-check", "check", default=None,
              help="Check the linking pages that are due first (default: with --all when not --offline).")
@click.option("--check-limit", type=click.IntRange(min=1), default=1000, show_default=True, metavar="N",
              help="Linking pages checked per property and run (most useful first; the rest next time).")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="With --all: wait this long for another run on the same store to end (else say which run it is).")
@click.pass_context
def weekly(ctx: click.Context, site: str | None, all_: bool, week: str | None, exports_dir: str | None, out_dir: str,
           offline: bool, open_: bool, now_text: str | None, brands: tuple[str, ...], mail_to: tuple[str, ...],
           report_url: str | None, alert: bool, alert_drop: int | None, check: bool | None, check_limit: int,
           wait: float) -> None:
    """The weekly report: links, what changed, and how the linked pages do in search.

    Imports new exports (--exports), syncs the search data the report needs
    (unless --offline), then writes index.html and a drill-down page per
    linked page. Without Google authorization it uses what the store holds
    and says what is missing.

    With --all: every property of the configuration file (imports, syncs and
    link checks, reports, mail), then the portfolio page; one property's
    failure is said and the others go on (the exit code says whether any
    failed).
    """
    from ..config import check_address
    from ..dates import iso_week

    state: State = ctx.obj
    period = iso_week(week) if week else None
    now = _now(now_text)
    addresses = tuple(check_address(a) for a in mail_to)
    if report_url is not None and not report_url.startswith(("https://", "http://")):
        raise UsageError(f"--report-url {report_url!r}: give the http(s) address the --out folder is published at")
    if all_:
        if site or state.property:
            raise UsageError("give --all, or one property (--site / --property), not both")
        if brands:
            raise UsageError("--brand is per property: with --all, give each property's brand terms in the "
                             "configuration file (brand = [\"…\"])")
        _weekly_all(ctx, state, period, now, exports_dir, out_dir, offline, open_, addresses, report_url, alert,
                    alert_drop, check, check_limit, wait)
        return
    if not site:
        raise UsageError("give the property: --site SITE, --property NAME from the configuration file, or --all")
    _weekly_one(ctx, state, site, period, now, exports_dir, out_dir, offline, open_, brands, addresses, report_url,
                alert, alert_drop, check, check_limit)


ALERT_NEEDS_MAIL = ("--alert mails the report when something mattered: give --mail-to ADDR (or mail_to in the "
                    "configuration file)")


def _check_out(path: Path, what: str) -> None:
    """A report folder that is a file is refused before anything runs (else every report fails on it)."""
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"{what} {printable(str(path))}: not a folder (a file is there); give the folder the reports "
                         "are written under")


def _weekly_one(ctx, state: State, site: str, period, now, exports_dir, out_dir, offline, open_, brands, addresses,
                report_url, alert, alert_drop, check, check_limit) -> None:
    from ..config import DEFAULT_ALERT_DROP
    from ..jobs.mailing import MailOptions, mail_report, mail_settings_for
    from ..jobs.weekly import run_weekly
    from ..mail import Mailer

    prop = state.property  # --property: its settings, where the command line does not say otherwise
    out = Path(out_dir)
    if prop is not None:
        exports_dir = exports_dir if given(ctx, "exports_dir") else (str(prop.exports) if prop.exports else None)
        out = out if given(ctx, "out_dir") else prop.out
        brands = tuple(dict.fromkeys((*prop.brand, *brands)))
        addresses = addresses or prop.mail_to
        report_url = report_url or prop.report_url
    drop = alert_drop if alert_drop is not None else prop.alert_drop if prop else DEFAULT_ALERT_DROP
    _check_out(out, "--out" if prop is None or given(ctx, "out_dir") else f"the out of property {printable(prop.name)}")
    if alert and not addresses:
        raise UsageError(ALERT_NEEDS_MAIL)
    settings = mail_settings_for(bool(addresses))  # before anything runs: a wrong setting costs no sync
    mailer = Mailer(settings) if settings else None
    if check and not offline:
        _check_first(state, site, check_limit)
    run = run_weekly(state.store_path, site, out, now=now, week=period, exports_dir=exports_dir,
                     offline=offline, brands=tuple(brands), say=state.say, warn=state.warn,
                     bigquery=prop.bigquery if prop is not None else None)
    result = run.result
    if not state.quiet:  # what the report says about its own data; -q (cron) prints only errors
        for line in result.notices:
            click.echo(f"Note: {line}", err=True)
    state.say(f"Weekly report for {run.site}, {result.period.iso()} (Pacific Time), {result.pages} pages:")
    click.echo(str(result.index))
    if mailer is not None:
        with mailer:
            outcome = mail_report(mailer, result, name=prop.name if prop else run.site, out_dir=out,
                                  options=MailOptions(tuple(addresses), alert, drop, report_url), now=now)
        if outcome.skipped:
            if state.verbose:
                click.echo(outcome.skipped)
        else:
            state.say(f"Mailed to {', '.join(outcome.sent_to)}" + (f" (alert: {'; '.join(outcome.reasons)})"
                                                                    if outcome.reasons else ""))
        if outcome.refused:
            state.warn(f"The mail server refused {', '.join(outcome.refused)}; the others got the report.")
    if open_:
        _open_in_browser(result.index)


def _check_first(state: State, site: str, limit: int) -> None:
    from ..errors import NoDataError
    from ..jobs.check import check, plan

    try:
        todo = plan(state.store_path, site, limit=limit)
    except NoDataError:
        return
    if todo.linking or todo.own:
        report = check(state.store_path, site, todo)
        if report.linking:
            state.say(f"Checked {report.linking.pages:,} linking pages of {site}.")


def _weekly_all(ctx, state: State, period, now, exports_dir, out_dir, offline, open_, addresses, report_url, alert,
                alert_drop, check, check_limit, wait) -> None:
    from contextlib import nullcontext

    from ..errors import MailError, PropertiesFailed
    from ..jobs.lock import run_lock
    from ..jobs.mailing import mail_settings_for
    from ..jobs.portfolio import PortfolioOptions, run_portfolio, wants_mail
    from ..mail import Mailer

    config = state.require_config("--all")
    if not config.properties:
        raise UsageError(f"{config.path} has no [[property]]: nothing to run (gsc-backlinks config check lists it)")
    options = PortfolioOptions(
        now=now, week=period, offline=offline, check=check if check is not None else True, check_limit=check_limit,
        exports=exports_dir if given(ctx, "exports_dir") else None,
        out=Path(out_dir) if given(ctx, "out_dir") else None,
        mail_to=addresses or None, report_url=report_url, alert=alert, alert_drop=alert_drop)
    if options.out is not None:
        _check_out(options.out, "--out")
    else:
        _check_out(config.out, "the configuration file's out")
        for prop in config.properties:
            _check_out(prop.out, f"the out of property {printable(prop.name)}")
    if alert and not wants_mail(config, options):
        raise UsageError("--alert mails the reports when something mattered, and no property has recipients: give "
                         "--mail-to ADDR (or mail_to in the configuration file)")
    settings = mail_settings_for(wants_mail(config, options))
    mailer = Mailer(settings) if settings else None

    def verbose(line: str) -> None:
        if state.verbose:
            click.echo(line)

    with run_lock(state.store_path, wait=wait, command="report weekly --all"), (mailer or nullcontext()):
        run = run_portfolio(config, state.store_path, options, mailer=mailer, say=state.say, warn=state.warn,
                            verbose=verbose)
    done = len(run.properties) - len(run.failed)
    n = len(run.properties)
    state.say(f"Portfolio of {n} propert{'y' if n == 1 else 'ies'} ({done} without problems):")
    if not state.quiet:
        click.echo(str(run.page))
    if open_:
        _open_in_browser(run.page)
    if run.failed:
        names = ", ".join(printable(p.prop.name) for p in run.failed[:5]) + (" …" if len(run.failed) > 5 else "")
        mail = f"; mail: {run.mail_problem}" if run.mail_problem else ""
        raise PropertiesFailed(f"{len(run.failed)} of {len(run.properties)} properties had problems ({names}; each is "
                               f"said above and on the portfolio page){mail}; the other reports and the portfolio "
                               f"page are written")
    if run.not_mailed:
        first = run.mail_problem or run.not_mailed[0].mail_error or "not mailed"
        raise MailError(f"{len(run.not_mailed)} of {len(run.properties)} reports were not mailed: {first}; "
                        "the reports and the portfolio page are written")
