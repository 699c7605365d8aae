"""Commands that talk to Google: auth login|status|logout, sites, sync, inspect."""

from __future__ import annotations

import datetime as dt
import sys

import click

from ..api import SEARCH_TYPES  # stdlib only at import: keeps --help fast
from ..bqsettings import DEFAULT_DATASET as BQ_DATASET
from ..bqsettings import DEFAULT_MAX_GB as BQ_MAX_GB
from ..errors import UsageError
from ..text import printable
from . import FORMATS, State, cli, date_type, output, site_option

# --- auth ------------------------------------------------------------------------------


@cli.group()
def auth() -> None:
    """Authorize with Google (once), check it, or revoke it."""


@auth.command("login")
@click.option("--client-secrets", metavar="FILE", help="OAuth client JSON (Desktop app) from Google Cloud Console. "
              "Default: $GSC_BACKLINKS_CLIENT_SECRETS, else ./credentials.json.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Loopback port for Google's redirect (0 = any free port).")
@click.option("--no-browser", is_flag=True,
              help="Print the URL to open on any machine; paste the address you are sent to back here.")
@click.option("--service-account", "service_account", metavar="KEY.json",
              help="Use a service-account key instead (for cron; GOOGLE_APPLICATION_CREDENTIALS also works without "
                   "login); the account must be a user of the property.")
@click.option("--timeout", type=click.IntRange(min=10), default=300, show_default=True, help="Seconds to wait for the browser.")
@click.option("--bigquery", is_flag=True,
              help="Also allow read-only BigQuery access, for `sync --source bigquery` (the bulk data export).")
@click.pass_obj
def auth_login(state: State, client_secrets, port, no_browser, service_account, timeout, bigquery) -> None:
    """Authorize gsc-backlinks to read your Search Console data (read-only scope)."""
    from .. import auth as A

    if service_account:
        creds = A.login_service_account(service_account)
        if not state.quiet:
            click.echo(f"Using service account {printable(creds.service_account_email)} (key {printable(str(service_account))}).")
            click.echo("Add this e-mail as a user of each property in Search Console (Settings > Users and permissions).")
        _live_check(state, creds)
        return
    path = A.find_client_secrets(client_secrets)
    read_paste = None
    if no_browser:
        def read_paste() -> str:
            return sys.stdin.readline()
    creds = A.login_user(path, port=port, open_browser=not no_browser, read_paste=read_paste,
                         echo=lambda text: click.echo(text, err=True), timeout=timeout, bigquery=bigquery)
    if not state.quiet:
        scopes = "scopes webmasters.readonly and bigquery.readonly" if bigquery else "scope webmasters.readonly"
        click.echo(f"Authorized ({scopes}); token saved to {A.token_path()} (readable by you only).")
    _live_check(state, creds)


def _live_check(state: State, creds) -> None:
    from ..jobs.google import visible_properties

    entries = visible_properties(creds)
    if not state.quiet:
        click.echo(f"Google answers: {len(entries)} Search Console propert{'y' if len(entries) == 1 else 'ies'} "
                   "visible to this account (`gsc-backlinks sites` lists them).")


@auth.command("status")
@click.option("--offline", is_flag=True, help="Skip the live check with Google.")
@click.pass_obj
def auth_status(state: State, offline: bool) -> None:
    """Which account is authorized, with what scope, until when; checked live with Google."""
    from .. import auth as A

    found = A.require_saved()
    click.echo(f"Authorization: {_describe(found)}")
    if found.kind == "authorized_user":
        info = found.info
        click.echo(f"  OAuth client: {printable(str(info.get('client_id', '?')))}")
        scopes = info.get("scopes") or []
        click.echo(f"  Scopes: {' '.join(scopes) if isinstance(scopes, list) else scopes}")
        click.echo(f"  Access token expires: {_expiry_text(A.token_expiry(info), info.get('expiry'))} "
                   "(refreshed automatically)")
    if offline:
        return
    creds = A.credentials()  # refreshes when due (and saves), or says why it cannot
    _live_check(state, creds)
    A.save_if_refreshed(creds)


def _describe(found) -> str:
    if found.kind == "authorized_user":
        return f"Google account via OAuth (token file {found.path})"
    if found.info.get("from_env"):
        return f"service account key {found.path} (from GOOGLE_APPLICATION_CREDENTIALS)"
    return f"service account {printable(found.info.get('client_email', ''))} (key {printable(found.info.get('key_file', ''))})"


def _expiry_text(when: dt.datetime | None, written: str | None) -> str:
    """``when`` (naive UTC) with the minutes left; ``written`` is the file's text, shown if it is not a time."""
    if when is None:
        return printable(written) if written else "unknown (will refresh on first use)"
    left = when - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    minutes = int(left.total_seconds() // 60)
    return f"{when:%Y-%m-%d %H:%M} UTC ({'in ' + str(minutes) + ' min' if minutes >= 0 else 'expired'})"


@auth.command("logout")
@click.pass_obj
def auth_logout(state: State) -> None:
    """Revoke the saved authorization with Google and delete it."""
    from .. import auth as A

    click.echo(A.logout())


# --- sites -------------------------------------------------------------------------------


@cli.command("sites")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def sites_cmd(state: State, fmt: str) -> None:
    """List the Search Console properties this account can read, as Google names them."""
    from ..jobs.google import list_sites

    entries = list_sites(state.store_path)
    rows = [{"site": e.site_url, "type": e.kind, "permission": e.permission, "permission_level": e.permission_level}
            for e in entries]
    if fmt == "json":
        output.emit_data(output.dumps({"sites": rows}))
    elif fmt == "csv":
        output.emit_data(output.rows_to_csv(rows, ("site", "type", "permission")))
    else:
        if not rows:
            click.echo("This account has no Search Console properties; add it as a user of a property first.")
            return
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        for header in ("Property (use as --site)", "Type", "Permission"):
            table.add_column(header)
        for r in rows:
            table.add_row(printable(r["site"]), r["type"], r["permission"])
        state.console().print(table)


# --- sync --------------------------------------------------------------------------------


class _Bar:
    """A rich progress bar on stderr (only on a terminal, never with -q)."""

    def __init__(self, state: State, label: str):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=state.console(err=True), transient=True)
        self.task = self.progress.add_task("days", start=False, total=None)

    def start(self, total: int) -> None:
        self.progress.start()
        self.progress.update(self.task, total=total)
        self.progress.start_task(self.task)

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()


@cli.command("sync")
@site_option
@click.option("--days", type=click.IntRange(min=1), help="The last N days (Pacific Time) instead of everything not yet final.")
@click.option("--start", type=date_type(), help="First day (YYYY-MM-DD).")
@click.option("--end", type=date_type(), help="Last day (YYYY-MM-DD, default today in Pacific Time).")
@click.option("--type", "search_type", type=click.Choice(SEARCH_TYPES), default="web",
              show_default=True, envvar="GSC_BACKLINKS_SEARCH_TYPE", help="Search type.")
@click.option("--workers", type=click.IntRange(1, 16), default=8, show_default=True, envvar="GSC_BACKLINKS_WORKERS",
              help="Requests in flight at once (kept under Google's per-site quota either way).")
@click.option("--inspect-top", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also inspect the N most-linked pages (Top target pages export), reusing results younger than a week.")
@click.option("--source", type=click.Choice(["api", "bigquery"]), default="api", show_default=True,
              envvar="GSC_BACKLINKS_SOURCE", help="Search Console API, or the bulk data export in BigQuery.")
@click.option("--project", metavar="P", envvar="GSC_BACKLINKS_BIGQUERY_PROJECT",
              help="--source bigquery: the Google Cloud project ID holding the bulk export.")
@click.option("--dataset", metavar="NAME", envvar="GSC_BACKLINKS_BIGQUERY_DATASET",
              help=f"--source bigquery: the bulk export's dataset (default {BQ_DATASET}).")
@click.option("--location", metavar="L", envvar="GSC_BACKLINKS_BIGQUERY_LOCATION",
              help="--source bigquery: the dataset's location, such as US, EU or europe-west1.")
@click.option("--max-gb", type=float, envvar="GSC_BACKLINKS_MAX_GB",
              help=f"--source bigquery: refuse a query that would read more (default {BQ_MAX_GB:g}; each day is one query).")
@click.pass_context
def sync_cmd(ctx: click.Context, site, days, start, end, search_type, workers, inspect_top, source, project, dataset,
             location, max_gb) -> None:
    """Pull search performance (property, page and page x query totals per day) into the store.

    The first sync fetches the last 16 months; later ones fetch only days not
    yet final. Every day is stored whole, so an interrupted sync resumes.

    With --source bigquery it reads Search Console's bulk data export instead:
    every row (no 50,000-row cap), summed in BigQuery, one query per day, each
    first dry-run against --max-gb; days already held at their export version
    are not asked again.
    """
    from ..dates import pacific_now

    state: State = ctx.obj
    configured = state.property.bigquery if state.property is not None else None
    if configured is not None and ctx.get_parameter_source("source") == click.core.ParameterSource.DEFAULT:
        # The configuration file says this property's search data comes from its bulk export; options given win.
        source = "bigquery"
        project = project or configured.project
        dataset = dataset or configured.dataset
        location = location or configured.location
        max_gb = max_gb if max_gb is not None else configured.max_gb
    if source == "bigquery":
        _sync_bigquery(ctx, state, site, days, start, end, search_type, workers, inspect_top, project,
                       dataset, location, max_gb)
        return
    given = [f"--{name.replace('_', '-')}" for name in ("project", "dataset", "location", "max_gb")
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
    if given:
        raise UsageError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for --source bigquery")
    from ..jobs.google import google_api
    from ..jobs.sync import resolve_range, sync

    today = pacific_now().date()
    # Before any request: a wrong range is a typo, not something to ask Google about.
    start, end = resolve_range(today, start=start.date() if start else None, end=end.date() if end else None,
                               days=days)
    bar = _Bar(state, "Syncing") if state.wants_progress else None
    with google_api(site) as (api, prop):  # inspection inside too: a token refreshed on the way is saved
        report = sync(api, state.store_path, prop.site, start=start, end=end, search_type=search_type,
                      workers=workers, progress=bar, today=today)
        _print_sync_report(state, prop.site, report)
        if inspect_top:
            _inspect_top(state, api, prop.site, inspect_top)


def _sync_bigquery(ctx: click.Context, state: State, site, days, start, end, search_type, workers, inspect_top,
                   project, dataset, location, max_gb) -> None:
    """sync --source bigquery: every option checked before any request."""
    from ..bigquery import check_cap, check_names, endpoint, size_text
    from ..dates import pacific_now
    from ..jobs.bqsync import bulk_export, plan_text, sync_bigquery
    from ..jobs.sync import checked_range
    from ..urls import parse_property

    if inspect_top:
        raise UsageError("--inspect-top asks the Search Console API; run it with --source api, or use "
                         "`gsc-backlinks inspect`")
    if not project:
        raise UsageError("--source bigquery needs --project, the Google Cloud project ID of the bulk export "
                         "(Search Console > Settings > Bulk data export shows it)")
    dataset = dataset or BQ_DATASET
    check_names(project, dataset, location)
    if max_gb is None:
        max_gb = BQ_MAX_GB
    check_cap(max_gb)
    prop = parse_property(site)
    today = pacific_now().date()
    start, end = checked_range(today, start=start.date() if start else None, end=end.date() if end else None,
                               days=days)
    endpoint()

    def on_estimate(what: str, n: int) -> None:
        if state.verbose:
            click.echo(f"  dry run: {what} would read {size_text(n)}", err=True)

    def on_plan(report) -> None:
        if not state.quiet:
            click.echo(plan_text(report, max_gb), err=True)

    bar = _Bar(state, "BigQuery") if state.wants_progress else None

    def on_day(day) -> None:  # -v without a terminal (cron, a pipe): progress per day in words
        r = day.result
        click.echo(f"  {r.day}: stored, {r.page_count:,} page rows and {r.query_count:,} page x query rows "
                   f"({day.rows_received:,} received)", err=True)

    with bulk_export(project, dataset, location=location, max_gb=max_gb, on_estimate=on_estimate) as export:
        report = sync_bigquery(export, state.store_path, prop.site, start=start, end=end, search_type=search_type,
                               workers=min(workers, 4), progress=bar, today=today, on_plan=on_plan,
                               on_day=on_day if state.verbose and bar is None else None)
    _print_bigquery_report(state, report)


def _print_bigquery_report(state: State, report) -> None:
    from ..bigquery import size_text

    if state.quiet:
        return
    span = f"{report.start or 'the first exported day'} to {report.end or 'the last'}"
    click.echo(f"{report.site} ({report.search_type}) from the BigQuery bulk export {report.dataset}, {span}: "
               f"{len(report.stored)} days stored, {report.already_current} already at their export version; "
               f"{report.page_rows:,} page rows, {report.query_rows:,} page x query rows (none capped)")
    if report.queries:
        click.echo(f"  {report.queries} queries read {size_text(report.bytes_processed)}, billed "
                   f"{size_text(report.bytes_billed)}; {report.rows_received:,} aggregated rows received")
    if report.anonymized_impressions:
        click.echo(f"  anonymized queries: {report.anonymized_impressions:,} impressions, "
                   f"{report.anonymized_clicks:,} clicks (in the totals, not among the query rows)")
    if report.republished:
        click.echo(f"  re-published by Search Console since the last sync, replaced: "
                   f"{_days_text(report.republished)}")
    if report.replaced_api:
        click.echo(f"  replaced days held from the Search Console API: {_days_text(report.replaced_api)}")
    if report.partly_published:
        click.echo(f"  exported in part so far (one table of two), next time: {_days_text(report.partly_published)}")
    if not report.published:
        click.echo("  ExportLog lists no exported day in this range yet (the export starts the day after it "
                   "is set up, and lags 2-3 days)")


def _days_text(days: list) -> str:
    days = sorted(days)
    shown = ", ".join(str(d) for d in days[:5]) + (" …" if len(days) > 5 else "")
    return f"{len(days)} ({shown})"


def _print_sync_report(state: State, site: str, report) -> None:
    if not state.quiet:
        fetched = report.final_days + report.fresh_days
        click.echo(f"{site} ({report.search_type}), {report.start} to {report.end} (Pacific Time): "
                   f"{fetched} days stored ({report.final_days} final, {report.fresh_days} fresh), "
                   f"{report.already_final} already final; {report.page_rows:,} page rows, "
                   f"{report.query_rows:,} page x query rows; {report.requests} requests"
                   + (f", {report.retries} retried" if report.retries else ""))
        if report.newest_final:
            click.echo(f"  newest final day: {report.newest_final}")
        if report.fresh_days:
            click.echo("  fresh days are not final yet and will be fetched again by the next sync")
        if report.no_data_yet:
            click.echo(f"  no data yet from Google for {len(report.no_data_yet)} recent day(s) "
                       f"({min(report.no_data_yet)} to {max(report.no_data_yet)})")
        if report.truncated:
            shown = ", ".join(str(d) for d in report.truncated[:5]) + (" …" if len(report.truncated) > 5 else "")
            click.echo(f"  truncated: {len(report.truncated)} day(s) reached the API's 50,000-row cap ({shown}); "
                       "their page x query rows are the top rows only")


def _inspect_top(state: State, api, site: str, count: int) -> None:
    from ..jobs.inspect import REUSE_DAYS, inspect_most_linked

    done = inspect_most_linked(api, state.store_path, site, count)
    if done.report is None:
        click.echo("  --inspect-top: no Top target pages export held for this property; import one "
                   "(Links report > Top linked pages > Export) to choose pages by links", err=True)
        return
    report = done.report
    if not state.quiet:
        click.echo(f"  inspected {len(report.results)} of the {len(done.pages)} most-linked pages, reused "
                   f"{len(report.reused)} results younger than {REUSE_DAYS} days"
                   + (f"; {len(report.not_done)} left for tomorrow (daily quota)" if report.not_done else ""))


# --- inspect -----------------------------------------------------------------------------


@cli.command("inspect")
@click.argument("targets", nargs=-1, required=True, metavar="URL...")
@site_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def inspect_cmd(state: State, targets, site, fmt) -> None:
    """Inspect pages with Google's URL Inspection API; results are stored with their date."""
    from ..jobs.google import google_api
    from ..jobs.inspect import inspect_urls, property_pages
    from ..urls import display_url

    property_pages(site, list(targets))  # before any request: a URL outside the property is a typo
    with google_api(site) as (api, prop):
        report = inspect_urls(api, state.store_path, prop.site, list(targets))
    rows = [
        {
            "url": r.url, "verdict": r.verdict, "coverage_state": r.coverage_state,
            "last_crawl_time": r.last_crawl_time.isoformat() + "Z" if r.last_crawl_time else None,
            "google_canonical": r.google_canonical, "user_canonical": r.user_canonical,
            "page_fetch_state": r.page_fetch_state, "robots_txt_state": r.robots_txt_state,
            "referring_urls": list(r.referring_urls), "sitemaps": list(r.sitemaps),
            "inspected_at": r.inspected_at.isoformat() + "Z",
        }
        for r in report.results
    ]
    if fmt == "json":
        output.emit_data(output.dumps({"property": report.site, "results": rows, "not_inspected": report.not_done,
                                       "inspections_today": report.used_today}))
        return
    if fmt == "csv":
        flat = [{**r, "referring_urls": " ".join(r["referring_urls"] or ())} for r in rows]
        output.emit_data(output.rows_to_csv(flat, ("url", "verdict", "coverage_state", "last_crawl_time",
                                                   "google_canonical", "user_canonical", "referring_urls")))
        return
    from rich.table import Table

    from ..dates import pacific_text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for header in ("Page", "Verdict", "Coverage", "Last crawl", "Canonical", "Linked from"):
        table.add_column(header, overflow="fold")
    for r in report.results:
        same = r.google_canonical in (None, r.url)
        table.add_row(
            printable(display_url(r.url)), r.verdict or "", printable(r.coverage_state or ""),
            pacific_text(r.last_crawl_time, time=False) if r.last_crawl_time else "never",  # as `page` shows it
            "same" if same else printable(display_url(r.google_canonical or "")),
            f"{len(r.referring_urls)} URLs" if r.referring_urls else "",
        )
    state.console().print(table)
    if not state.quiet:
        click.echo(f"{len(report.results)} inspected and stored; {report.used_today} of Google's 2,000 daily "
                   f"inspections for this property used today (Pacific Time)")
        if report.not_done:
            click.echo(f"{len(report.not_done)} not inspected: the daily quota is spent; run again after midnight Pacific Time")
