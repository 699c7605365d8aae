"""From the store to the view model: the weekly report and its drill-down pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from ..analysis import weekly as W
from ..analysis.anchors import TOP_QUERIES
from ..analysis.links import WHERE, anchor_rules
from ..analysis.value import Valuer
from ..dates import Period
from ..exports.kinds import KINDS
from ..urls import display_url, printable
from . import charts
from .model import (
    Cell,
    Chart,
    Column,
    Page,
    Report,
    Section,
    Source,
    Stat,
    Table,
    clean,
    date_cell,
    delta,
    delta_cell,
    link_cell,
    num,
    num_cell,
    pct,
    pos,
    pos_cell,
    text_cell,
)

INDEX_ROWS = 200  #: longest table on the weekly page; longer lists get their own page
LIST_ROWS = 10_000  #: longest list page (about 3.5 MB); `links samples --format csv` gives every row
CHART_WEEKS = 8
SAMPLE_NOTE = ("Search Console's link exports are a sample of the links Google knows, not all of them; "
               "\"lost\" means no longer in Google's sample, not necessarily removed.")
WANTED_KINDS = ("top_target_pages", "top_linking_sites", "top_linking_text", "sample_links", "latest_links")


@dataclass(frozen=True)
class Options:
    site: str
    now: dt.datetime  #: when the report is generated, in Pacific Time (shown; passed in for byte-stable output)
    week: Period | None = None
    search_type: str = "web"
    notices: tuple[str, ...] = ()  #: said at the top of the weekly page (what was not synced, and why)
    brands: tuple[str, ...] = ()  #: brand terms beyond the domain's and the stored ones (--brand)

    @property
    def today(self) -> dt.date:
        """The Pacific Time date of `now`: Search Console's day."""
        return self.now.date()


def page_file(url: str) -> str:
    """``pages/<readable part>-<hash>.html``: stable, unique, safe on every file system."""
    shown = display_url(url).lower()
    path = re.sub(r"^[a-z]+://[^/]+", "", shown).strip("/") or "home"
    slug = re.sub(r"[^a-z0-9]+", "-", path).strip("-")[:50].strip("-") or "page"
    return f"pages/{slug}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}.html"


def property_slug(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", site).strip("_") or "property"


def build_weekly(con, opts: Options) -> tuple[Report, Period]:
    """The weekly report's pages for one property (nothing is written)."""
    site = opts.site
    # A past week: links as they were then.  Every section picks from the snapshots read here.
    snaps = W.Snapshots.read(con, site, opts.week.end if opts.week else None)
    fresh = W.freshness(con, site, snaps, opts.search_type)
    period, period_notes = W.report_period(fresh.search.last_final, opts.today, opts.week)
    prev = period.previous()
    chart_period = chart_period_ending(period.end)
    pages: dict[str, Page] = {}
    notices = list(opts.notices) + period_notes

    # Search performance.
    cur = W.search_totals(con, site, period, opts.search_type)
    old = W.search_totals(con, site, prev, opts.search_type)
    has_search = fresh.search.last_day is not None
    stats: list[Stat] = []
    if has_search:
        if cur.days < period.days:
            notices.append(f"Search data holds {cur.days} of the {period.days} days of this week; totals cover those days only.")
        if cur.fresh_days:
            notices.append(f"{cur.fresh_days} day(s) of this week are not final yet in Search Console; their numbers can still change.")
        stats += search_stats(cur.metrics(), old.metrics(), f"vs {prev.label()}" if old.days else None)
    for count in W.link_counts(con, snaps):
        if count.value is None:
            continue
        text, cls = delta(count.value, count.previous)
        when = f"snapshot of {count.snapshot.date}"
        compare = f"vs {count.previous_snapshot.date}: {num(count.previous)}" if count.previous_snapshot else "no earlier snapshot"
        stats.append(Stat(count.name, num(count.value), text, cls, compare, f"{count.basis}; {when}"))

    sections: list[Section] = []
    if has_search:
        sections.append(_search_section(con, site, chart_period, fresh, opts))
    else:
        sections.append(Section("search", "Search performance",
                                "No search performance data in the store for this property. Run "
                                "`gsc-backlinks auth login` once, then `gsc-backlinks sync --site …` "
                                "(the weekly report syncs by itself unless --offline)."))

    linked_df, linked_snap, linked_prev = W.top_linked_pages(con, site, snaps, period, opts.search_type)
    drill = [] if linked_df is None else list(linked_df["target_url"])
    sections.append(_linked_pages_section(linked_df, linked_snap, linked_prev, has_search))
    domains = W.linking_domains(con, site, snaps)
    # Relevance and value for this property, fitted once for the whole report.
    valuer = Valuer(con, site, period.end, [] if domains is None else list(domains.rows["linking_domain"]),
                    snaps.sample_ids())
    sections.append(_domains_section(con, site, snaps, domains, pages, valuer))
    rules = anchor_rules(con, site, valuer.top_queries(TOP_QUERIES), opts.brands)
    anchor_section, anchors = _anchors_section(con, snaps, rules)
    sections.append(anchor_section)
    sections.append(_changes_section(con, site, snaps, pages))
    opp_section, opp_pages = _opportunities_section(con, site, period, snaps, has_search, opts)
    sections.append(opp_section)
    how_valued = value_section(valuer)  # one for the weekly page and every drill-down
    sections.append(how_valued)
    linked = set(drill)
    drill += [u for u in opp_pages if u not in linked]

    generated = generated_at(opts.now)
    period_text = f"{period.label()} ({period.iso()}, Pacific Time), compared with {prev.label()}"
    index = Page(
        title=f"Links and search · {site} · {period.label()}",
        heading="Weekly links and search report",
        subtitle=site,
        generated=generated,
        period=period_text,
        sources=_sources(fresh, has_search),
        freshness=_freshness_line(fresh),
        notices=tuple(notices),
        stats=tuple(stats),
        sections=tuple(sections),
        nav=tuple((f"#s-{s.id}", s.title) for s in sections),
    )
    details = W.page_details(con, site, drill, period, chart_period, snaps, search_type=opts.search_type)
    topics = valuer.page_topics(con, drill)
    for url in drill:
        valuer.annotate(details[url], topics[url], anchors)
        pages[page_file(url)] = drill_down_page(details[url], site, period, chart_period, generated, fresh,
                                                how_valued=how_valued)
    return Report(index, pages), period


def chart_period_ending(end: dt.date) -> Period:
    """The days the daily charts show: the CHART_WEEKS weeks ending `end`."""
    return Period(end - dt.timedelta(days=7 * CHART_WEEKS - 1), end)


def generated_at(now: dt.datetime) -> str:
    """When a page was made, as its header says it."""
    return now.strftime("%Y-%m-%d %H:%M %Z").strip()


def authority_cell(rated: dict) -> Cell:
    if rated.get("authority") is None:
        return Cell("unknown", -1, cls="muted", title="Not in the loaded rank file(s)")
    return Cell(str(rated["authority"]), rated["authority"],
                title=f"Rank {rated['authority_rank']:,} in {rated['authority_source']}")


def relevance_cell(rated: dict) -> Cell:
    if rated.get("relevance") is None:
        return Cell("–", -1, cls="muted")
    return Cell(f"{rated['relevance']} · {rated['relevance_band']}", rated["relevance"])


def value_cell(rated: dict) -> Cell:
    return Cell(str(rated["value"]), rated["value"])


VALUE_COLUMNS = (
    Column("value", "Value", True, help="0-100: half authority, half relevance (see How link value is computed)"),
    Column("authority", "Authority", True, help="0-100 on a log scale of the domain's rank in the loaded rank file"),
    Column("relevance", "Relevance", True, help="0-100: how close the linking pages' words come to your search queries"),
)


def _value_cells(rated: dict) -> tuple[Cell, Cell, Cell]:
    return value_cell(rated), authority_cell(rated), relevance_cell(rated)


def value_rules() -> tuple[str, ...]:
    """How link value is computed, in the user's words (the weekly report and `page`)."""
    from ..analysis import relevance as R
    from ..analysis.value import DOMAIN_PAGES, FLAG_FACTORS, TOPIC_DAYS

    bands = ", ".join(f"{name} from {floor}" for floor, name in R.BANDS)
    return (
        "Authority (0-100) comes from the domain's rank in a free web-graph rank file you load "
        "(gsc-backlinks authority load): 100 x (1 - log10(rank) / 8), so rank 1 is 100, rank 10,000 is 50, "
        "rank 1 million is 25 and rank 100 million is 1. A domain the file does not list shows \"unknown\", never 0. "
        "Common Crawl's web graph is used before Majestic, Majestic before Tranco.",
        f"Relevance (0-100; {bands}) compares what a linking page is about (the words of its host name and URL "
        "path, and its anchor text or title where a source has one) with what your page is about (its search "
        f"queries of the last {TOPIC_DAYS} days, weighted by impressions; its URL words when it has none). "
        "The comparison is TF-IDF cosine similarity over words, word pairs and 3-5 letter fragments (so "
        f"\"composting-guide\" meets \"compost guide\"), scaled so {R.FULL:g} counts as 100. A linking domain's text "
        f"is that of up to {DOMAIN_PAGES} of its sampled linking pages, compared with the whole site's queries.",
        f"Value (0-100) = half authority + half relevance, x{FLAG_FACTORS['nofollow']:g} for a nofollow or UGC link "
        f"and x{FLAG_FACTORS['sponsored']:g} for a sponsored one where a source marks it (Search Console's exports "
        "do not). A domain not in the rank file counts "
        "as half the score of the file's last rank; with no rank file loaded, authority counts as 0 and the value "
        "reflects relevance alone.",
        "All three are estimates from sampled data: use them to rank links against each other, not as absolute "
        "measures.",
    )


def value_section(valuer) -> Section:
    """"How link value is computed": the rules, and where this report's numbers come from."""
    return Section("value", "How link value is computed", None, (), (), items=value_rules() + tuple(valuer.explain()))


# --- sections of the weekly page --------------------------------------------------------------------


def _freshness_line(fresh: W.Freshness) -> str:
    parts = []
    if fresh.exports:
        newest = fresh.exports[0]
        parts.append(f"link exports up to {newest.date}")
    else:
        parts.append("no link exports")
    s = fresh.search
    if s.last_final:
        parts.append(f"search data final through {s.last_final}"
                     + (f" ({s.last_day} fresh)" if s.last_day and s.last_day != s.last_final else ""))
    elif s.last_day:
        parts.append(f"search data up to {s.last_day}, none final yet")
    else:
        parts.append("no search data")
    if fresh.last_inspection:
        parts.append(f"URL Inspection up to {fresh.last_inspection:%Y-%m-%d}")
    return "Data: " + "; ".join(parts) + "."


def _sources(fresh: W.Freshness, has_search: bool) -> tuple[Source, ...]:
    out = []
    held = {s.kind: s for s in fresh.exports}
    for snap in fresh.exports:
        out.append(Source(snap.label, f"{snap.date} · {num(snap.rows)} rows · {printable(_file_name(snap.source))}"))
    for kind in WANTED_KINDS:
        if kind not in held and not (kind == "latest_links" and "sample_links" in held):
            out.append(Source(KINDS[kind].label, f"not imported — in Search Console: {WHERE[kind]}", "missing"))
    s = fresh.search
    if has_search:
        tail = ""
        if s.last_day and s.last_day != s.last_final:
            tail = f"; {s.last_day} is {s.last_state}, not final yet"
        fetched = f"; fetched {s.fetched_at:%Y-%m-%d %H:%M}" if s.fetched_at else ""
        out.append(Source("Search performance (API)",
                          f"{s.first_day} to {s.last_final or s.last_day} final{tail}{fetched}",
                          "fresh" if tail else ""))
    else:
        out.append(Source("Search performance (API)", "none in the store — gsc-backlinks auth login, then sync", "missing"))
    if fresh.inspections:
        out.append(Source("URL Inspection (API)",
                          f"{num(fresh.inspections)} results, newest {fresh.last_inspection:%Y-%m-%d}"))
    else:
        out.append(Source("URL Inspection (API)", "none — gsc-backlinks inspect URL… or sync --inspect-top N", "missing"))
    return tuple(out)


def _file_name(source: str) -> str:
    """The file's name, without the folders it was imported from (or the zip member's name)."""
    return re.split(r"[\\/]", source)[-1] or source


@lru_cache(maxsize=4096)
def _day_text(day) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _daily_charts(days: list[dt.date], by_day: dict, fresh_days: set, chart_id: str) -> tuple[Chart, ...]:
    fresh_from = next((i for i, d in enumerate(days) if d in fresh_days), None)
    out = []
    for key, name, cls in (("clicks", "Clicks", "s-clicks"), ("impressions", "Impressions", "s-impr")):
        values = [by_day[d][key] if d in by_day else None for d in days]
        svg = charts.line_chart(
            days, values, cls=cls, label=f"{name} per day, {days[0]} to {days[-1]}",
            x_text=lambda d: f"{d.day} {d:%b}", point_text=lambda d, v, n=name: f"{_day_text(d)}: {num(v)} {n.lower()}",
            fresh_from=fresh_from)
        out.append(Chart(f"{chart_id}-{key}", f"{name} per day", svg))
    return tuple(out)


def _search_section(con, site, chart_period: Period, fresh: W.Freshness, opts: Options) -> Section:
    by_day = {}
    fresh_days = set()
    for day, clicks, impressions, state in W.daily_totals(con, site, chart_period, opts.search_type):
        by_day[day] = {"clicks": clicks, "impressions": impressions}
        if state != "final":
            fresh_days.add(day)
    days = chart_period.each_day()
    table = Table(
        "daily", "Clicks and impressions per day",
        (Column("day", "Day"), Column("clicks", "Clicks", True), Column("impressions", "Impressions", True),
         Column("state", "Data")),
        tuple((date_cell(d), num_cell(by_day[d]["clicks"]), num_cell(by_day[d]["impressions"]),
               Cell("fresh" if d in fresh_days else "final", cls="muted" if d not in fresh_days else "new"))
              for d in reversed(days) if d in by_day),
        len(by_day), page_size=14)
    intro = (f"Daily totals for the property over the last {CHART_WEEKS} weeks ({chart_period.iso()}, Pacific Time), "
             "as Search Console's performance report counts them.")
    if fresh_days:
        intro += " Dashed: days not final yet."
    return Section("search", "Search performance", intro, (table,), _daily_charts(days, by_day, fresh_days, "daily"))


def search_stats(cur: dict, old: dict, compare: str | None) -> list[Stat]:
    """Clicks, impressions, CTR, position (dicts of W.search_metrics) with their change."""
    out = []
    for label, key, fmt, kind in (("Clicks", "clicks", num, "num"), ("Impressions", "impressions", num, "num"),
                                  ("CTR", "ctr", pct, "pct"), ("Average position", "position", pos, "pos")):
        text, cls = delta(cur[key], old[key], lower_is_better=key == "position", kind=kind)
        out.append(Stat(label, fmt(cur[key]), text, cls, f"{compare}: {fmt(old[key])}" if compare else None))
    return out


def _linked_pages_section(df, snap, prev_snap, has_search: bool) -> Section:
    if df is None:
        return Section("pages", "Top linked pages",
                       f"No Top target pages export imported. In Search Console: {WHERE['top_target_pages']}.")
    cols = [Column("target_url", "Target page"),
            Column("incoming_links", "Links", True, "Incoming links (Top target pages export)"),
            Column("links_change", "Δ links", True, "Change since the previous Top target pages snapshot"),
            Column("linking_sites", "Sites", True, "Linking sites")]
    if has_search:
        cols += [Column("clicks", "Clicks", True), Column("clicks_change", "Δ clicks", True, "vs the week before"),
                 Column("impressions", "Impressions", True), Column("impr_change", "Δ impr.", True, "vs the week before"),
                 Column("position", "Position", True, "Average position (lower is better)"),
                 Column("pos_change", "Δ pos.", True, "Change in average position (negative = better)")]
    rows = []
    for r in df.head(INDEX_ROWS).itertuples(index=False):
        url = r.target_url
        target = own_page_cell(url, page_file(url))
        if prev_snap is None:
            links_change = Cell("–", cls="muted")  # nothing to compare with yet
        elif clean(r.prev_incoming_links) is None:
            links_change = Cell("new", None, cls="new")
        else:
            links_change = delta_cell(r.incoming_links, r.prev_incoming_links)
        row = [target, num_cell(r.incoming_links), links_change, num_cell(r.linking_sites)]
        if has_search:
            row += [num_cell(r.clicks), delta_cell(r.clicks, r.prev_clicks),
                    num_cell(r.impressions), delta_cell(r.impressions, r.prev_impressions),
                    pos_cell(r.position), delta_cell(r.position, r.prev_position, lower_is_better=True, kind="pos")]
        rows.append(tuple(row))
    note = f"From the Top target pages export of {snap.date}. Each page opens its drill-down: who links to it and its search traffic."
    if len(df) >= W.UI_ROW_CAP:
        note += " Search Console lists at most 1,000 pages."
    return Section("pages", "Top linked pages", None, (Table("linked-pages", "Top linked pages", tuple(cols), tuple(rows), len(df),
                                                             note, sort_column=1),))


def own_page_cell(url: str, href: str | None) -> Cell:
    """One of the property's own pages: its path for short (the host is the same on every row)."""
    shown = display_url(url)
    path = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]+", "", shown) or "/"
    return Cell(shorten_title(path, 80), url, href=href, title=shown)


def _domains_section(con, site, snaps: W.Snapshots, domains: W.DomainTable | None, pages: dict, valuer) -> Section:
    basis, history = W.domains_history(con, snaps)
    charts_ = ()
    if history:
        dates = [d for d, _ in history]
        values = [n for _, n in history]
        what = "Top linking sites export" if basis == "sites" else "Google's sample of links"
        svg = charts.line_chart(dates, values, cls="s-domains",
                                label=f"Linking domains per snapshot ({what})", x_text=lambda d: d.isoformat(),
                                point_text=lambda d, v: f"{d}: {num(v)} linking domains", x_every=max(1, len(dates) // 6),
                                height=160)
        charts_ = (Chart("domains-history", f"Linking domains per snapshot ({what})", svg),)
    if domains is None:
        return Section("domains", "Linking domains",
                       f"No Top linking sites or sample links export imported. In Search Console: {WHERE['top_linking_sites']}.",
                       (), charts_)
    df = domains.rows
    rated = valuer.rate_domains(list(df["linking_domain"]))
    df = df.assign(rated=rated, value=[r["value"] for r in rated])
    df = df.sort_values(["value", "linking_pages", "linking_domain"], ascending=[False, False, True], kind="stable")
    has_targets = df["target_pages"].notna().any()
    cols = [Column("linking_domain", "Linking domain"), *VALUE_COLUMNS, Column("linking_pages", "Linking pages", True)]
    if has_targets:
        cols.append(Column("target_pages", "Target pages", True))
    cols.append(Column("first_seen", "First seen", help="First snapshot of any export that names this domain"))

    def rows_of(frame):
        out = []
        for r in frame.itertuples(index=False):
            name = text_cell(r.linking_domain, limit=60)
            name = Cell(name.text, name.sort, title=name.title, badge="new" if r.is_new else None)
            row = [name, *_value_cells(r.rated), num_cell(r.linking_pages)]
            if has_targets:
                row.append(num_cell(r.target_pages))
            row.append(date_cell(r.first_seen))
            out.append(tuple(row))
        return tuple(out)

    note = (f"From the {domains.basis}, snapshot of {domains.snapshot.date}. Sorted by value: see "
            "“How link value is computed” below.")
    if domains.previous:
        note += f" \"new\": not in any export before this snapshot (previous: {domains.previous.date})."
    more = None
    if len(df) > INDEX_ROWS:
        more = "lists/linking-domains.html"
        full = Table("all-domains", "Linking domains", tuple(cols), rows_of(df.head(LIST_ROWS)), len(df), note, page_size=50)
        pages[more] = _list_page(site, "Linking domains", full, domains.snapshot.date)
    table = Table("domains", "Top linking domains", tuple(cols), rows_of(df.head(INDEX_ROWS)), len(df), note,
                  more_href=more, more_text=f"All {num(len(df))} linking domains" if more else None, sort_column=1)
    return Section("domains", "Linking domains", None, (table,), charts_)


def _anchors_section(con, snaps: W.Snapshots, rules):
    """The anchor section, and the site's anchors indexed for the drill-downs (None without the export)."""
    from ..analysis.anchors import ANCHOR_CLASSES, class_counts

    df, snap = W.anchor_texts(con, snaps)
    if df is None:
        return Section("anchors", "Anchor text",
                       f"No Top linking text export imported. In Search Console: {WHERE['top_linking_text']}."), None
    anchors = list(df["anchor_text"])
    classes = [rules.classify(t) for t in anchors]
    counts = class_counts(classes)
    total = len(classes) or 1
    items = [(c, n / total, f"{n} ({n / total:.0%})", "b-" + c.split()[0].lower()) for c, n in counts.items()]
    svg = charts.bar_chart(items, label="Anchor texts by class")
    rows = tuple((num_cell(r.rank), text_cell(r.anchor_text), Cell(c, ANCHOR_CLASSES.index(c)))
                 for r, c in zip(df.head(INDEX_ROWS).itertuples(index=False), classes))
    brand_text = ", ".join(f"“{b}”" for b in rules.brands) or "none found"
    queries = f"the site's top {len(rules.queries)} non-branded search queries" if rules.queries else \
        "search queries (none in the store: run gsc-backlinks sync)"
    note = (f"Top linking text export of {snap.date}. Search Console writes anchors in lower case with punctuation as "
            f"spaces, and gives ranks, not counts: the make-up counts distinct anchor texts, not links. First rule "
            f"that fits: empty / image; naked URL (a web address); branded (contains {brand_text}; add terms with "
            f"gsc-backlinks brand --add); generic (“click here”, “read more”, “hier”…); exact match (equals one of "
            f"{queries}); partial match (shares a significant word with them); other.")
    table = Table("anchors", "Top anchor text", (Column("rank", "Rank", True), Column("anchor_text", "Anchor text"),
                                                 Column("class", "Class")), rows, len(df), note, sort_column=0,
                  sort_desc=False)
    return Section("anchors", "Anchor text", None, (table,),
                   (Chart("anchor-classes", "Anchor text make-up (share of distinct anchor texts)", svg),)), \
        rules.index(anchors)


def _changes_section(con, site, snaps: W.Snapshots, pages: dict) -> Section:
    tables = []
    intro = SAMPLE_NOTE
    dc = W.domain_changes(con, snaps, LIST_ROWS)
    pc = W.page_changes(con, snaps, LIST_ROWS)
    if not (dc.previous or pc.previous):
        return Section("changes", "New and lost links",
                       "Needs two snapshots of the same export on different dates; import next week's exports to see "
                       "what changed. " + SAMPLE_NOTE)
    for ch in (dc, pc):
        if not ch.previous:
            continue
        span = f"{ch.previous.date} → {ch.latest.date}"
        for which, frame, count in (("new", ch.new, ch.new_count), ("lost", ch.lost, ch.lost_count)):
            if ch.what == "domains":
                cols = (Column("linking_domain", "Linking domain"),)
                rows = tuple((text_cell(d, limit=60),) for d in frame["linking_domain"])
            else:
                cols = (Column("linking_url", "Linking page"), Column("linking_domain", "Linking domain"))
                rows = tuple((link_cell(u), text_cell(d, limit=60))
                             for u, d in zip(frame["linking_url"], frame["linking_domain"]))
            title = (f"New linking {ch.what}" if which == "new"
                     else f"Linking {ch.what} no longer in Google's sample")
            note = f"{ch.latest.label} snapshots {span}."
            tid = f"{which}-{ch.what}"
            more = None
            if count > INDEX_ROWS:
                more = f"lists/{tid}.html"
                shown = (f" The first {num(LIST_ROWS)} are listed here; each snapshot's full list: gsc-backlinks links "
                         f"samples --site {site} --as-of DATE --top 0 --format csv." if count > LIST_ROWS else "")
                pages[more] = _list_page(site, title, Table(tid, title, cols, rows, count, note + shown, page_size=50),
                                         ch.latest.date)
            tables.append(Table(tid, title, cols, rows[:INDEX_ROWS], count, note, empty="None.", more_href=more,
                                more_text=f"All {num(count)}" if more else None, page_size=10))
    return Section("changes", "New and lost links", intro, tuple(tables))


def _opportunities_section(con, site, period: Period, snaps: W.Snapshots, has_search: bool, opts: Options):
    if not has_search:
        return Section("opportunities", "Where links would pay off",
                       "Needs search performance data: sync it first (gsc-backlinks sync)."), []
    few, snap, capped = W.traffic_without_links(con, site, period, snaps, 50, opts.search_type)
    linked_pages = []
    cols = (Column("page", "Page"), Column("impressions", "Impressions", True), Column("clicks", "Clicks", True),
            Column("position", "Position", True), Column("incoming_links", "Known links", True))
    rows = []
    for r in few.itertuples(index=False):
        linked_pages.append(r.page)
        rows.append((own_page_cell(r.page, page_file(r.page)),
                     num_cell(r.impressions), num_cell(r.clicks), pos_cell(r.position),
                     num_cell(r.incoming_links)))
    note = (f"Pages seen most in search this week with {W.FEW_LINKS} or fewer incoming links in the Top target pages export"
            + (f" of {snap.date}" if snap else " (none imported: every page counts as unlinked)") + ".")
    if capped:
        note += " That export lists at most 1,000 pages, so a page missing from it may still have a few links."
    t1 = Table("traffic-few-links", "Search traffic, few or no known links", cols, tuple(rows), len(rows), note,
               empty="Every page with impressions this week has more than a few known links.", sort_column=1)
    tables = [t1]
    none, snap2 = W.links_without_traffic(con, site, period, snaps, 50, opts.search_type)
    if none is not None:
        rows2 = []
        for r in none.itertuples(index=False):
            rows2.append((own_page_cell(r.target_url, page_file(r.target_url)),
                          num_cell(r.incoming_links), num_cell(r.linking_sites)))
        tables.append(Table("links-no-traffic", "Linked pages with no search traffic",
                            (Column("target_url", "Target page"), Column("incoming_links", "Links", True),
                             Column("linking_sites", "Sites", True)), tuple(rows2), len(rows2),
                            f"Pages of the Top target pages export of {snap2.date} with no impressions in {period.label()}: "
                            "their links bring no search visibility (redirected, noindexed, or not what people search for?).",
                            empty="Every linked page had impressions this week.", sort_column=1))
    return Section("opportunities", "Where links would pay off",
                   "Pages people find in search but few sites link to are where link building pays off first; "
                   "linked pages nobody finds in search may need a fix.", tuple(tables)), linked_pages


def _list_page(site: str, title: str, table: Table, date) -> Page:
    return Page(title=f"{title} · {site}", heading=title, subtitle=site, generated="",
                period=f"snapshot of {date}", sections=(Section("list", title, None, (table,)),), home_href="../index.html")


# --- drill-down --------------------------------------------------------------------------------------


def drill_down_page(d: W.PageDetail, site: str, period: Period, chart_period: Period, generated: str,
                    fresh: W.Freshness, home_href: str | None = "../index.html",
                    how_valued: Section | None = None) -> Page:
    """One target page in depth; the same page `gsc-backlinks page URL --format html` writes.

    `how_valued`: the :func:`value_section` of the Valuer that annotated `d` (None: links not rated).
    """
    shown = display_url(d.url)
    facts: list[tuple[str, Cell]] = [("Page", link_cell(d.url, limit=200))]
    facts.append(("Incoming links", Cell(num(d.incoming_links) if d.incoming_links is not None else "not in the Top target pages export")))
    facts.append(("Linking sites", Cell(num(d.linking_sites_count) if d.linking_sites_count is not None else "–")))
    if d.internal_links is not None:
        facts.append(("Internal links", num_cell(d.internal_links)))
    if d.inspection:
        i = d.inspection
        facts.append(("Index status", Cell(f"{i['verdict'] or '?'} · {i['coverage_state'] or '?'} (URL Inspection of {i['inspected_at']:%Y-%m-%d})")))
        if i.get("last_crawl_time"):
            facts.append(("Last crawled by Google", Cell(f"{i['last_crawl_time']:%Y-%m-%d %H:%M} UTC")))
        if i.get("google_canonical") and i["google_canonical"] != d.url:
            facts.append(("Google's canonical", link_cell(i["google_canonical"])))
        if i.get("user_canonical") and i["user_canonical"] != d.url:
            facts.append(("Declared canonical", link_cell(i["user_canonical"])))
    else:
        facts.append(("Index status", Cell("not inspected — gsc-backlinks inspect URL --site …", cls="muted")))

    stats = search_stats(d.metrics(), d.metrics(previous=True), f"vs {period.previous().label()}") if d.week else []

    sections = []
    by_day = {day: {"clicks": c, "impressions": i} for day, c, i in d.daily}
    if by_day:
        fresh_days = set()
        if fresh.search.last_final:
            fresh_days = {day for day in by_day if day > fresh.search.last_final}
        sections.append(Section("search", "Search traffic",
                                f"Clicks and impressions of this page per day, {chart_period.iso()} (Pacific Time).",
                                (), _daily_charts(chart_period.each_day(), by_day, fresh_days, "page")))
    if d.queries:
        rows = tuple((text_cell(q["query"]), num_cell(q["clicks"]), num_cell(q["impressions"]),
                      Cell(pct(q["ctr"]), q["ctr"]), pos_cell(q["position"])) for q in d.queries)
        sections.append(Section("queries", "Top queries", None, (Table(
            "queries", f"Top queries, {period.label()}",
            (Column("query", "Query"), Column("clicks", "Clicks", True), Column("impressions", "Impressions", True),
             Column("ctr", "CTR", True), Column("position", "Position", True)), rows, len(rows),
            "Anonymized queries are not listed by Search Console, so these add up to less than the page's totals.",
            sort_column=1),)))
    rated = how_valued is not None
    vcols = VALUE_COLUMNS if rated else ()

    def vcells(row: dict) -> tuple:
        return _value_cells(row) if rated else ()

    site_rows = tuple((text_cell(s["site"], limit=60), *vcells(s), num_cell(s["linking_pages"]),
                       date_cell(s["first_seen"]), date_cell(s["last_seen"])) for s in d.linking_sites)
    page_rows = tuple((link_cell(p["linking_url"]), *vcells(p), text_cell(p["linking_domain"], limit=50), Cell(p["source"]),
                       date_cell(p["first_seen"]), date_cell(p["last_seen"]), date_cell(p["last_crawled"]))
                      for p in d.linking_pages)
    by_value = " Sorted by value (see “How link value is computed”)." if rated else ""
    sort_at = 1 if rated else None
    missing = ("No drill-down exports recorded for this page. In Search Console open Links → Top linked pages → this "
               "page, export its linking sites (and a site's linking pages), then run "
               f"`gsc-backlinks import FILE --site {site} --target {shown}`.")
    sections.append(Section("links", "Who links here", None, (
        Table("linking-sites", "Linking sites",
              (Column("site", "Linking site"), *vcols, Column("linking_pages", "Linking pages", True),
               Column("first_seen", "First seen"), Column("last_seen", "Last seen")),
              site_rows, len(site_rows), "From “Top sites linking to this page” exports of this page." + by_value,
              empty=missing, sort_column=1),
        Table("linking-pages", "Linking pages",
              (Column("linking_url", "Linking page"), *vcols, Column("linking_domain", "Domain"), Column("source", "Source"),
               Column("first_seen", "First seen"), Column("last_seen", "Last seen"), Column("last_crawled", "Crawled")),
              page_rows, len(page_rows) + d.exported_links_left_out,
              "From linking-pages exports of this page and URL Inspection's sample of referring URLs. " + SAMPLE_NOTE
              + by_value
              + (f" `gsc-backlinks page {shown} --site {site} --all` lists every one."
                 if d.exported_links_left_out else ""),
              empty="No linking pages known for this page: export them from Search Console's drill-down, or run "
                    "`gsc-backlinks inspect` on it for Google's sample of referring URLs.", sort_column=sort_at),
    )))
    if d.site_samples:
        rows = tuple((link_cell(p["linking_url"]), *vcells(p), text_cell(p["linking_domain"], limit=50),
                      date_cell(p["last_crawled"])) for p in d.site_samples)
        sections[-1] = Section(sections[-1].id, sections[-1].title, None, sections[-1].tables + (Table(
            "site-samples", "Sample links from these linking sites",
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
    if rated:
        sections.append(how_valued)
    if d.link_history:
        rows = tuple((date_cell(day), num_cell(links), num_cell(sites)) for day, links, sites in reversed(d.link_history))
        sections.append(Section("history", "Links over time", None, (Table(
            "link-history", "Incoming links per snapshot",
            (Column("date", "Snapshot"), Column("incoming_links", "Incoming links", True),
             Column("linking_sites", "Linking sites", True)), rows, len(rows), "From the Top target pages exports."),)))
    return Page(
        title=f"{shorten_title(shown)} · links and search",
        heading=shorten_title(shown, 80),
        subtitle=site,
        generated=generated,
        period=f"{period.label()} ({period.iso()}, Pacific Time), compared with {period.previous().label()}",
        stats=tuple(stats),
        sections=tuple(sections),
        facts=tuple(facts),
        home_href=home_href,
        nav=tuple((f"#s-{s.id}", s.title) for s in sections),
    )


def shorten_title(text: str, limit: int = 60) -> str:
    from .model import shorten

    return shorten(printable(text), limit)
