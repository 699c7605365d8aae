"""A drill-down page: one target page in depth (the weekly report's pages and `page --format html|json`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache

from ..analysis.checks import LOST_REASON
from ..analysis.page import Match, PageDetail
from ..analysis.snapshots import SAMPLE_NOTE
from ..analysis.sources import Freshness
from ..analysis.value import method
from ..dates import Period, pacific_text
from ..text import UNKNOWN, printable, shorten
from ..urls import display_url
from . import charts
from . import columns as C
from .model import (
    Cell,
    Chart,
    Column,
    Page,
    Section,
    Table,
    date_cell,
    link_cell,
    num,
    num_cell,
    pct,
    pos_cell,
    search_stats,
    shown,
    text_cell,
    value_cells,
)

#: A checked link that is still there, in words (what is gone reads as the weekly report says it).
_STATUS_WORDS = {"live": "live", "live_nofollow": "live, nofollow"}


def page_file(url: str) -> str:
    """``pages/<readable part>-<hash>.html``: stable, unique, safe on every file system."""
    readable = display_url(url).lower()
    path = re.sub(r"^[a-z]+://[^/]+", "", readable).strip("/") or "home"
    slug = re.sub(r"[^a-z0-9]+", "-", path).strip("-")[:50].strip("-") or "page"
    return f"pages/{slug}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}.html"


def value_section(value_basis) -> Section:
    """"How link value is computed": the method, and where this report's numbers come from."""
    return Section("value", "How link value is computed", None, (), (), items=method() + tuple(value_basis),
                   print_note="left out of print; the HTML report and the README explain it. Values are estimates "
                              "from sampled data: use them to rank links against each other.")


@lru_cache(maxsize=4096)
def _day_text(day) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def daily_charts(days: list[dt.date], by_day: dict, fresh_days: set, chart_id: str) -> tuple[Chart, ...]:
    """Clicks and impressions per day, as two line charts (days not final dashed)."""
    fresh_from = next((i for i, d in enumerate(days) if d in fresh_days), None)
    out = []
    for key, name, cls in (("clicks", "Clicks", "s-clicks"), ("impressions", "Impressions", "s-impr")):
        values = [by_day[d][key] if d in by_day else None for d in days]
        wide, narrow = charts.line_charts(
            days, values, cls=cls, label=f"{name} per day, {days[0]} to {days[-1]}",
            x_text=lambda d: f"{d.day} {d:%b}", point_text=lambda d, v, n=name: f"{_day_text(d)}: {num(v)} {n.lower()}",
            fresh_from=fresh_from)
        out.append(Chart(f"{chart_id}-{key}", f"{name} per day", wide, narrow))
    return tuple(out)


def drill_down_page(d: PageDetail, site: str, period: Period, chart_period: Period, generated: str,
                    fresh: Freshness, home_href: str | None = "../index.html",
                    how_valued: Section | None = None) -> Page:
    """One target page in depth; the same page `gsc-backlinks page URL --format html` writes.

    `how_valued`: the :func:`value_section` of the Valuer that annotated `d` (None: links not rated).
    """
    full = display_url(d.url)
    facts: list[tuple[str, Cell]] = [("Page", link_cell(d.url, limit=200))]
    facts.append(("Incoming links", Cell(num(d.incoming_links) if d.incoming_links is not None
                                         else "not in the Top target pages export")))
    facts.append(("Linking sites", num_cell(d.linking_sites_count)))
    if d.internal_links is not None:
        facts.append(("Internal links", num_cell(d.internal_links)))
    if d.inspection:
        i = d.inspection
        facts.append(("Index status", Cell(f"{i['verdict'] or '?'} · {i['coverage_state'] or '?'} "
                                           f"(URL Inspection of {pacific_text(i['inspected_at'], time=False)})")))
        if i.get("last_crawl_time"):
            facts.append(("Last crawled by Google", Cell(pacific_text(i["last_crawl_time"]))))
        if i.get("google_canonical") and i["google_canonical"] != d.url:
            facts.append(("Google's canonical", link_cell(i["google_canonical"])))
        if i.get("user_canonical") and i["user_canonical"] != d.url:
            facts.append(("Declared canonical", link_cell(i["user_canonical"])))
    else:
        facts.append(("Index status", Cell("not inspected — gsc-backlinks inspect URL --site …", cls="muted")))

    stats = search_stats(d.metrics(), d.metrics(previous=True), f"vs {period.previous().label()}") if d.has_week else []

    sections: list[Section] = []
    by_day = {day: {"clicks": c, "impressions": i} for day, c, i in d.daily}
    if by_day:
        fresh_days = set()
        if fresh.search.last_final:
            fresh_days = {day for day in by_day if day > fresh.search.last_final}
        sections.append(Section("search", "Search traffic",
                                f"Clicks and impressions of this page per day, {chart_period.iso()} (Pacific Time).",
                                (), daily_charts(chart_period.each_day(), by_day, fresh_days, "page")))
    rows: tuple[tuple[Cell, ...], ...]
    if d.queries:
        rows = tuple((text_cell(q["query"]), num_cell(q["clicks"]), num_cell(q["impressions"]),
                      Cell(pct(q["ctr"]), q["ctr"]), pos_cell(q["position"])) for q in d.queries)
        sections.append(Section("queries", "Top queries", None, (Table(
            "queries", f"Top queries, {period.label()}",
            (Column("query", "Query"), Column("clicks", "Clicks", True), Column("impressions", "Impressions", True),
             Column("ctr", "CTR", True), Column("position", "Position", True)), rows, len(rows),
            "Anonymized queries are not listed by Search Console, so these add up to less than the page's totals.",
            sort_column=1),)))
    rated = how_valued is not None and d.rated
    vcols = shown(C.VALUE_COLUMNS) if rated else ()

    def vcells(row: dict) -> tuple:
        return value_cells(row) if rated else ()

    site_rows = tuple((text_cell(s["site"], limit=60), *vcells(s), num_cell(s["linking_pages"]),
                       date_cell(s["first_seen"]), date_cell(s["last_seen"])) for s in d.linking_sites)
    checked = any(p.get("check_status") or p.get("tool") for p in d.linking_pages)
    check_cols = (Column("anchor_text", "Anchor", help="The link's text as the newest link check saw it (else as a "
                         "third-party tool lists it); the words around it in the tooltip"),
                  Column("rel", "Rel", help="nofollow / ugc / sponsored, or followed"),
                  Column("check_status", "Status", help="What the newest link check found (gsc-backlinks check), "
                         "else what a third-party tool says")
                  ) if checked else ()

    def check_cells(p: dict) -> tuple:
        if not checked:
            return ()
        context = " ".join(filter(None, (p.get("context_before"), "[…]", p.get("context_after")))) \
            if p.get("anchor_text") is not None and p.get("check_status") else None
        anchor = text_cell(p.get("anchor_text"), limit=60)
        anchor = Cell(anchor.text, anchor.sort, cls=anchor.cls, title=printable(context) if context else anchor.title)
        status = p.get("check_status")
        tool = p.get("tool")
        if status:
            # In the words the weekly report uses for the same finding ("link removed", "page gone (404/410)").
            shown_status = Cell(_STATUS_WORDS.get(status) or LOST_REASON.get(status, status.replace("_", " ")), status,
                                title=printable(p["check_reason"]) if p.get("check_reason") else None)
        elif tool:
            said = f"lost ({tool['reason']})" if tool.get("lost_on") else "live"
            shown_status = Cell(f"{tool['tool']}: {said}", f"tool {said}", cls="muted",
                                title=f"Not checked; {tool['tool']} last saw it {tool['last_seen'] or 'on an unknown date'}")
        else:
            shown_status = Cell(UNKNOWN, "", cls="muted")
        return (anchor, text_cell(p.get("rel")), shown_status)

    page_rows = tuple((link_cell(p["linking_url"]), *vcells(p), *check_cells(p), text_cell(p["linking_domain"], limit=50),
                       Cell(p["source"]), date_cell(p["first_seen"]), date_cell(p["last_seen"]),
                       date_cell(p["last_crawled"]))
                      for p in d.linking_pages)
    by_value = " Sorted by value (see “How link value is computed”)." if rated else ""
    sort_at = 1 if rated else None
    missing = ("No drill-down export of this page yet: in Search Console open Links → Top linked pages → this "
               "page → Export (its linking sites; then a site → Export for its linking pages), and run "
               f"`gsc-backlinks import FILE --site {site} --target {full}`.")
    site_table = (Table("linking-sites", "Linking sites",
                        (Column("site", "Linking site"), *vcols, Column("linking_pages", "Linking pages", True),
                         Column("first_seen", "First seen"), Column("last_seen", "Last seen")),
                        site_rows, len(site_rows), "From “Top sites linking to this page” exports of this page." + by_value,
                        sort_column=1),) if site_rows else ()
    sections.append(Section("links", "Who links here", None if site_rows else missing, (
        *site_table,
        Table("linking-pages", "Linking pages",
              (Column("linking_url", "Linking page"), *vcols, *check_cols, Column("linking_domain", "Domain"),
               Column("source", "Source"), Column("first_seen", "First seen"), Column("last_seen", "Last seen"),
               Column("last_crawled", "Crawled")),
              page_rows, len(page_rows) + d.exported_links_left_out,
              ("From linking-pages exports of this page, URL Inspection's sample of referring URLs, link checks "
               "(anchor, rel and what the newest check found; a removed link counts 0 in value) and third-party "
               "exports of your links. Crawled: Google's last crawl of the page (Latest links). " if checked else
               "From linking-pages exports of this page and URL Inspection's sample of referring URLs. Crawled: "
               "Google's last crawl of the page (Latest links). ") + SAMPLE_NOTE
              + by_value
              + (f" `gsc-backlinks page {full} --site {site} --all` lists every one."
                 if d.exported_links_left_out else ""),
              empty="No linking pages known for this page: export them from Search Console's drill-down, or run "
                    "`gsc-backlinks inspect` on it for Google's sample of referring URLs.", sort_column=sort_at),
    )))
    if d.site_samples and not d.linking_pages:  # only when nothing better is known
        rows = tuple((link_cell(p["linking_url"]), *vcells(p), text_cell(p["linking_domain"], limit=50),
                      date_cell(p["last_crawled"])) for p in d.site_samples)
        sections[-1] = Section(sections[-1].id, sections[-1].title, sections[-1].intro, sections[-1].tables + (Table(
            "site-samples", "Sample links from these linking sites (they may point at other pages of yours)",
            (Column("linking_url", "Linking page"), *vcols, Column("linking_domain", "Domain"),
             Column("last_crawled", "Crawled")),
            rows, len(rows),
            "From the newest More sample links and Latest links exports: pages of the sites above that link to this "
            "property. The exports do not say which of your pages each one links to, so some may link elsewhere."
            + by_value,
            page_size=10, sort_column=sort_at),))
    if d.anchor_matches is not None:
        rows = tuple((text_cell(a["anchor_text"]), Cell(a["class"])) for a in d.anchor_matches)
        sections.append(Section("anchors", "Anchor texts about this page", None, (Table(
            "anchor-matches", "Anchor texts that match this page's queries",
            (Column("anchor_text", "Anchor text"), Column("class", "Class")), rows, len(rows),
            "Anchor texts of the site's Top linking text export that equal (exact match) or share a significant word "
            "with (partial match) this page's top queries. Search Console does not say which page an anchor points "
            "to, so these are the anchors likely to be about this page.",
            empty="None of the site's anchor texts match this page's queries."),)))
    if rated and how_valued is not None:
        sections.append(how_valued)
    if d.link_history:
        dates = [day for day, _, _ in d.link_history]
        out = []
        for col, (name, cls) in enumerate((("Incoming links", "s-domains"), ("Linking sites", "s-pages")), start=1):
            values = [row[col] for row in d.link_history]
            wide, narrow = charts.line_charts(
                dates, values, cls=cls, label=f"{name} per snapshot of the Top target pages export", height=150,
                x_text=lambda day: f"{day.day} {day:%b}",
                point_text=lambda day, v, n=name: f"{day}: {num(v)} {n.lower()}")
            out.append(Chart(f"history-{cls}", f"{name} per snapshot", wide, narrow))
        sections.append(Section("history", "Links over time", "From the Top target pages exports of every date "
                                "held.", (), tuple(out)))
    return Page(
        title=f"{shorten(full, 60)} · links and search",
        heading=shorten(full, 80),
        subtitle=site,
        generated=generated,
        period=f"{period.label()} ({period.iso()}, Pacific Time), compared with {period.previous().label()}",
        stats=tuple(stats),
        sections=tuple(sections),
        facts=tuple(facts),
        home_href=home_href,
        nav=tuple((f"#s-{s.id}", s.title) for s in sections),
    )


def _iso(value):
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):  # the store keeps moments in UTC
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def page_json(d: PageDetail, match: Match, site: str, period: Period, missing: list[str], *,
              limit: int | None, value_basis: list[str]) -> dict:
    """The documented JSON shape of `gsc-backlinks page URL --format json` (see README)."""
    pages = d.linking_pages[:limit] if limit else d.linking_pages
    prev = period.previous()
    return {
        "property": site,
        "page": d.url,
        "typed": match.typed,
        "match": match.how,
        "other_spellings": list(match.others),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "previous_start": prev.start.isoformat(), "previous_end": prev.end.isoformat()},
        "links": {
            "incoming_links": d.incoming_links,
            "linking_sites": d.linking_sites_count,
            "internal_links": d.internal_links,
            "history": [{"snapshot_date": _iso(day), "incoming_links": n, "linking_sites": s}
                        for day, n, s in d.link_history],
        },
        "linking_sites": [{k: _iso(v) for k, v in s.items()} for s in d.linking_sites],
        "linking_pages_total": len(d.linking_pages),
        "linking_pages": [{k: _iso(v) for k, v in p.items()} for p in pages],
        "site_samples": [{k: _iso(v) for k, v in p.items()} for p in d.site_samples],
        "inspection": {k: _iso(v) for k, v in d.inspection.items()} if d.inspection else None,
        "search": {**d.metrics(), "previous": d.metrics(previous=True)},
        "top_queries": d.queries,
        "anchor_matches": d.anchor_matches or [],
        "missing": missing,
        "value_basis": list(value_basis),
    }
