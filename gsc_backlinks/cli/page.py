"""`page URL`: who links to one page, and does it matter."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import GscBacklinksError
from ..urls import printable
from . import State, _open_in_browser, cli, site_option

TABLE_ROWS = 50  #: linking pages listed in a table without --all
JSON_ROWS = 1000  #: … and in JSON
DAYS = 28


@cli.command("page")
@click.argument("url")
@site_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("--out", "out_dir", default="reports", show_default=True, envvar="GSC_BACKLINKS_OUT", metavar="DIR",
              help="With --format html: folder the page is written under.")
@click.option("--inspect/--no-inspect", default=False, show_default=True,
              help="Ask Google's URL Inspection for the page now (needs auth login); else show the stored result.")
@click.option("--all", "all_", is_flag=True, help=f"Every linking page (default: the first {TABLE_ROWS} in a table, "
              f"{JSON_ROWS:,} in JSON).")
@click.option("--open", "open_", is_flag=True, help="With --format html: open the page in your browser.")
@click.pass_obj
def page_cmd(state: State, url: str, site: str, fmt: str, out_dir: str, inspect: bool, all_: bool, open_: bool) -> None:
    """Who links to one page of yours, its index status and its search traffic.

    Type the URL as you see it: with or without https://, www. or the trailing
    slash, with tracking parameters, percent-encoded or in plain Unicode, or
    just its path (/pricing/).
    """
    from ..analysis import page as P
    from ..analysis import weekly as W
    from ..analysis.value import rate_page
    from ..dates import pacific_now
    from ..report.build import chart_period_ending
    from ..store import open_store
    from ..urls import parse_property
    from . import _check_site

    prop = parse_property(site)
    now = pacific_now()
    with open_store(state.store_path) as con:
        _check_site(con, prop.site)
        match = P.find_page(con, prop, url, allow_unknown=inspect)
    if inspect:
        _inspect_now(state, prop.site, match.url)
    with open_store(state.store_path) as con:
        snaps = W.Snapshots.read(con, prop.site)
        fresh = W.freshness(con, prop.site, snaps)
        period = W.final_days(fresh.search.last_final, DAYS, now.date())
        chart = chart_period_ending(period.end)
        detail = W.page_details(con, prop.site, [match.url], period, chart, snaps, max_links=None)[match.url]
        valuer = rate_page(con, prop.site, detail, period.end, snaps)
    has_targets = any(s.kind == "top_target_pages" for s in fresh.exports)
    missing = P.missing_sources(detail, prop.site, fresh.search.last_day is not None, has_targets)

    if fmt == "json":
        data = P.page_json(detail, match, prop.site, period, missing, limit=None if all_ else JSON_ROWS)
        data["value_basis"] = valuer.explain()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt == "html":
        path = _write_html(detail, prop.site, period, chart, fresh, Path(out_dir), now, valuer)
        click.echo(str(path))
        if open_:
            _open_in_browser(path)
        return
    _print_table(state, detail, match, prop.site, period, missing, all_, valuer)


def _inspect_now(state: State, site: str, url: str) -> None:
    """Inspect live; without authorization say so and go on with what is stored."""
    from ..inspection import inspect_urls
    from .google import google_api

    try:
        with google_api(site) as (api, _):
            report = inspect_urls(api, state.store_path, site, [url])
    except GscBacklinksError as exc:
        click.echo(f"Not inspected now: {printable(str(exc))}; showing the stored result, if any.", err=True)
        return
    if report.not_done:
        click.echo("Not inspected now: today's URL Inspection quota for this property is spent; showing the stored "
                   "result, if any.", err=True)


def _write_html(detail, site, period, chart, fresh, out_dir: Path, now, valuer) -> Path:
    from ..report.build import drill_down_page, generated_at, page_file, property_slug, value_section
    from ..report.render import write_page

    page = drill_down_page(detail, site, period, chart, generated_at(now), fresh,
                           home_href=None, how_valued=value_section(valuer))
    return write_page(page, out_dir.expanduser() / property_slug(site) / page_file(detail.url))


def _print_table(state: State, detail, match, site: str, period, missing: list[str], all_: bool, valuer) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..report.model import num, pct, pos, shorten
    from ..urls import display_url

    console = state.console()
    width = max(60, min(console.width or 80, 120))

    def url_text(url: str, room: int) -> str:
        return shorten(display_url(url).removeprefix("https://"), room)

    def say(text: str = "", style: str | None = None) -> None:
        console.print(Text(text, style=style), width=width, overflow="fold")

    say(url_text(detail.url, width), "bold")
    if match.how == "same page":
        say(f"(you typed {url_text(match.typed, width - 13)})", "dim")
    say(f"{site} · links: incoming {num(detail.incoming_links)}, linking sites {num(detail.linking_sites_count)}, "
        f"internal {num(detail.internal_links)}")
    if detail.inspection:
        i = detail.inspection
        crawl = f", last crawl {i['last_crawl_time']:%Y-%m-%d}" if i.get("last_crawl_time") else ""
        say(f"Index: {i['verdict'] or '?'} · {printable(i['coverage_state'] or '?')}{crawl} "
            f"(inspected {i['inspected_at']:%Y-%m-%d})")
        for label, key in (("Google's canonical", "google_canonical"), ("Declared canonical", "user_canonical")):
            if i.get(key) and i[key] != detail.url:
                say(f"  {label}: {url_text(i[key], width - len(label) - 4)}")
    if detail.week:
        prev = period.previous()
        for text, m, style in ((f"Search, {period.start} to {period.end}", detail.metrics(), None),
                               (f"  28 days before ({prev.start} to {prev.end})", detail.metrics(previous=True), "dim")):
            say(f"{text}: {num(m['clicks'])} clicks, {num(m['impressions'])} impressions, "
                f"CTR {pct(m['ctr'])}, position {pos(m['position'])}", style)
    if detail.queries:
        t = Table(title="Top queries", title_justify="left", width=min(width, 80), show_edge=False)
        t.add_column("Query", overflow="fold", ratio=1)
        for name in ("Clicks", "Impr.", "CTR", "Pos."):
            t.add_column(name, justify="right", no_wrap=True)
        for q in detail.queries[:10]:
            t.add_row(Text(printable(q["query"])), num(q["clicks"]), num(q["impressions"]), pct(q["ctr"]), pos(q["position"]))
        console.print(t)
    if detail.linking_sites:
        t = Table(title="Linking sites", title_justify="left", width=min(width, 80), show_edge=False)
        t.add_column("Site", no_wrap=True, overflow="ellipsis", ratio=1)
        t.add_column("Value", justify="right", no_wrap=True)
        t.add_column("Pages", justify="right", no_wrap=True)
        t.add_column("First seen", no_wrap=True)
        t.add_column("Last seen", no_wrap=True)
        for s in detail.linking_sites:
            t.add_row(Text(printable(s["site"])), num(s.get("value")), num(s["linking_pages"]),
                      str(s["first_seen"] or "–"), str(s["last_seen"] or "–"))
        console.print(t)
    rows = detail.linking_pages if all_ else detail.linking_pages[:TABLE_ROWS]
    if rows:
        table_width = min(width, 80)
        room = table_width - 10 - 10 - 7 - 5 - 12  # four fixed columns and the separators
        t = Table(title=f"Linking pages ({num(len(detail.linking_pages))})", title_justify="left",
                  width=table_width, show_edge=False, pad_edge=False)
        t.add_column("Linking page", no_wrap=True, width=room)
        t.add_column("Value", justify="right", no_wrap=True, width=5)
        t.add_column("Source", no_wrap=True, width=7)
        t.add_column("First seen", no_wrap=True, width=10)
        t.add_column("Last seen", no_wrap=True, width=10)
        short = {"Linking pages export": "export", "URL Inspection": "inspect"}
        for p in rows:
            t.add_row(Text(url_text(p["linking_url"], room)), num(p.get("value")), short.get(p["source"], p["source"][:7]),
                      str(p["first_seen"] or "–"), str(p["last_seen"] or "–"))
        console.print(t)
        if len(rows) < len(detail.linking_pages):
            say(f"… {num(len(detail.linking_pages) - len(rows))} more; --all lists every one "
                "(or --format json / html)", "dim")
    if detail.linking_sites or detail.linking_pages:
        say("Sorted by value (0-100): half authority, half relevance to this page's queries "
            "(--format json has both); "
            + "; ".join(valuer.explain()), "dim")
    if detail.anchor_matches:
        say("Anchor texts about this page (exact or partial match with its queries): "
            + ", ".join(printable(a["anchor_text"]) for a in detail.anchor_matches[:10]))
    if missing:
        say("Not known:", "bold")
        for line in missing:
            say(f"  - {line}")
