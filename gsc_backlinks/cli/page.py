"""`page URL`: who links to one page, and does it matter."""

from __future__ import annotations

from pathlib import Path

import click

from ..text import printable
from . import State, _open_in_browser, cli, given, site_option

TABLE_ROWS = 50  #: linking pages listed in a table without --all
JSON_ROWS = 1000  #: … and in JSON


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
    from ..jobs.page import page, write_page_html

    result = page(state.store_path, site, url, inspect=inspect)
    if result.inspect_problem:
        click.echo(result.inspect_problem, err=True)
    if fmt == "json":
        from ..report.drilldown import page_json

        data = page_json(result.detail, result.match, result.site, result.period, result.missing,
                         limit=None if all_ else JSON_ROWS, value_basis=result.value_basis)
        from .output import dumps, emit_data

        emit_data(dumps(data))
        return
    if fmt == "html":
        if state.property is not None and not given(click.get_current_context(), "out_dir"):
            out_dir = str(state.property.out)  # the configuration file's folder, unless --out says otherwise
        path = write_page_html(result, Path(out_dir))
        click.echo(str(path))
        if open_:
            _open_in_browser(path)
        return
    _print_table(state, result, all_)


def _print_table(state: State, result, all_: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..dates import pacific_text
    from ..report.model import num, pct, pos
    from ..text import UNKNOWN, shorten
    from ..urls import display_url

    detail, match, site, period, missing = result.detail, result.match, result.site, result.period, result.missing

    console = state.console()
    width = max(60, min(console.width or 80, 120))

    def url_text(url: str, room: int) -> str:
        return shorten(display_url(url).removeprefix("https://"), room)

    def say(text: str = "", style: str = "") -> None:
        console.print(Text(text, style=style), width=width, overflow="fold")

    say(url_text(detail.url, width), "bold")
    if match.how == "same page":
        say(f"(you typed {url_text(match.typed, width - 13)})", "dim")
    say(f"{site} · links: incoming {num(detail.incoming_links)}, linking sites {num(detail.linking_sites_count)}, "
        f"internal {num(detail.internal_links)}")
    if detail.inspection:
        i = detail.inspection
        crawl = f", last crawl {pacific_text(i['last_crawl_time'])}" if i.get("last_crawl_time") else ""
        say(f"Index: {i['verdict'] or '?'} · {printable(i['coverage_state'] or '?')}{crawl} "
            f"(inspected {pacific_text(i['inspected_at'], time=False)})")
        for label, key in (("Google's canonical", "google_canonical"), ("Declared canonical", "user_canonical")):
            if i.get(key) and i[key] != detail.url:
                say(f"  {label}: {url_text(i[key], width - len(label) - 4)}")
    if detail.has_week:
        prev = period.previous()
        for text, m, style in ((f"Search, {period.start} to {period.end}", detail.metrics(), ""),
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
                      str(s["first_seen"] or UNKNOWN), str(s["last_seen"] or UNKNOWN))
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
                      str(p["first_seen"] or UNKNOWN), str(p["last_seen"] or UNKNOWN))
        console.print(t)
        if len(rows) < len(detail.linking_pages):
            say(f"… {num(len(detail.linking_pages) - len(rows))} more; --all lists every one "
                "(or --format json / html)", "dim")
        checked = [p for p in rows if p.get("check_status")]
        if checked:
            t = Table(title="What the link checks found", title_justify="left", width=table_width, show_edge=False,
                      pad_edge=False)
            t.add_column("Linking page", no_wrap=True, width=room)
            t.add_column("Status", no_wrap=True, width=12)
            t.add_column("Anchor (rel)", no_wrap=True, width=table_width - room - 16)
            for p in checked:
                anchor = "" if p.get("anchor_text") is None else f'"{printable(p["anchor_text"])}" ({p.get("rel")})'
                t.add_row(Text(url_text(p["linking_url"], room)), p["check_status"].replace("_", " "),
                          Text(shorten(anchor, table_width - room - 16)))
            console.print(t)
    if detail.linking_sites or detail.linking_pages:
        say("Sorted by value (0-100): half authority, half relevance to this page's queries "
            "(--format json has both); "
            + "; ".join(result.value_basis), "dim")
    if detail.anchor_matches:
        say("Anchor texts about this page (exact or partial match with its queries): "
            + ", ".join(printable(a["anchor_text"]) for a in detail.anchor_matches[:10]))
    if missing:
        say("Not known:", "bold")
        for line in missing:
            say(f"  - {line}")
