"""`report weekly --all`: every configured property in one run, then the portfolio page.

For each property, in the configuration file's order:

1. its new exports are imported (one after another: each import writes the store);
2. its search data is synced and its due links are checked — the network
   part: syncs of several properties run at once, in threads, and the link
   checks of all properties run one after another in a thread of their own
   beside them, sharing each host's politeness delay (a host linking to two
   properties is not asked sooner than one check alone would ask it);
3. its weekly report is written as soon as its network part is done, then it
   is mailed.

The store is written by one session at a time (``store.session``).  One
property's failure (Google refuses, a broken export, nothing held) is kept on
its row and said at once; the others go on.  The portfolio page is written at
the end, with every property, failed ones included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import Period, to_pacific
from ..errors import GscBacklinksError, NoDataError
from ..text import printable
from ..urls import parse_property

if TYPE_CHECKING:
    from ..checker import CheckSettings
    from ..config import Config, PropertyConfig
    from ..mail import Mailer
    from ..report.portfolio import PropertyRow
    from .check import CheckReport
    from .mailing import MailOutcome
    from .weekly import SyncOutcome, WeeklyResult

SYNC_AT_ONCE = 4  #: properties synced at the same time (each sync runs its own few request threads)
CHECK_LIMIT = 1000  #: linking pages checked per property and run (most useful first; the rest next time)


def _quiet(text: str) -> None:
    """The default for progress lines: say nothing."""


@dataclass(frozen=True)
class PortfolioOptions:
    """What a run over every property does; None: as the configuration file says."""

    now: dt.datetime
    week: Period | None = None
    offline: bool = False
    check: bool = True  #: check the due linking pages (never with offline)
    check_limit: int | None = CHECK_LIMIT
    check_settings: CheckSettings | None = None
    exports: str | None = None  #: instead of each property's exports folder
    out: Path | None = None  #: instead of each property's reports folder (and the portfolio page's)
    mail_to: tuple[str, ...] | None = None  #: instead of each property's recipients
    report_url: str | None = None
    alert: bool = False
    alert_drop: int | None = None
    sync_at_once: int = SYNC_AT_ONCE


@dataclass
class PropertyRun:
    """What happened to one property in the run."""

    prop: PropertyConfig
    row: PropertyRow
    index: Path | None = None  #: its weekly report (None: not written)
    problems: list[str] = field(default_factory=list)
    mail: MailOutcome | None = None
    mail_error: str | None = None  #: why it was not mailed (the report is written)
    checked: int = 0  #: linking pages checked
    result: WeeklyResult | None = None  #: kept only until it is mailed

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass
class PortfolioRun:
    properties: list[PropertyRun]
    page: Path  #: the portfolio page
    mail_problem: str | None = None  #: why mail stopped (the server could not be reached, or refused the login)

    @property
    def failed(self) -> list[PropertyRun]:
        return [p for p in self.properties if p.failed]

    @property
    def not_mailed(self) -> list[PropertyRun]:
        return [p for p in self.properties if p.mail_error]


def out_dir_of(prop: PropertyConfig, options: PortfolioOptions) -> Path:
    return Path(options.out).expanduser() if options.out else prop.out


def wants_mail(config: Config, options: PortfolioOptions) -> bool:
    """True when some property of the run is to be mailed (so SMTP settings are needed)."""
    if options.mail_to is not None:
        return bool(options.mail_to)
    return any(p.mail_to for p in config.properties)


def _register_competitors(store_path: Path, config: Config, *, problem_of: dict, problem) -> None:
    from ..dates import utc_now
    from ..exports.thirdparty import competitor_domain
    from ..store import open_store
    from ..store.vendors import add_competitors, competitors

    wanted = [(p, p.competitors) for p in config.properties if p.competitors]
    if not wanted:
        return
    try:
        with open_store(store_path, write=True) as con:
            for prop, names in wanted:
                site = parse_property(prop.site).site
                new = [d for d in (competitor_domain(n) for n in names) if d not in competitors(con, site)]
                if new:
                    add_competitors(con, site, new, utc_now())
    except GscBacklinksError as exc:
        for prop, _ in wanted:
            problem(problem_of[prop.name], f"competitors not stored: {printable(str(exc))}")


def run_portfolio(config: Config, store_path: Path, options: PortfolioOptions, *, mailer: Mailer | None = None,
                  say: Callable[[str], None] = _quiet, warn: Callable[[str], None] = _quiet,
                  verbose: Callable[[str], None] = _quiet) -> PortfolioRun:
    """Import, sync, check, report and mail every configured property; write the portfolio page.

    ``say`` gets progress lines, ``warn`` each property's problems as they happen, ``verbose`` what only
    -v shows (a mail not sent by --alert).
    """
    from ..report.portfolio import PropertyRow, write_portfolio
    from .weekly import import_step

    runs = [PropertyRun(p, PropertyRow(site=p.site, name=p.name)) for p in config.properties]
    notices: list[list[str]] = [[] for _ in runs]
    if options.offline:
        for n in notices:
            n.append("Built with --offline: search data is what the store held, not synced now.")

    def problem(run: PropertyRun, text: str) -> None:
        run.problems.append(text)
        warn(f"{printable(run.prop.name)}: {text}")

    # 0. The competitors the file names, kept with each property (links gap reads their exports).
    _register_competitors(store_path, config, problem_of={r.prop.name: r for r in runs}, problem=problem)

    # 1. New exports, one property after another.
    for run, notes in zip(runs, notices):
        folder = options.exports or run.prop.exports
        if not folder:
            continue
        said: list[str] = []
        try:
            scan = import_step(store_path, run.prop.site, folder, notes, say=said.append, warn=said.append)
        except GscBacklinksError as exc:
            problem(run, f"exports not imported: {printable(str(exc))}")
            continue
        say(f"{printable(run.prop.name)}: {len(scan.imported)} new exports imported, {scan.held} already held")
        for line in scan.problems:
            problem(run, f"an export could not be read: {line}")

    # 2. The network part, in threads; 3. each report as soon as its property's network part is done.
    mail_problem: str | None = None
    syncs: dict[int, Future] = {}
    checks: dict[int, Future] = {}
    online = not options.offline
    sync_pool = ThreadPoolExecutor(max_workers=max(1, options.sync_at_once), thread_name_prefix="gsc-all-sync")
    check_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gsc-all-check")
    try:
        if online:
            from .weekly import sync_for_report

            host_times: dict[str, float] = {}  # only the check thread touches it
            for i, run in enumerate(runs):
                syncs[i] = sync_pool.submit(sync_for_report, store_path, run.prop.site, options.now,
                                            run.prop.bigquery)
                if options.check:
                    checks[i] = check_pool.submit(_check_due, store_path, run.prop.site, options, host_times)
        for i, run in enumerate(runs):
            if i in syncs:
                outcome: SyncOutcome = syncs.pop(i).result()
                if outcome.plan:
                    say(f"{printable(run.prop.name)}: {outcome.plan}")
                if outcome.problem:
                    notices[i].append(outcome.problem)
                    problem(run, outcome.problem)
                elif outcome.report is not None:
                    from .weekly import synced_text

                    say(f"{printable(run.prop.name)}: {synced_text(run.prop.site, outcome.report)}")
            if i in checks:
                try:
                    report: CheckReport | None = checks.pop(i).result()
                except GscBacklinksError as exc:
                    problem(run, f"links not checked: {printable(str(exc))}")
                else:
                    if report is not None and report.linking is not None:
                        run.checked = report.linking.pages
                        say(f"{printable(run.prop.name)}: {report.linking.pages:,} linking pages checked")
            _write_report(run, store_path, options, notices[i], problem)
            if run.index is not None:
                say(f"{printable(run.prop.name)}: report {run.index}")
                if mailer is not None and mail_problem is None:
                    mail_problem = _mail(run, mailer, options, warn, say, verbose)
                elif mail_problem is not None and _recipients(run.prop, options):
                    run.mail_error = "not mailed: mail stopped after the server failed"
            run.result = None  # its weekly data (new and lost links) is not kept past its mail
    finally:
        sync_pool.shutdown(wait=True, cancel_futures=True)
        check_pool.shutdown(wait=True, cancel_futures=True)

    folder = Path(options.out).expanduser() if options.out else config.out
    page = write_portfolio([r.row for r in runs], folder, now=to_pacific(options.now))
    return PortfolioRun(runs, page, mail_problem)


def _check_due(store_path: Path, site: str, options: PortfolioOptions,
               host_times: dict[str, float]) -> CheckReport | None:
    """Check the property's linking pages that are due (None: the store holds nothing for it to check)."""
    from .check import check, plan

    try:
        todo = plan(store_path, site, limit=options.check_limit)
    except NoDataError:
        return None
    if not todo.linking and not todo.own:
        return None
    return check(store_path, site, todo, options.check_settings, host_times=host_times)


def _write_report(run: PropertyRun, store_path: Path, options: PortfolioOptions, notices: list[str],
                  problem: Callable[[PropertyRun, str], None]) -> None:
    from .common import resolve_property
    from .weekly import write_weekly

    prop = run.prop
    try:
        resolve_property(store_path, prop.site)
        result = write_weekly(store_path, prop.site, out_dir_of(prop, options), now=options.now, week=options.week,
                              notices=tuple(notices), brands=prop.brand)
    except GscBacklinksError as exc:
        problem(run, f"no report: {printable(str(exc))}")
        run.row = replace(run.row, problems=tuple(run.problems))
        return
    run.index = result.index
    row = result.row or run.row
    run.row = replace(row, name=prop.name, problems=tuple(run.problems))
    run.result = result


def _recipients(prop: PropertyConfig, options: PortfolioOptions) -> tuple[str, ...]:
    return tuple(options.mail_to if options.mail_to is not None else prop.mail_to)


def _mail(run: PropertyRun, mailer: Mailer, options: PortfolioOptions, warn: Callable[[str], None],
          say: Callable[[str], None], verbose: Callable[[str], None]) -> str | None:
    """Mail one property's report; the reason mail stops for the rest of the run, if it must."""
    from ..mail import MailServerError
    from .mailing import MailOptions, mail_report

    prop, result = run.prop, run.result
    to = _recipients(prop, options)
    if not to or result is None:
        return None
    mail_options = MailOptions(to, options.alert,
                               options.alert_drop if options.alert_drop is not None else prop.alert_drop,
                               options.report_url or prop.report_url)
    try:
        outcome = mail_report(mailer, result, name=prop.name, out_dir=out_dir_of(prop, options),
                              options=mail_options, now=options.now)
    except GscBacklinksError as exc:
        run.mail_error = f"not mailed: {exc}"
        warn(f"{printable(prop.name)}: {run.mail_error}")
        return str(exc) if isinstance(exc, MailServerError) else None
    run.mail = outcome
    if outcome.skipped:
        verbose(outcome.skipped)
    elif outcome.sent_to:
        say(f"{printable(prop.name)}: mailed to {', '.join(outcome.sent_to)}")
    if outcome.refused:
        run.mail_error = f"the mail server refused {', '.join(outcome.refused)} (the others got the report)"
        warn(f"{printable(prop.name)}: {run.mail_error}")
    return None
