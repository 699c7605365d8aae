"""The weekly report's view model: :class:`~..analysis.weekly.WeeklyData` in, pages out (no connection)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..analysis.anchors import ANCHOR_CLASSES, TOP_QUERIES
from ..analysis.domains import EXPORT
from ..analysis.opportunities import FEW_LINKS
from ..analysis.search import TOPIC_DAYS
from ..analysis.snapshots import SAMPLE_NOTE, UI_ROW_CAP
from ..analysis.sources import WANTED_KINDS, WHERE, Freshness
from ..analysis.thirdparty import STALE_DAYS, tool_name
from ..analysis.week import VALUABLE, own_path, tool_only
from ..analysis.weekly import CHART_WEEKS, WeeklyData
from ..dates import pacific_text, to_pacific
from ..exports.kinds import KINDS
from ..exports.thirdparty import export_label
from ..text import UNKNOWN, printable, shorten
from ..urls import display_url
from . import charts
from . import columns as C
from .drilldown import drill_down_page, page_file, value_section
from .lists import INDEX_ROWS, LIST_ROWS, list_page
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
    date_cell,
    delta,
    delta_cell,
    link_cell,
    num,
    num_cell,
    pos_cell,
    search_stats,
    shown,
    text_cell,
    value_cells,
)


def property_slug(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", site).strip("_") or "property"


def generated_at(now: dt.datetime) -> str:
    """When a page was made, as its header says it."""
    return now.strftime("%Y-%m-%d %H:%M %Z").strip()


FRESH_EXPORT_DAYS = 14  #: a link export older than this at the end of the week gets a notice


def weekly_report(data: WeeklyData, *, now: dt.datetime, notices: tuple[str, ...] = ()) -> Report:
    """The weekly page, its list pages and a drill-down page per linked page (nothing is written)."""
    period, prev = data.period, data.period.previous()
    pages: dict[str, Page] = {}
    notes = list(notices) + list(data.notes)
    old = _old_exports_notice(data)
    if old:
        notes.insert(0, old)
    how_valued = value_section(data.value_basis)  # one for the weekly page and every drill-down
    sections = [
        _week_section(data),
        _changes_section(data, pages),
        _trends_section(data),
        _search_section(data, notes),
        _linked_pages_section(data),
        _domains_section(data, pages),
        _anchors_section(data),
        _opportunities_section(data),
    ]
    if data.gap is not None:
        sections.append(_gap_section(data, pages))
        stale = data.gap.stale(period.end)
        if stale:
            notes.append(f"The competitor exports are old: {_stale_text(stale)} at the end of this week (more than "
                         f"{STALE_DAYS} days): the link gap may miss their newer links; export them again from the tool.")
    sections.append(how_valued)
    generated = generated_at(now)
    index = Page(
        title=f"Links and search · {data.site} · {period.label()}",
        heading="Weekly links and search report",
        subtitle=data.site,
        generated=generated,
        period=f"{period.label()} ({period.iso()}, Pacific Time), compared with {prev.label()}",
        sources=_sources(data.freshness) + (_checks_source(data),),
        freshness=_freshness_line(data.freshness),
        notices=tuple(notes),
        sections=tuple(sections),
        nav=tuple((f"#s-{s.id}", s.title) for s in sections),
    )
    for url, detail in data.details.items():
        pages[page_file(url)] = drill_down_page(detail, data.site, period, data.chart_period, generated,
                                                data.freshness, how_valued=how_valued)
    return Report(index, pages)


def _old_exports_notice(data: WeeklyData) -> str | None:
    """Link exports older than two weeks at the end of the report's week: say so first, with what to do (all of
    them, or the kinds that lag behind the others)."""
    newest = [s for s in data.freshness.exports if s.target_url is None]  # newest of each kind, newest first
    if not newest:
        return None
    old = [s for s in newest if (data.period.end - s.date).days > FRESH_EXPORT_DAYS]
    if not old:
        return None
    how = ("In Search Console open Links → Export external links (More sample links, Latest links) and the Top "
           "linked pages, Top linking sites and Top linking text tables (More → Export), then run gsc-backlinks "
           "report weekly again with --exports pointing at your downloads.")
    if len(old) == len(newest):
        age = (data.period.end - newest[0].date).days
        return (f"The newest link export is from {newest[0].date}, {age} days before the end of this week: this "
                f"report's links are that old. {how}")
    lagging = ", ".join(f"{s.label} ({s.date}, {(data.period.end - s.date).days} days)" for s in old)
    return (f"Some link exports are older than {FRESH_EXPORT_DAYS} days at the end of this week: {lagging}; the "
            f"parts of this report built on them are that old. {how}")


# --- this week in links ---------------------------------------------------------------------------------


def _week_section(data: WeeklyData) -> Section:
    week = data.week
    if week is None or week.latest_date is None:
        return Section("week", "This week in links",
                       "No Links exports imported yet: in Search Console open Links → Export external links, then "
                       "gsc-backlinks import FILE --site … (or report weekly --exports DIR).",
                       lead="No link exports held yet: import Search Console's Links exports to see what changes.",
                       tone="first")
    since = f"since {week.previous_date}" if week.previous_date else "no earlier snapshot"
    pc = week.pages.changes
    def basis_of(found) -> str:
        """The card's source; those only a third-party tool saw are counted too, and said (the trends count
        Search Console's alone)."""
        tools = tool_only(found)
        if not tools:
            return week.basis
        names = ", ".join(dict.fromkeys(t for c in tools for t in c.sources))
        return f"{week.basis}; {num(len(tools))} of them seen only by {names}"

    stats = (
        Stat("New linking domains", num(week.new_count), f"value {num(week.new_value)}", "up" if week.new_count else "flat",
             since, basis_of(week.new_domains)),
        Stat("Lost linking domains", num(week.lost_count), f"value {num(week.lost_value)}",
             # Red only when something valuable left: a lost spam domain is no bad news.
             "down" if any(c.value >= VALUABLE for c in week.lost_domains) else "flat", since,
             basis_of(week.lost_domains)),
        Stat("New linking pages", num(pc.new_count) if pc.compared else UNKNOWN,
             f"value {num(week.pages.new_value)}" if pc.compared else None, "up" if pc.new_count else "flat",
             f"since {pc.previous_date}" if pc.compared else "no earlier sample", "in Google's sample of links"),
        Stat("Lost linking pages", num(pc.lost_count) if pc.compared else UNKNOWN,
             f"value {num(week.pages.lost_value)}" if pc.compared else None, "down" if pc.lost_count else "flat",
             f"since {pc.previous_date}" if pc.compared else "no earlier sample", "no longer in Google's sample"),
    )
    tables = [
        Table("best-new", "Best new links", _CHANGE_COLUMNS_NEW, tuple(_change_row(data, c, new=True)
                                                                        for c in week.best_new),
              len(week.best_new), "The most valuable new linking domains, with the page they link to and the anchor "
              "where a link check or a tool saw it.", empty="No new linking domain." if week.compared else
              "Nothing to compare with yet.", sort_column=1, print_rows=5),
        Table("lost-mattered", "Lost links that mattered", _MATTERED_COLUMNS,
              tuple(_change_row(data, c, new=False) for c in week.mattered[:10]), len(week.mattered),
              f"Lost linking domains and links worth {VALUABLE} or more, with why: what the link check saw "
              "(removed, page gone, noindex, nofollow now), what a tool says, or only \"no longer in Google's "
              "sample\" (which does not mean removed).", empty="Nothing valuable lost.", sort_column=1, print_rows=5),
    ]
    targets = week.linked_gone_targets
    if targets:
        tables.append(_broken_targets_table(targets, "gone-targets"))
    also_tools = (f"; {num(len(week.tool_only))} of the domains counted only a third-party tool saw, so the "
                  "trends (Search Console's alone) may differ" if week.tool_only else "")
    intro = (f"What changed in your links {since} ({week.basis or 'no domain export'}{also_tools}): gross counts, each "
             "with the summed value of what came and went, the best new links and the losses that matter. "
             "Full lists are under “New and lost links”.")
    return Section("week", "This week in links", intro, tuple(tables), lead=week.headline, tone=week.tone, stats=stats,
                   lead_more=week.also)


_CHANGE_COLUMNS_NEW = (C.LINKING_DOMAIN, *shown(C.VALUE_COLUMNS), Column("target_url", "Your page"), C.ANCHOR_TEXT,
                       C.FIRST_SEEN, C.SOURCES)
_CHANGE_COLUMNS_LOST = (C.LINKING_DOMAIN, *shown(C.VALUE_COLUMNS), Column("target_url", "Your page"),
                        Column("reason", "Why"), Column("lost_on", "Lost on", help="The check or snapshot that no "
                                                        "longer saw it"), C.SOURCES)
#: Lost links that mattered: a whole domain lost, or one link the checks saw go (its value is that link's page's,
#: which may differ from the domain's in "Top linking domains").
_MATTERED_COLUMNS = (Column("linking_domain", "Link from", help="The linking domain; the link goes to the linking "
                            "page shown on hover"),
                     replace(C.VALUE_COLUMNS[0], help="0-100: of the lost link's page when a check saw the link go, "
                             "else of the whole linking domain"), *shown(C.VALUE_COLUMNS)[1:],
                     *_CHANGE_COLUMNS_LOST[len(shown(C.VALUE_COLUMNS)) + 1:])


def _change_row(data: WeeklyData, c, *, new: bool) -> tuple[Cell, ...]:
    name = text_cell(c.linking_domain, limit=60)
    if c.linking_url:
        name = Cell(name.text, name.sort, href=c.linking_url if c.linking_url.startswith(("http://", "https://"))
                    else None, external=True, title=display_url(c.linking_url))
    target = own_page_cell(c.target_url, page_file(c.target_url) if c.target_url in data.details else None) \
        if c.target_url else Cell(UNKNOWN, "", cls="muted", title="No check or tool has seen where it points")
    common = (name, *value_cells(c.rated), target)
    sources = text_cell(", ".join(c.sources), limit=60)
    if new:
        return (*common, text_cell(c.anchor_text, limit=60), date_cell(c.first_seen), sources)
    return (*common, text_cell(c.reason, limit=80), date_cell(c.lost_on), sources)
# --- the header -----------------------------------------------------------------------------------------


def _freshness_line(fresh: Freshness) -> str:
    parts = []
    if fresh.exports:
        parts.append(f"link exports up to {fresh.exports[0].date}")
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
        parts.append(f"URL Inspection up to {pacific_text(fresh.last_inspection, time=False)}")
    return "Data: " + "; ".join(parts) + "."


def _checks_source(data: WeeklyData) -> Source:
    checks = data.checks
    if checks is None or not checks.pages_checked or checks.newest is None or checks.oldest is None:
        return Source("Link checks", "none — gsc-backlinks check --site … fetches the linking pages", "missing")
    return Source("Link checks", f"{num(checks.pages_checked)} linking pages checked, newest "
                                 f"{pacific_text(checks.newest, time=False)}, oldest {pacific_text(checks.oldest, time=False)}")


def _file_name(source: str) -> str:
    """The file's name, without the folders it was imported from (or the zip member's name)."""
    return re.split(r"[\\/]", source)[-1] or source


def _sources(fresh: Freshness) -> tuple[Source, ...]:
    out = []
    for snap in fresh.exports:
        unchanged = f" · unchanged since {snap.unchanged_since}" if snap.unchanged_since else ""
        out.append(Source(snap.label, f"{snap.date} · {num(snap.rows)} rows{unchanged}", "",
                          printable(_file_name(snap.source))))
    for v in fresh.vendor:
        whose = f" (competitor {v.competitor})" if v.competitor else ""
        unchanged = f" · unchanged since {v.unchanged_since}" if v.unchanged_since else ""
        out.append(Source(f"{export_label(v.export)}{whose}",
                          f"{v.date} · {num(v.rows)} rows{unchanged}", "", printable(_file_name(v.source))))
    for kind in WANTED_KINDS:
        if not fresh.held(kind) and not (kind == "latest_links" and fresh.held("sample_links")):
            out.append(Source(KINDS[kind].label, f"not imported — in Search Console: {WHERE[kind]}", "missing"))
    s = fresh.search
    if s.held:
        tail = ""
        if s.last_day and s.last_day != s.last_final:
            tail = f"; {s.last_day} is {s.last_state}, not final yet"
        fetched = f"; fetched {pacific_text(s.fetched_at)}" if s.fetched_at else ""
        bulk = ""
        if s.bulk_days and s.bulk_days != s.days:
            bulk = f"; {num(s.bulk_days)} of {num(s.days)} days from the bulk export (every row)"
        out.append(Source(f"Search performance ({s.source_label})",
                          f"{s.first_day} to {s.last_final or s.last_day} final{tail}{fetched}{bulk}",
                          "fresh" if tail else ""))
    else:
        out.append(Source("Search performance (API)", "none in the store — gsc-backlinks auth login, then sync", "missing"))
    if fresh.inspections:
        out.append(Source("URL Inspection (API)",
                          f"{num(fresh.inspections)} results, newest "
                          f"{pacific_text(fresh.last_inspection, time=False) if fresh.last_inspection else UNKNOWN}"))
    else:
        out.append(Source("URL Inspection (API)", "none — gsc-backlinks inspect URL… or sync --inspect-top N", "missing"))
    return tuple(out)


# --- sections -------------------------------------------------------------------------------------------


def _search_section(data: WeeklyData, notes: list[str]) -> Section:
    if not data.has_search:
        return Section("search", "Search performance",
                       "No search performance data in the store for this property. Run "
                       "`gsc-backlinks auth login` once, then `gsc-backlinks sync --site …` "
                       "(the weekly report syncs by itself unless --offline).")
    from .drilldown import daily_charts

    period, prev = data.period, data.period.previous()
    cur, old = data.totals, data.previous_totals
    if cur.days < period.days:
        notes.append(f"Search data holds {cur.days} of the {period.days} days of this week; totals cover those days only.")
    if cur.fresh_days:
        notes.append(f"{cur.fresh_days} day(s) of this week are not final yet in Search Console; "
                     "their numbers can still change.")
    stats = tuple(search_stats(cur.metrics(), old.metrics(), f"vs {prev.label()}" if old.days else None))
    chart_period = data.chart_period
    by_day = {d.day: {"clicks": d.clicks, "impressions": d.impressions} for d in data.daily}
    fresh_days = {d.day for d in data.daily if not d.final}
    days = chart_period.each_day()
    table = Table(
        "daily", "Clicks and impressions per day",
        (Column("day", "Day"), Column("clicks", "Clicks", True), Column("impressions", "Impressions", True),
         Column("state", "Data")),
        tuple((date_cell(d), num_cell(by_day[d]["clicks"]), num_cell(by_day[d]["impressions"]),
               Cell("fresh" if d in fresh_days else "final", cls="muted" if d not in fresh_days else "new"))
              for d in reversed(days) if d in by_day),
        len(by_day), page_size=14, print_rows=0)
    intro = (f"This week against the week before, and daily totals for the property over the last {CHART_WEEKS} "
             f"weeks ({chart_period.iso()}, Pacific Time), as Search Console's performance report counts them.")
    if fresh_days:
        intro += " Dashed: days not final yet."
    return Section("search", "Search performance", intro, (table,), daily_charts(days, by_day, fresh_days, "daily"),
                   stats=stats)


def own_page_cell(url: str, href: str | None) -> Cell:
    """One of the property's own pages: its path for short (the host is the same on every row)."""
    return Cell(shorten(printable(own_path(url)), 80), url, href=href, title=display_url(url))


def _linked_pages_section(data: WeeklyData) -> Section:
    linked = data.linked_pages
    if linked is None:
        return Section("pages", "Top linked pages",
                       f"No Top target pages export imported. In Search Console: {WHERE['top_target_pages']}.")
    has_search = data.has_search
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
    for r in linked.rows[:INDEX_ROWS]:
        if linked.previous is None:
            links_change = Cell("–", "", cls="muted")  # nothing to compare with yet
        elif r.previous_links is None:
            links_change = Cell("new", None, cls="new")
        else:
            links_change = delta_cell(r.incoming_links, r.previous_links)
        row = [own_page_cell(r.target_url, page_file(r.target_url)), num_cell(r.incoming_links), links_change,
               num_cell(r.linking_sites)]
        if has_search:
            w, m, p = r.week, r.week.metrics(), r.week.metrics(previous=True)
            row += [num_cell(m["clicks"]), delta_cell(m["clicks"], p["clicks"]),
                    num_cell(m["impressions"]), delta_cell(m["impressions"], p["impressions"]),
                    pos_cell(w.position), delta_cell(w.position, w.prev_position, lower_is_better=True, kind="pos")]
        rows.append(tuple(row))
    note = (f"From the Top target pages export of {linked.snapshot.date}. Each page opens its drill-down: who links "
            "to it and its search traffic.")
    if len(linked.rows) >= UI_ROW_CAP:
        note += f" Search Console lists at most {UI_ROW_CAP:,} pages."
    return Section("pages", "Top linked pages", None, (Table("linked-pages", "Top linked pages", tuple(cols),
                                                             tuple(rows), len(linked.rows), note, sort_column=1),))


def _domains_section(data: WeeklyData, pages: dict[str, Page]) -> Section:
    charts_: tuple[Chart, ...] = ()
    domains = data.domains
    if domains is None:
        return Section("domains", "Linking domains",
                       f"No Top linking sites or sample links export imported. In Search Console: {WHERE['top_linking_sites']}.",
                       (), charts_)
    ranked = sorted(zip(domains.rows, data.domain_values),
                    key=lambda rv: (-rv[1].value, -(rv[0].linking_pages or 0), rv[0].linking_domain))
    has_targets = any(r.target_pages is not None for r in domains.rows)
    cols = [C.LINKING_DOMAIN, *shown(C.VALUE_COLUMNS), C.LINKING_PAGES]
    if has_targets:
        cols.append(C.TARGET_PAGES)
    cols.append(C.FIRST_SEEN)

    def rows_of(pairs) -> tuple:
        out = []
        for r, rated in pairs:
            name = text_cell(r.linking_domain, limit=60)
            name = Cell(name.text, name.sort, title=name.title, badge="new" if r.is_new else None)
            row = [name, *value_cells(rated), num_cell(r.linking_pages)]
            if has_targets:
                row.append(num_cell(r.target_pages))
            row.append(date_cell(r.first_seen))
            out.append(tuple(row))
        return tuple(out)

    what = "Top linking sites export" if domains.basis.kind == EXPORT else \
        "derived from Google's sample of links (no Top linking sites export)"
    note = (f"From the {what}, snapshot of {domains.basis.date}. Sorted by value: see "
            "“How link value is computed” below.")
    if domains.previous:
        note += f" \"new\": not in any export before this snapshot (previous: {domains.previous.date})."
    more = None
    if len(ranked) > INDEX_ROWS:
        more = "lists/linking-domains.html"
        full = Table("all-domains", "Linking domains", tuple(cols), rows_of(ranked[:LIST_ROWS]), len(ranked), note,
                     page_size=50)
        pages[more] = list_page(data.site, "Linking domains", full, domains.basis.date)
    table = Table("domains", "Top linking domains", tuple(cols), rows_of(ranked[:INDEX_ROWS]), len(ranked), note,
                  more_href=more, more_text=f"All {num(len(ranked))} linking domains" if more else None, sort_column=1)
    return Section("domains", "Linking domains", None, (table,), charts_)


def _anchors_section(data: WeeklyData) -> Section:
    found = data.anchors
    if found is None:
        return Section("anchors", "Anchor text",
                       f"No Top linking text export imported. In Search Console: {WHERE['top_linking_text']}.")
    counts = found.class_counts()
    total = len(found.rows) or 1
    items = [(c, n / total, f"{n} ({n / total:.0%})", "b-" + c.split()[0].lower()) for c, n in counts.items()]
    svg = charts.bar_chart(items, label="Anchor texts by class")
    narrow = charts.bar_chart(items, label="Anchor texts by class", width=charts.NARROW)
    rows = tuple((num_cell(r.rank), text_cell(r.anchor_text), Cell(r.anchor_class, ANCHOR_CLASSES.index(r.anchor_class)))
                 for r in found.rows[:INDEX_ROWS])
    rules = found.rules
    brand_text = ", ".join(f"“{b}”" for b in rules.brands) or "none found"
    queries = (f"the site's top {TOP_QUERIES} search queries of the last {TOPIC_DAYS} days, brand queries left out "
               f"({len(rules.queries)} remain)") if rules.queries else \
        "search queries (none in the store: run gsc-backlinks sync)"
    note = (f"Top linking text export of {found.snapshot.date}. Search Console writes anchors in lower case with "
            f"punctuation as spaces, and gives ranks, not counts: the make-up counts distinct anchor texts, not links. "
            f"First rule that fits: empty / image; naked URL (a web address); branded (contains {brand_text}; add terms "
            f"with gsc-backlinks brand --add); generic (“click here”, “read more”, “hier”…); exact match (equals one of "
            f"{queries}); partial match (shares a significant word with them); other.")
    table = Table("anchors", "Top anchor text", (C.RANK, C.ANCHOR_TEXT, C.ANCHOR_CLASS), rows, found.total, note,
                  sort_column=0, sort_desc=False)
    return Section("anchors", "Anchor text", None, (table,),
                   (Chart("anchor-classes", "Anchor text make-up (share of distinct anchor texts)", svg, narrow),))


def _changes_section(data: WeeklyData, pages: dict[str, Page]) -> Section:
    week = data.week
    dc, pc = data.domain_changes, data.page_changes
    if week is None or not (dc.compared or pc.compared):
        return Section("changes", "New and lost links",
                       "Needs two snapshots of the same export on different dates; import next week's exports to see "
                       "what changed. " + SAMPLE_NOTE)
    tables: list[Table] = []
    span = f"{dc.previous_date} → {dc.latest_date}"
    for tid, title, found, count, cols, new in (
            ("new-domains", "New linking domains", week.new_domains, week.new_count, _CHANGE_COLUMNS_NEW, True),
            ("lost-domains", "Lost linking domains", week.lost_domains, week.lost_count, _CHANGE_COLUMNS_LOST, False)):
        if not dc.compared and not found:
            continue
        rows = tuple(_change_row(data, c, new=new) for c in found)
        note = f"{dc.basis} snapshots {span}" if dc.compared else "Links a third-party tool saw appear or go"
        if dc.compared and tool_only(found):
            note += ", and links a third-party tool saw appear or go since"
        note += "; most valuable first."
        more = None
        if count > INDEX_ROWS:
            more = f"lists/{tid}.html"
            pages[more] = list_page(data.site, title, Table(tid, title, cols, rows, count, note, page_size=50,
                                                            sort_column=1), dc.latest_date)
        # Printed once: a list the first screen's "Best new links" already shows whole is left out of print.
        same = new and bool(found) and len(found) == len(week.best_new)
        tables.append(Table(tid, title, cols, rows[:INDEX_ROWS], count, note, empty="None.", more_href=more,
                            more_text=f"All {num(count)}" if more else None, page_size=10, sort_column=1,
                            print_rows=0 if same else 6,
                            print_note="the same as “Best new links” above." if same else None))
    if pc.compared:
        tables += _page_change_tables(data, pages)
    if week.lost_links:
        tables.append(_lost_links_table(data, week.lost_links))
    if week.back:
        tables.append(_back_links_table(data, week.back))
    return Section("changes", "New and lost links", SAMPLE_NOTE, tuple(tables))


def _back_links_table(data: WeeklyData, back) -> Table:
    rows = tuple((link_cell(c.linking_url), *value_cells(c.rated),
                  own_page_cell(c.target_url, page_file(c.target_url) if c.target_url in data.details else None),
                  text_cell(c.anchor_text, limit=60), date_cell(c.lost_on), date_cell(c.back_on))
                 for c in back[:INDEX_ROWS])
    return Table("back-links", "Links back, as the link checks saw them",
                 (C.LINKING_URL, *shown(C.VALUE_COLUMNS), Column("target_url", "Your page"), C.ANCHOR_TEXT,
                  Column("lost_on", "Gone on", help="The check that no longer saw it"),
                  Column("back_on", "Back on", help="The first later check that saw it again")),
                 rows, len(back), "Links a check saw go and a later check saw again: they count as live again.",
                 empty="None.", page_size=10, sort_column=1, print_rows=3)


def _lost_links_table(data: WeeklyData, lost) -> Table:
    """Links the checks saw go since the comparison's start (the week's own list: value, reason, sources)."""
    rows = tuple((link_cell(c.linking_url), *value_cells(c.rated),
                  own_page_cell(c.target_url, page_file(c.target_url) if c.target_url in data.details else None),
                  text_cell(c.anchor_text, limit=60), date_cell(c.lost_on), text_cell(c.reason),
                  text_cell(", ".join(c.sources), limit=60))
                 for c in lost[:INDEX_ROWS])
    since = f" since {data.week.previous_date}" if data.week and data.week.previous_date else ""
    return Table("lost-links", "Links lost, as the link checks saw them",
                 (C.LINKING_URL, *shown(C.VALUE_COLUMNS), Column("target_url", "Your page"), C.ANCHOR_TEXT,
                  Column("lost_on", "Lost on"), Column("reason", "Why"), C.SOURCES), rows, len(lost),
                 f"Links a check of their page saw, and the next check of it no longer did{since} (gsc-backlinks "
                 "check), most valuable first: the value is the linking page's. Unlike \"no longer in Google's "
                 "sample\", these are gone.", empty="None.", page_size=10, sort_column=1, print_rows=5)


_PAGE_COLUMNS = (C.LINKING_URL, C.LINKING_DOMAIN, *shown(C.VALUE_COLUMNS),
                 Column("target_url", "Your page", help="Where a link check or a tool saw it link"))
_PAGE_COLUMNS_NEW = (*_PAGE_COLUMNS, replace(C.ANCHOR_TEXT, screen_only=True), C.FIRST_SEEN,
                     replace(C.SOURCES, screen_only=True))
_PAGE_COLUMNS_LOST = (*_PAGE_COLUMNS, Column("reason", "Why"), Column("lost_on", "Lost on", screen_only=True),
                      replace(C.SOURCES, screen_only=True))


def _page_change_row(data: WeeklyData, c, *, new: bool) -> tuple[Cell, ...]:
    target = own_page_cell(c.target_url, page_file(c.target_url) if c.target_url in data.details else None) \
        if c.target_url else Cell(UNKNOWN, "", cls="muted", title="No check or tool has seen where it points")
    common = (link_cell(c.linking_url), text_cell(c.linking_domain, limit=60), *value_cells(c.rated), target)
    sources = text_cell(", ".join(c.sources), limit=60)
    if new:
        return (*common, text_cell(c.anchor_text, limit=60), date_cell(c.first_seen), sources)
    return (*common, text_cell(c.reason, limit=80), date_cell(c.lost_on), sources)


def _page_change_tables(data: WeeklyData, pages: dict[str, Page]) -> list[Table]:
    week = data.week
    assert week is not None
    ch = week.pages.changes
    out = []
    span = f"{ch.previous_date} → {ch.latest_date}"
    for which, found, count, cols in (("new", week.pages.new_context, ch.new_count, _PAGE_COLUMNS_NEW),
                                      ("lost", week.pages.lost_context, ch.lost_count, _PAGE_COLUMNS_LOST)):
        ranked = sorted(found, key=lambda c: (-c.value, c.linking_domain, c.linking_url or ""))
        rows = tuple(_page_change_row(data, c, new=which == "new") for c in ranked)
        title = "New linking pages" if which == "new" else "Linking pages no longer in Google's sample"
        note = f"{ch.basis} snapshots {span}; most valuable first."
        tid = f"{which}-pages"
        more = None
        if count > INDEX_ROWS:
            more = f"lists/{tid}.html"
            tail = (f" The first {num(LIST_ROWS)} are listed here; each snapshot's full list: gsc-backlinks links "
                    f"samples --site {data.site} --as-of DATE --top 0 --format csv." if count > LIST_ROWS else "")
            pages[more] = list_page(data.site, title, Table(tid, title, cols, rows, count, note + tail,
                                                            page_size=50, sort_column=2), ch.latest_date)
        out.append(Table(tid, title, cols, rows[:INDEX_ROWS], count, note, empty="None.", more_href=more,
                         more_text=f"All {num(count)}" if more else None, page_size=10, sort_column=2, print_rows=3))
    return out


# --- trends -------------------------------------------------------------------------------------------


def _trends_section(data: WeeklyData) -> Section:
    trends = data.trends
    out: list[Chart] = []
    if trends and trends.points:
        dates = [p.date for p in trends.points]
        basis, _ = data.domains_history
        what = "Top linking sites export" if basis and basis.kind == EXPORT else "Google's sample of links"
        for key, title, cls, unit in ((("linking_domains", f"Linking domains ({what})", "s-domains",
                                        "linking domains")),
                                      ("linking_pages", "Linking pages in Google's sample", "s-pages", "linking pages"),
                                      ("value", "Value of the linking domains (summed)", "s-value", "value")):
            values = [getattr(p, key) for p in trends.points]
            if all(v is None for v in values):
                continue
            wide, narrow = charts.line_charts(
                dates, values, cls=cls, label=f"{title} per snapshot, {dates[0]} to {dates[-1]}", height=170,
                x_text=_date_text, point_text=lambda d, v, u=unit: f"{d}: {num(v)} {u}")
            caption = title.replace(" (", " per snapshot (", 1) if "(" in title else f"{title} per snapshot"
            out.append(Chart("domains-history" if key == "linking_domains" else f"trend-{key.replace('_', '-')}",
                             caption, wide, narrow))
    if len(data.anchor_history) >= 1:
        out.append(_anchor_history_chart(data))
    stats = []
    for count in data.counts:
        if count.value is None:
            continue
        text, cls = delta(count.value, count.previous)
        compare = f"vs {count.previous_date}: {num(count.previous)}" if count.previous_date else "no earlier snapshot"
        stats.append(Stat(count.name, num(count.value), text, cls, compare, f"{count.basis}; snapshot of {count.date}"))
    if not out:
        return Section("trends", "Trends", "Trends need link exports: import Search Console's Links exports.",
                       stats=tuple(stats))
    intro = (f"Every snapshot held, oldest first, each point as that export stood ({trends.basis if trends else ''}). "
             "Value is the sum of the linking domains' values (0-100 each), rated against this week's search queries.")
    return Section("trends", "Trends", intro, (), tuple(out), stats=tuple(stats))


def _date_text(d: dt.date) -> str:
    return f"{d.day} {d:%b}" if d.year == dt.date.today().year else f"{d.day} {d:%b} {d:%y}"


def _anchor_history_chart(data: WeeklyData) -> Chart:
    classes = [(f"b-{c.split()[0].lower()}", c) for c in ANCHOR_CLASSES]
    rows = [(str(m.date), [(cls, m.share(name), f"{m.date}: {name} {m.counts.get(name, 0)} of {m.total} "
                                                 f"({m.share(name):.0%})") for cls, name in classes])
            for m in data.anchor_history]
    title = "Anchor text make-up per Top linking text export (share of distinct anchor texts)"
    return Chart("anchor-history", title, charts.stack_chart(rows, classes, label=title),
                 charts.stack_chart(rows, classes, label=title, width=charts.NARROW))


def _stale_text(stale) -> str:
    return ", ".join(f"{s.competitor} ({tool_name(s.vendor)}, {s.date})" for s in stale[:5]) + (
        f" and {len(stale) - 5} more" if len(stale) > 5 else "")


GAP_ROWS = 25  #: link gap rows on the weekly page (the rest under lists/)


def _gap_section(data: WeeklyData, pages: dict[str, Page]) -> Section:
    gap = data.gap
    assert gap is not None
    cols = (C.LINKING_DOMAIN, *shown(C.VALUE_COLUMNS), C.COMPETITOR_COUNT, C.COMPETITORS,
            replace(C.TOOL_METRIC, screen_only=True), Column("example_url", "Their link", screen_only=True),
            C.ANCHOR_TEXT, C.FOLLOWED)

    def rows_of(found) -> tuple:
        out = []
        for r in found:
            first = r.links[0]
            metric = (num_cell(r.metric[1]) if r.metric else Cell(UNKNOWN, None, cls="muted"))
            if r.metric:
                metric = Cell(metric.text, metric.sort, title=r.metric[0])
            out.append((text_cell(r.linking_domain, limit=60), *value_cells(r.rated), num_cell(len(r.competitors)),
                        text_cell(", ".join(r.competitors), limit=60), metric, link_cell(first.linking_url),
                        text_cell(first.anchor_text, limit=60),
                        Cell(UNKNOWN if first.followed is None else "yes" if first.followed else "no", cls="muted"
                             if first.followed is None else "")))
        return tuple(out)

    comps = ", ".join(gap.competitors)
    note = (f"Domains linking to at least {gap.min_competitors} of your competitors ({comps}) in their newest "
            "third-party exports and to you by no source, most valuable first: value as for your own links, with "
            "the relevance of the competitor's linking page to your search queries. The tool's own authority is "
            "shown beside ours, never mixed into it. Their link, anchor and followed: of the first competitor listed.")
    more = None
    if len(gap.rows) > GAP_ROWS:
        more = "lists/link-gap.html"
        pages[more] = list_page(data.site, "Link gap", Table("all-gap", "Link gap", cols, rows_of(gap.rows), gap.total,
                                                             note, page_size=50),
                                max(s.date for s in gap.snapshots))
    table = Table("link-gap", "Domains linking to competitors, not to you", cols, rows_of(gap.rows[:GAP_ROWS]),
                  gap.total, note, empty="None: every domain linking to your competitors links to you too.",
                  more_href=more, more_text=f"All {num(gap.total)}" if more else None, sort_column=1)
    intro = ("An outreach list: sites that already link to your competitors are the likeliest to link to you. "
             f"Full list for scripts: gsc-backlinks links gap --site {data.site} --format csv.")
    stale = gap.stale(data.period.end)
    if stale:
        intro += f" Old competitor exports: {_stale_text(stale)}."
    return Section("gap", "Link gap", intro, (table,))


def _broken_targets_table(targets, tid: str = "broken-targets") -> Table:
    rows = tuple((own_page_cell(b.url, None), text_cell(b.reason), num_cell(b.links), num_cell(b.linking_pages),
                  date_cell(to_pacific(b.checked_at).date())) for b in targets)
    return Table(tid, "Your linked pages that are gone: redirect them",
                 (Column("url", "Your page"), Column("reason", "What the check found"),
                  Column("links", "Incoming links", True, "From the Top target pages export"),
                  Column("linking_pages", "Checked linking pages", True, "Linking pages whose newest check links here"),
                  Column("checked", "Checked")), rows, len(rows),
                 "Pages of yours that links point at but that answer 404/410, redirect to the home page or say "
                 "noindex (gsc-backlinks check): a 301 redirect to the closest live page wins those links back.",
                 sort_column=2, print_rows=5)


def _drill_next_table(data: WeeklyData) -> Table:
    rows = tuple((own_page_cell(r.page, page_file(r.page) if r.page in data.details else None),
                  num_cell(r.incoming_links), num_cell(r.known_linking_pages), num_cell(r.unnamed), num_cell(r.clicks),
                  Cell(f"Links → Top linked pages → {own_path(r.page)} → Export", None))
                 for r in data.drill_next)
    return Table("drill-next", "Export these drill-downs next",
                 (Column("page", "Your page"), Column("incoming_links", "Links", True, "Top target pages export"),
                  Column("known", "Named", True, "Linking pages a link check or a tool names for it"),
                  Column("unnamed", "Unnamed", True, "Links whose linking page no source names yet"),
                  Column("clicks", "Clicks", True, "This week"),
                  Column("how", "In Search Console")), rows, len(rows),
                 "Linked pages with no drill-down export yet, those whose export would name the most links first "
                 "(weighted by their clicks this week). Import each with gsc-backlinks import FILE --site … --target URL.",
                 empty="Every linked page has a drill-down export.", print_rows=5)


def _opportunities_section(data: WeeklyData) -> Section:
    if not data.has_search or data.few_links is None:
        return Section("opportunities", "Where links would pay off",
                       "Needs search performance data: sync it first (gsc-backlinks sync).",
                       (*((_broken_targets_table(data.broken_targets),) if data.broken_targets else ()),
                        *((_drill_next_table(data),) if data.drill_next else ())))
    few = data.few_links
    cols = (Column("page", "Page"), Column("impressions", "Impressions", True), Column("clicks", "Clicks", True),
            Column("position", "Position", True), Column("incoming_links", "Known links", True))
    rows = tuple((own_page_cell(r.page, page_file(r.page)), num_cell(r.impressions), num_cell(r.clicks),
                  pos_cell(r.position), num_cell(r.incoming_links)) for r in few.rows)
    note = (f"Pages seen most in search this week with {FEW_LINKS} or fewer incoming links in the Top target pages export"
            + (f" of {few.snapshot.date}" if few.snapshot else " (none imported: every page counts as unlinked)") + ".")
    if few.snapshot and few.snapshot.capped:
        note += f" That export lists at most {UI_ROW_CAP:,} pages, so a page missing from it may still have a few links."
    tables = [Table("traffic-few-links", "Search traffic, few or no known links", cols, rows, len(rows), note,
                    empty="Every page with impressions this week has more than a few known links.", sort_column=1)]
    if data.broken_targets:
        # Printed once: under "This week in links" when it lists them there.
        shown_above = bool(data.week and data.week.linked_gone_targets)
        tables.insert(0, replace(_broken_targets_table(data.broken_targets), print_rows=0 if shown_above else 5,
                                 print_note="printed under “This week in links”." if shown_above else None))
    if data.drill_next:
        tables.append(_drill_next_table(data))
    unfound = data.unfound
    if unfound is not None:
        rows2 = tuple((own_page_cell(r.target_url, page_file(r.target_url)), num_cell(r.incoming_links),
                       num_cell(r.linking_sites)) for r in unfound.rows)
        tables.append(Table("links-no-traffic", "Linked pages with no search traffic",
                            (Column("target_url", "Target page"), Column("incoming_links", "Links", True),
                             Column("linking_sites", "Sites", True)), rows2, len(rows2),
                            f"Pages of the Top target pages export of {unfound.snapshot.date} with no impressions in "
                            f"{data.period.label()}: their links bring no search visibility (redirected, noindexed, or "
                            "not what people search for?).",
                            empty="Every linked page had impressions this week.", sort_column=1))
    return Section("opportunities", "Where links would pay off",
                   "Pages people find in search but few sites link to are where link building pays off first; "
                   "linked pages nobody finds in search may need a fix.", tuple(tables))

