"""The command line: parses options, calls one job (``gsc_backlinks.jobs``), prints.

Heavy libraries (pandas, duckdb, pyarrow, Google clients) are imported inside
the commands, so ``gsc-backlinks --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .. import __version__
from ..errors import GscBacklinksError, UsageError
from ..text import printable  # stdlib only: keeps --help fast

if TYPE_CHECKING:
    from ..config import Config, PropertyConfig

FORMATS = click.Choice(["table", "csv", "json"])


class State:
    def __init__(self, store: str | None, verbose: int, quiet: bool, config: str | None = None):
        self._store = store
        self.verbose = verbose
        self.quiet = quiet
        self._config_file = config
        self._config: Config | None = None
        self._config_read = False
        self.property: PropertyConfig | None = None  #: the file's property named by --property
        self.store_given = False  #: --store was typed on the command line (not only in the environment)

    @property
    def config(self) -> Config | None:
        """The configuration file (--config, GSC_BACKLINKS_CONFIG, else the default one if it exists), read
        and checked once; None when there is none."""
        if not self._config_read:
            from ..config import read_config

            self._config = read_config(self._config_file)
            self._config_read = True
        return self._config

    def require_config(self, why: str) -> Config:
        config = self.config
        if config is None:
            from ..config import default_config_path

            raise UsageError(f"{why} needs the configuration file, and there is none at {default_config_path()}; "
                             "write one (README: \"Many properties\") or give --config FILE")
        return config

    @property
    def store_path(self) -> Path:
        """--store or GSC_BACKLINKS_STORE, else the configuration file's store, else the default one."""
        if self._store:
            return Path(self._store).expanduser()
        config = self.config
        if config is not None and config.store is not None:
            return config.store
        from ..store import default_store_path

        return default_store_path()

    @property
    def wants_progress(self) -> bool:
        """Progress bars go to stderr, only on a terminal and never with -q."""
        return not self.quiet and sys.stderr.isatty()

    def console(self, err: bool = False):
        from rich.console import Console

        return Console(stderr=err, highlight=False, soft_wrap=False)

    def say(self, text: str) -> None:
        """A progress line on stdout, unless -q."""
        if not self.quiet:
            click.echo(text)

    def warn(self, text: str) -> None:
        """A problem that did not stop the command, on stderr (also with -q: cron mails it)."""
        click.echo(text, err=True)


# --- global options, before or after the subcommand ---------------------------------------------


def _state(ctx: click.Context) -> State:
    state = ctx.find_object(State)
    if state is None:  # only when a command is invoked without the top group (as some tests do)
        state = ctx.find_root().obj = State(None, 0, False)
    return state


def given(ctx: click.Context, name: str) -> bool:
    """True when an option was given on the command line or by its environment variable (so it wins over the
    configuration file)."""
    from click.core import ParameterSource

    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _set_store(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        state = _state(ctx)
        state._store, state.store_given = value, True


def _set_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        state = _state(ctx)
        state._config_file, state._config_read = value, False


def _add_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        _state(ctx).verbose += value


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        _state(ctx).quiet = True


def _global_params() -> list[click.Parameter]:
    """--store, -v and -q, as every subcommand also takes them (as pip's and git's subcommands take -q)."""
    return [
        click.Option(["--store"], metavar="PATH", expose_value=False, callback=_set_store,
                     help="DuckDB store file (also before the command; default: $GSC_BACKLINKS_STORE, "
                          "else in your user data folder)."),
        click.Option(["--config"], metavar="FILE", expose_value=False, callback=_set_config,
                     help="Configuration file of your properties (also before the command; default: "
                          "$GSC_BACKLINKS_CONFIG, else gsc-backlinks.toml in your user config folder)."),
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_add_verbose,
                     help="Say more about what is done."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_quiet,
                     help="Print only errors and requested data (for cron)."),
    ]


class Command(click.Command):
    """A subcommand: also takes the global options after its name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.extend(_global_params())


class SubGroup(click.Group):
    """A group of subcommands (links, auth, report, authority): the same, for it and its commands."""

    command_class = Command
    group_class = type  # its own subgroups are SubGroups too

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.extend(_global_params())


class Group(click.Group):
    """The top group: turns every GscBacklinksError into one ``Error: …`` line and its exit code.

    Only the top group needs it: its invoke runs the subgroups' commands too.
    """

    command_class = Command
    group_class = SubGroup

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GscBacklinksError as exc:
            # File names and cells come from strangers: one line, no terminal escapes.
            click.echo(f"Error: {printable(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was half-written (the store keeps only whole imports and whole days).", err=True)
            ctx.exit(130)


def site_option(func=None, *, required: bool = True):
    """--site SITE, or --property NAME of the configuration file (which sets ``State.property`` too)."""

    def decorate(f):
        @functools.wraps(f)
        def command(*args, **kwargs):
            ctx = click.get_current_context()
            name = kwargs.pop("property_name", None)
            if name is not None:
                if kwargs.get("site") and ctx.get_parameter_source("site") == click.core.ParameterSource.COMMANDLINE:
                    raise UsageError("give --site or --property, not both")
                state = _state(ctx)
                state.property = state.require_config(f"--property {printable(name)}").property(name)
                kwargs["site"] = state.property.site
            elif required and not kwargs.get("site"):
                raise UsageError("give the property: --site SITE (as Google writes it, e.g. sc-domain:example.com), "
                                 "or --property NAME from the configuration file")
            return f(*args, **kwargs)

        command = click.option(
            "--property", "property_name", metavar="NAME",
            help="A property of the configuration file, by its name (its settings apply; options given here win).",
        )(command)
        return click.option(
            "--site",
            envvar="GSC_BACKLINKS_SITE",
            show_envvar=True,
            help="Search Console property, exactly as Google writes it: sc-domain:example.com or https://www.example.com/.",
        )(command)

    return decorate(func) if func is not None else decorate


def date_type():
    return click.DateTime(formats=["%Y-%m-%d"])


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    envvar="GSC_BACKLINKS_STORE",
    show_envvar=True,
    metavar="PATH",
    help="DuckDB store file (default: in your user data folder).",
)
@click.option(
    "--config",
    envvar="GSC_BACKLINKS_CONFIG",
    show_envvar=True,
    metavar="FILE",
    help="Configuration file of your properties (default: gsc-backlinks.toml in your user config folder).",
)
@click.option("-v", "--verbose", count=True, help="Say more about what is done.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and requested data (for cron).")
@click.version_option(__version__, prog_name="gsc-backlinks")
@click.pass_context
def cli(ctx: click.Context, store: str | None, config: str | None, verbose: int, quiet: bool) -> None:
    """Who links to your site: Google Search Console's Links exports, kept as history.

    \b
    Typical use:
      gsc-backlinks import ~/Downloads/*.csv --site sc-domain:example.com
      gsc-backlinks links pages --site sc-domain:example.com
      gsc-backlinks demo
    """
    from click.core import ParameterSource

    ctx.obj = State(store, verbose, quiet, config)
    ctx.obj.store_given = ctx.get_parameter_source("store") == ParameterSource.COMMANDLINE


# --- import ----------------------------------------------------------------------


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@site_option
@click.option("--date", "date_", type=date_type(), help="Snapshot date (default: from the file name, else the file time).")
@click.option("--target", metavar="URL", help="For drill-down exports: the page of yours they were filtered on.")
@click.option("--skip-unknown", is_flag=True, help="Leave out files that are not Links exports instead of stopping.")
@click.option("--competitor", metavar="DOMAIN",
              help="Third-party exports of a competitor's links (e.g. example.org): kept as that competitor's, "
                   "for `links gap`.")
@click.pass_obj
def import_cmd(state: State, paths: tuple[str, ...], site: str, date_: dt.datetime | None,
               target: str | None, skip_unknown: bool, competitor: str | None) -> None:
    """Import Links exports (CSV, XLSX, ZIP or a folder of them) as dated snapshots.

    Search Console's Links exports and third-party backlink exports (Ahrefs,
    Semrush, Majestic, Moz, Bing Webmaster Tools) are recognised by their
    header rows. Every file is checked before anything is written; if one is
    wrong, nothing is imported. Importing a file already held is a no-op.
    """
    from ..exports.kinds import KINDS
    from ..exports.thirdparty import VENDOR_EXPORTS, export_label
    from ..jobs.importing import import_paths
    from ..urls import display_url

    report = import_paths(
        list(paths), site, state.store_path, target=target,
        date=date_.date() if date_ else None, skip_unknown=skip_unknown, competitor=competitor,
    )
    if state.quiet:
        return
    new = [r for r in report.results if not r.duplicate_of]
    for r in report.results:
        label = export_label(r.kind) if r.kind in VENDOR_EXPORTS else KINDS[r.kind].label
        if r.duplicate_of:
            sid, when, name = r.duplicate_of
            click.echo(f"= {printable(r.source)}: already imported (same content as snapshot #{sid} "
                       f"of {when}, {printable(name)}); nothing to do")
            continue
        target_url = getattr(r, "target_url", None)
        competitor_of = getattr(r, "competitor", "")
        target_text = (f", target {display_url(target_url)}" if target_url else
                       f", competitor {competitor_of}" if competitor_of else "")
        click.echo(f"+ {printable(r.source)}: {label}, {r.rows:,} rows, snapshot #{r.snapshot_id} "
                   f"dated {r.snapshot_date} (date from {r.date_source}){target_text}")
        for note in r.notes:
            click.echo(f"    note: {printable(note)}")
    for line in report.unknown:
        click.echo(f"- skipped {printable(line)}")
    if report.skipped and state.verbose:
        for path in report.skipped:
            click.echo(f"- skipped {printable(path)} (not CSV, XLSX or ZIP)")
    elif report.skipped:
        click.echo(f"- skipped {len(report.skipped)} files that are not CSV, XLSX or ZIP (-v lists them)")
    click.echo(f"{len(new)} imported, {len(report.results) - len(new)} already held, "
               f"into {state.store_path} for {report.site}")


# --- links -----------------------------------------------------------------------


@cli.group()  # its commands' errors are converted by the top group (cli), around the whole call
def links() -> None:
    """Summaries of the links held for a property."""


def summary_options(func):
    func = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True,
                        help="table for people; csv or json for scripts.")(func)
    func = click.option("--top", type=click.IntRange(min=0), default=None,
                        help="Rows to show (default 50 in a table, all in CSV/JSON; 0 = all).")(func)
    func = click.option("--as-of", type=date_type(), help="Use the newest snapshot on or before this date.")(func)
    return site_option(func)


def _emit(state: State, summary, fmt: str) -> None:
    from . import output

    if fmt == "csv":
        output.emit_data(output.to_csv(summary))
    elif fmt == "json":
        output.emit_data(output.to_json(summary))
    else:
        output.print_table(summary, state.console())


def _with_file(state: State, key: str, given) -> tuple[str, ...]:
    """A list option's values with those of the --property of the configuration file (given first, no repeats)."""
    from_file = getattr(state.property, key, ()) if state.property is not None else ()
    return tuple(dict.fromkeys((*given, *from_file)))


def _run_summary(state: State, name: str, site: str, top, as_of, fmt: str, **extra) -> None:
    from ..jobs.links import summary

    if top is None:
        top = 50 if fmt == "table" else 0
    _emit(state, summary(state.store_path, name, site, top=top or None, as_of=as_of.date() if as_of else None,
                         **extra), fmt)


@links.command("pages")
@summary_options
@click.option("--internal", is_flag=True, help="Internal links (your pages linking to your pages).")
@click.pass_obj
def links_pages(state: State, site, top, as_of, fmt, internal) -> None:
    """Your most linked pages: incoming links and linking sites."""
    _run_summary(state, "pages", site, top, as_of, fmt, internal=internal)


@links.command("domains")
@summary_options
@click.option("--sort", type=click.Choice(["links", "value"]), default="links", show_default=True,
              help="links: most linking pages first; value: best link value first, with authority and relevance.")
@click.option("--sources", "coverage", is_flag=True,
              help="Which sources list each domain (Search Console, URL Inspection, link checks, Ahrefs, "
                   "Semrush…), with the domains only third-party tools list.")
@click.pass_obj
def links_domains(state: State, site, top, as_of, fmt, sort, coverage) -> None:
    """Sites linking to you: linking pages and target pages per domain (and what each is worth)."""
    _run_summary(state, "domains", site, top, as_of, fmt, sort=sort, sources=coverage)


def brand_option(func):
    return click.option("--brand", "brands", multiple=True, metavar="TERM",
                        help="A brand term beyond the domain's and the stored ones (repeatable; "
                             "store them with gsc-backlinks brand --add).")(func)


@links.command("anchors")
@summary_options
@brand_option
@click.option("--target", metavar="URL", help="The real anchors of the links to this page of yours, from link checks.")
@click.pass_obj
def links_anchors(state: State, site, top, as_of, fmt, brands, target) -> None:
    """The link text other sites use for you, by rank, with its class (branded, exact match, generic…).

    With --target: the anchor texts of the links to one page, as the link checks saw them.
    """
    _run_summary(state, "anchors", site, top, as_of, fmt, brands=_with_file(state, "brand", brands), target=target)


@links.command("samples")
@summary_options
@click.option("--domain", help="Only linking pages of this domain or host.")
@click.pass_obj
def links_samples(state: State, site, top, as_of, fmt, domain) -> None:
    """Sample linking pages (More sample links and Latest links exports)."""
    _run_summary(state, "samples", site, top, as_of, fmt, domain=domain)


@links.command("changes")
@summary_options
@click.option("--since", type=date_type(), help="Compare with the newest snapshot on or before this date "
              "(default: the one before the newest).")
@click.option("--pages", is_flag=True, help="Linking pages in Google's sample instead of linking domains.")
@click.pass_obj
def links_changes(state: State, site, top, as_of, fmt, since, pages) -> None:
    """What changed: new and lost linking domains (or pages), each with its value and context, and the verdict.

    The same figures as the weekly report's "This week in links": first and last seen, target page, anchor,
    sources, and for a lost link why (removed, page gone, noindex, nofollow now, or no longer in Google's
    sample).
    """
    _run_summary(state, "changes", site, top, as_of, fmt, since=since.date() if since else None, pages=pages)


@links.command("gap")
@summary_options
@click.option("--competitor", "competitors", multiple=True, metavar="DOMAIN",
              help="Only these competitors (repeatable; default: every competitor with an export).")
@click.option("--min-competitors", type=click.IntRange(min=1), default=1, show_default=True, metavar="K",
              help="Domains linking to at least K of the competitors.")
@click.pass_obj
def links_gap(state: State, site, top, as_of, fmt, competitors, min_competitors) -> None:
    """The link gap: domains linking to your competitors and not to you, most valuable first (an outreach list).

    Reads the competitors' third-party exports (gsc-backlinks import FILE --competitor DOMAIN); "not to
    you" means no source lists the domain for your property (Search Console, URL Inspection, link checks,
    your own third-party exports).
    """
    # --competitor given here wins; else the property's competitors of the configuration file.
    _run_summary(state, "gap", site, top, as_of, fmt,
                 competitors=tuple(competitors) or _with_file(state, "competitors", ()),
                 min_competitors=min_competitors)


@cli.command("competitors")
@site_option
@click.option("--add", multiple=True, metavar="DOMAIN", help="Add a competitor (repeatable).")
@click.option("--remove", multiple=True, metavar="DOMAIN",
              help="Remove a competitor and its imported exports (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True,
              help="table for people; csv or json for scripts.")
@click.pass_obj
def competitors_cmd(state: State, site, add, remove, fmt) -> None:
    """List (and add or remove) a property's competitors: the domains whose third-party exports `links gap` reads."""
    from ..exports.thirdparty import competitor_domain
    from ..jobs.links import competitor_list

    # The configuration file's competitors of --property are stored as --all stores them (unless removed here, by
    # the name the store gives them: "www.rival.example" is "rival.example").
    removing = {competitor_domain(d, "--remove") for d in remove}
    wanted = [c for c in _with_file(state, "competitors", add) if competitor_domain(c, "--add") not in removing]
    summary, removed = competitor_list(state.store_path, site, add=tuple(wanted), remove=tuple(remove))
    for gone in removed:
        parts = [f"{gone.exports:,} imported export{'s' if gone.exports != 1 else ''}",
                 f"{gone.link_rows:,} link row{'s' if gone.link_rows != 1 else ''}"]
        if gone.domain_rows:
            parts.append(f"{gone.domain_rows:,} referring-domain row{'s' if gone.domain_rows != 1 else ''}")
        line = f"Removed competitor {gone.domain} and its {', '.join(parts[:-1])} and {parts[-1]}"
        # On stderr when stdout carries CSV or JSON; also with -q (it says what was deleted).
        click.echo(printable(line), err=fmt != "table")
    _emit(state, summary, fmt)


@links.command("sources")
@site_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def links_sources(state: State, site, fmt) -> None:
    """The snapshots held for a property, newest first."""
    from ..jobs.links import summary

    _emit(state, summary(state.store_path, "sources", site), fmt)


# --- demo ------------------------------------------------------------------------


def _open_in_browser(path: Path) -> None:
    import webbrowser

    webbrowser.open(path.resolve().as_uri())


@cli.command()
@click.option("--out", "out_dir", default="reports", show_default=True, envvar="GSC_BACKLINKS_OUT", show_envvar=True,
              metavar="DIR", help="Folder the report is written under.")
@click.option("--open", "open_", is_flag=True, help="Open the report in your browser.")
@click.pass_obj
def demo(state: State, out_dir: str, open_: bool) -> None:
    """Build the weekly report of a made-up property from built-in sample data (no Google account needed).

    The demo's store is a temporary one; with --store PATH (a new file) it is kept there, to try the other
    commands on the sample data.
    """
    from ..jobs.demo import DEMO_SITE, run_demo

    keep = state.store_path if state.store_given else None
    if keep is not None and (keep.exists() or keep.is_symlink()):
        raise UsageError(f"--store {printable(str(keep))} exists already: the demo writes its sample data only into "
                         "a new store (give a new file, or leave --store out for a temporary one)")
    result = run_demo(Path(out_dir), store=keep)
    if not state.quiet:
        click.echo(f"Demo report of the made-up property {DEMO_SITE}, week {result.period.iso()} "
                   f"({result.pages} pages):")
    click.echo(str(result.index))
    if not state.quiet:
        if keep is not None:
            click.echo(f"The demo's store is kept at {printable(str(keep))}; try: gsc-backlinks --store "
                       f"{printable(str(keep))} links changes --site {DEMO_SITE}")
        click.echo("Your own: gsc-backlinks auth login, then "
                   "gsc-backlinks report weekly --site sc-domain:your-site.com --exports ~/Downloads")
    if open_:
        _open_in_browser(result.index)


from . import authority as _authority  # noqa: E402,F401  (registers authority, brand, store)
from . import check as _check  # noqa: E402,F401  (registers check, links checks)
from . import config as _config  # noqa: E402,F401  (registers config check)
from . import google as _google  # noqa: E402,F401  (registers auth, sites, sync, inspect)
from . import page as _page  # noqa: E402,F401  (registers page)
from . import report as _report  # noqa: E402,F401  (registers report weekly)


def main(argv: list[str] | None = None) -> None:
    """The ``gsc-backlinks`` command; given ``argv``, the same as a call that returns (by SystemExit)."""
    import signal

    # A file-size limit (ulimit -f) then makes a write fail with an error we can say in one line,
    # instead of killing the process half-way.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if argv is not None:
        cli.main(args=argv, prog_name="gsc-backlinks")
        return
    try:
        cli.main(prog_name="gsc-backlinks")
        code = 0
    except SystemExit as exc:
        code = exc.code
    _leave(code)


def _leave(code: int | str | None) -> NoReturn:
    """End the process without the interpreter's teardown.

    By now every store connection is closed and every file is written; what is
    left is unloading Arrow and DuckDB, a 40th of a second on every command
    (3% of a large import) that frees nothing the OS would not.
    """
    import os

    if isinstance(code, str):  # as SystemExit("message") would: the message on stderr, exit code 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head) or stream: nothing more to say
            pass
    os._exit(code or 0)
