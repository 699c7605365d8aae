"""`check`: fetch the linking pages, politely, and learn what each link is; `links checks` lists the results."""

from __future__ import annotations

import time

import click

from ..text import printable
from . import FORMATS, State, cli, site_option
from . import links as links_group


class _CheckBar:
    """Pages done, pages per second, hosts waiting on politeness: on stderr, only on a terminal, never with -q."""

    def __init__(self, state: State, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                                 console=state.console(err=True), transient=True)
        self.task = self.progress.add_task("pages", total=total, rate="")
        self.progress.start()

    def __call__(self, p) -> None:
        self.progress.update(self.task, completed=p.pages_done,
                             rate=f"{p.pages_per_second:,.1f} pages/s, {p.hosts_waiting} hosts waiting")

    def stop(self) -> None:
        self.progress.stop()


@cli.command("check")
@site_option
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Check at most N linking pages: never checked first, then the longest ago; higher authority first.")
@click.option("--older-than", type=click.FloatRange(min=0), default=7, show_default=True, metavar="DAYS",
              help="Skip pages checked less than this many days ago.")
@click.option("--domain", metavar="D", help="Only linking pages of this domain or host.")
@click.option("--url", "pages", multiple=True, metavar="URL", help="Check this page (repeatable), whatever its age.")
@click.option("--concurrency", type=click.IntRange(1, 500), default=16, show_default=True,
              help="Requests in flight at once, across hosts (one per host at most).")
@click.option("--per-host-delay", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="SECONDS",
              help="Seconds between two requests to one host (a longer robots.txt Crawl-delay wins).")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True, metavar="SECONDS",
              help="Seconds a whole answer may take.")
@click.option("--user-agent", metavar="TEXT", help="The user agent sent (default: gsc-backlinks/VERSION (+project URL)).")
@click.option("--own-pages/--no-own-pages", default=True, show_default=True,
              help="Also check your own linked pages, to find links pointing at pages that are gone.")
@click.option("--competitors", is_flag=True,
              help="Also check the link gap's linking pages (competitors' links), so the gap's relevance reads "
                   "their text; --limit and --older-than apply to them separately. Never counted as your links.")
@click.pass_obj
def check_cmd(state: State, site, limit, older_than, domain, pages, concurrency, per_host_delay, timeout, user_agent,
              own_pages, competitors) -> None:
    """Fetch the pages that link to you, politely, and keep what each link is.

    For every linking page Search Console (or URL Inspection) names: does it
    still link, to which of your pages, with what anchor text and rel, where on
    the page. robots.txt is obeyed, one request per host at a time, with a
    delay between two; pages on private or local addresses are never fetched.
    """
    from ..checker import CheckSettings
    from ..jobs.check import check, plan
    from ..urls import parse_property

    prop = parse_property(site)
    settings = CheckSettings(concurrency=concurrency, per_host_delay=per_host_delay, response_timeout=timeout,
                             **({"user_agent": user_agent} if user_agent else {}))
    todo = plan(state.store_path, prop.site, older_than=older_than, limit=limit, domain=domain, pages=tuple(pages),
                own_pages=own_pages, competitors=competitors)
    if not todo.linking and not todo.own and not todo.gap:
        of = f" of {printable(domain.strip())}" if domain else ""
        if not todo.known and domain:
            state.say(f"Nothing to check for {prop.site}: no linking pages{of} are known (gsc-backlinks links "
                      f"domains --site {prop.site} lists the linking domains held; --url URL checks any page).")
        elif not todo.known:
            state.say(f"Nothing to check for {prop.site}: no linking pages are known; import Search Console's "
                      f"'More sample links' or 'Latest links' export (or a tool's backlinks export) with "
                      f"gsc-backlinks import FILE --site {prop.site}.")
        else:
            state.say(f"Nothing to check for {prop.site}: {todo.known:,} linking pages{of} known, all checked less "
                      f"than {older_than:g} days ago (--older-than 0 checks them again).")
        if competitors:
            state.say(f"The link gap names {todo.gap_known:,} linking pages{of}"
                      + (f", all checked less than {older_than:g} days ago." if todo.gap_known else "."))
        return
    bar = _CheckBar(state, len(todo.linking) + len(todo.own) + len(todo.gap)) if state.wants_progress else None
    started = time.monotonic()
    try:
        report = check(state.store_path, prop.site, todo, settings, progress=bar)
    finally:
        if bar:
            bar.stop()
    if state.quiet:
        return
    took = time.monotonic() - started
    linking = report.linking
    if linking:
        counts = ", ".join(f"{n:,} {status.replace('_', ' ')}" for status, n in linking.by_status.items() if n)
        state.say(f"Checked {linking.pages:,} linking pages on {linking.hosts:,} hosts in {took:,.0f} s: {counts}; "
                  f"{linking.links:,} links to {prop.site} found.")
    if report.own:
        gone = [b for b in report.broken_targets if b.links or b.linking_pages]
        state.say(f"Checked {report.own.pages:,} of your linked pages: {len(gone):,} with links are gone "
                  "(404/410, redirected home or noindex)" + (": redirect them to a live page" if gone else "") + ".")
        for b in gone[:10]:
            state.say(f"  {printable(b.url)}: {printable(b.reason)}")
    if report.gap:
        state.say(f"Checked {report.gap.pages:,} linking pages of the link gap on {report.gap.hosts:,} hosts: "
                  f"{report.gap_read:,} read for what they are about (the gap's relevance now uses their text: "
                  f"gsc-backlinks links gap --site {prop.site}).")
        if report.gap_linking:
            state.say(f"{len(report.gap_linking):,} of them link to {prop.site} already; not counted as your links "
                      "until checked as yours (gsc-backlinks check --url URL): "
                      + ", ".join(printable(u) for u in report.gap_linking[:5])
                      + (", …" if len(report.gap_linking) > 5 else ""))
    if todo.recent:
        state.say(f"{todo.recent:,} linking pages checked less than {older_than:g} days ago were left alone.")
    if todo.gap_recent:
        state.say(f"{todo.gap_recent:,} linking pages of the link gap checked less than {older_than:g} days ago "
                  "were left alone.")
    state.say("Details: gsc-backlinks links checks --site " + prop.site)


@links_group.command("checks")
@site_option
@click.option("--status", metavar="S", help="Only pages whose newest check ended in this status (live, link_missing…).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=0), default=None, help="Rows to show (default 50 in a table, all in CSV/JSON).")
@click.pass_obj
def links_checks(state: State, site, status, fmt, top) -> None:
    """The linking pages checked, each with its newest check: status, reason, links to you."""
    from ..checker.model import STATUSES
    from ..errors import UsageError
    from ..jobs.links import summary
    from . import _emit

    if status and status not in STATUSES:
        raise UsageError(f"--status {printable(status)!r} is not a check status; use one of {', '.join(STATUSES)}")
    if top is None:
        top = 50 if fmt == "table" else 0
    _emit(state, summary(state.store_path, "checks", site, top=top or None, status=status), fmt)
