"""The `links` summaries for the terminal, CSV and JSON: analysis results as one table each.

A :class:`Summary` is the terminal's view model, as a ``Page`` is the HTML
report's: rows of raw values (dates as ISO strings, unknown as None) under
shared :mod:`.columns`, and where the numbers come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..analysis.anchors import TOP_QUERIES, AnchorTable
from ..analysis.domains import EXPORT, LinkingDomains
from ..analysis.pages import TargetPages
from ..analysis.samples import SampleLinks
from ..analysis.search import TOPIC_DAYS
from ..analysis.snapshots import SAMPLE_NOTE, UI_ROW_CAP, Snapshot
from ..analysis.sources import HeldSnapshot
from ..analysis.thirdparty import Coverage, LinkGap, tool_name
from ..analysis.value import Rated
from ..analysis.week import WeekInLinks
from ..exports.kinds import KINDS
from ..exports.thirdparty import export_label
from ..store.vendors import VendorSnapshot
from . import columns as C
from .model import Column

SHORT = {"latest_links": "latest", "sample_links": "sample"}
CAP_NOTE = f"Search Console lists at most {UI_ROW_CAP:,} rows"


@dataclass(frozen=True)
class Summary:
    """One summary table and where its numbers come from."""

    name: str
    title: str
    site: str
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    total_rows: int = 0
    sources: tuple[dict, ...] = ()  #: snapshots used: kind, label, date, file
    basis: str = "export"  #: "export", or "derived from sample links"
    notes: tuple[str, ...] = ()


def _value(v):
    """A raw value as JSON and CSV carry it: dates as ISO strings, the rest as it is."""
    return v.isoformat()[:10] if isinstance(v, (dt.date, dt.datetime)) else v


def _source(snap: Snapshot) -> dict:
    return {"snapshot_id": snap.snapshot_id, "kind": snap.kind, "label": snap.label,
            "snapshot_date": snap.date.isoformat(), "file": snap.source}


def target_pages(site: str, found: TargetPages, internal: bool, top: int | None) -> Summary:
    columns: tuple[Column, ...]
    if internal:
        columns = (C.TARGET_URL, C.INTERNAL_LINKS)
    else:
        columns = (C.TARGET_URL, C.INCOMING_LINKS, C.LINKING_SITES)
    rows = [{c.key: getattr(r, c.key) for c in columns} for r in found.rows[:top or None]]
    notes = (CAP_NOTE,) if found.total >= UI_ROW_CAP else ()
    return Summary("pages", "Top internally linked pages" if internal else "Top linked pages", site, columns, rows,
                   found.total, (_source(found.snapshot),), "export", notes)


DOMAIN_COLUMNS = (C.LINKING_DOMAIN, C.LINKING_PAGES, C.TARGET_PAGES)


def linking_domains(site: str, found: LinkingDomains, top: int | None, values: list[Rated] | None = None,
                    value_basis: tuple[str, ...] = (), cover: Coverage | None = None,
                    extra_values: list[Rated] | None = None) -> Summary:
    """Linking domains, most linking pages first; with `values` (one per row), best value first; with `cover`,
    the sources that list each, and the domains only third-party tools list after Search Console's."""
    rows: list[dict[str, Any]] = [
        {"linking_domain": r.linking_domain, "linking_pages": r.linking_pages, "target_pages": r.target_pages}
        for r in found.rows]
    others = sorted(cover.all - {r.linking_domain for r in found.rows}) if cover else []
    rows += [{"linking_domain": d, "linking_pages": None, "target_pages": None} for d in others]
    if values is not None:
        values = [*values, *(extra_values or [])]
    columns: tuple[Column, ...] = DOMAIN_COLUMNS
    title = "Top linking domains"
    notes: tuple[str, ...] = ()
    if found.basis.kind == EXPORT:
        basis = "export"
        if found.basis.capped:
            notes = (CAP_NOTE,)
    else:
        basis = "derived from sample links"
        title += " (derived from sample links)"
        notes = ("Counts derived from sample links (no Top linking sites export imported): linking pages "
                 "are the sampled pages per domain; target pages are unknown", SAMPLE_NOTE)
    if values is not None:
        rows = [dict(row, **rated.as_dict()) for row, rated in zip(rows, values)]
        rows.sort(key=lambda r: (-r["value"], -(r["linking_pages"] or 0), r["linking_domain"]))
        columns = (C.LINKING_DOMAIN, *C.VALUE_COLUMNS, C.LINKING_PAGES, C.TARGET_PAGES)
        title += ", by value"
        notes += ("Sorted by value = half authority + half relevance (0-100 each; see the README, "
                  "'How link value is computed'); authority unknown = not in the loaded rank file", *value_basis)
    if cover is not None:
        for row in rows:
            row["sources"] = ", ".join(cover.of(row["linking_domain"]))
        columns = (*columns, C.SOURCES)
        title += ", with the sources that list them"
        if others:
            notes += (f"{len(others):,} domains only other sources list follow Search Console's (no linking-page "
                      "counts for them)",)
        notes += tuple(cover.comparisons())
    return Summary("domains", title, site, columns, rows[:top or None], len(rows),
                   tuple(_source(s) for s in found.basis.snapshots), basis, notes)


def anchors(site: str, found: AnchorTable, top: int | None) -> Summary:
    rules = found.rules
    rows = [{"rank": r.rank, "anchor_text": r.anchor_text, "class": r.anchor_class} for r in found.rows[:top or None]]
    notes = ("Search Console lower-cases anchor text and turns punctuation into spaces",
             f"Class: branded = contains {', '.join(rules.brands) or 'no brand term'} (gsc-backlinks brand --add); "
             f"exact/partial match = equals / shares a word with the site's top {TOP_QUERIES} search queries of the "
             f"last {TOPIC_DAYS} days, brand queries left out ({len(rules.queries)} remain); see the README for "
             "every rule")
    return Summary("anchors", "Top anchor text", site, (C.RANK, C.ANCHOR_TEXT, C.ANCHOR_CLASS), rows, found.total,
                   (_source(found.snapshot),), "export", notes)


PAGE_ANCHOR_COLUMNS = (C.ANCHOR_TEXT, C.ANCHOR_CLASS, Column("linking_pages", "Linking pages", True),
                       Column("followed", "Followed", True), Column("example", "Example linking page", url=True),
                       Column("sources", "Seen by"))


def page_anchors(site: str, page: str, found: list, top: int | None) -> Summary:
    """The anchor texts of the links to one page (``analysis.anchors.PageAnchor``), as link checks and tools saw
    them."""
    rows = [{"anchor_text": a.anchor_text, "class": a.anchor_class, "linking_pages": a.linking_pages,
             "followed": a.followed, "example": a.example, "sources": ", ".join(a.sources)}
            for a in found[:top or None]]
    notes = ("From the newest link check of each linking page (gsc-backlinks check), and for pages no check has "
             "seen link here, the live links your newest third-party exports list: the real anchor text of each "
             "link, not Search Console's lower-cased list; an image link's text is its alt text",
             "Class against this page's own top search queries; followed = without nofollow, ugc or sponsored")
    return Summary("anchors", f"Anchor text of links to {page}", site, PAGE_ANCHOR_COLUMNS, rows, len(found), (),
                   "check", notes)


SAMPLE_COLUMNS = (C.LINKING_URL, C.LINKING_DOMAIN, Column("last_crawled", "Crawled"), Column("source", "Export"),
                  Column("status", "Checked", optional=True), Column("target_url", "Links to", url=True, optional=True),
                  Column("anchor_text", "Anchor", optional=True), Column("rel", "Rel", optional=True))


def samples(site: str, found: SampleLinks, facts: dict | None = None) -> Summary:
    """Google's sample of linking pages; with `facts` (``analysis.checks.facts_of``), what the newest check of
    each page found: its status and its (first) link to you — target, anchor, rel."""
    facts = facts or {}
    rows = []
    for r in found.rows:
        fact = facts.get(r.linking_url)
        link = fact.first if fact else None
        rows.append({"linking_url": r.linking_url, "linking_domain": r.linking_domain,
                     "last_crawled": _value(r.last_crawled), "source": "both" if len(r.kinds) > 1 else SHORT[r.kinds[0]],
                     "status": fact.status if fact else None, "target_url": link.target_url if link else None,
                     "anchor_text": link.anchor_text if link else None, "rel": link.rel if link else None})
    notes: tuple[str, ...] = (SAMPLE_NOTE, "Export: latest = Latest links, sample = More sample links, both = in both")
    if facts:
        notes += ("Checked, links to, anchor, rel: the newest link check of the page (gsc-backlinks check); "
                  "unknown = not checked yet",)
    return Summary("samples", "Sample links", site, SAMPLE_COLUMNS, rows, found.total,
                   tuple(_source(s) for s in found.sample.snapshots), "export", notes)


CHECK_COLUMNS = (
    C.LINKING_URL,
    Column("status", "Status"),
    Column("links", "Links to you", True),
    Column("reason", "Reason"),
    Column("checked", "Checked (Pacific Time)"),
    Column("http_status", "HTTP", True, machine_only=True),
    Column("final_url", "Final URL", url=True, machine_only=True),
    Column("title", "Title", machine_only=True),
    Column("lang", "Language", machine_only=True),
    Column("canonical", "Canonical", url=True, machine_only=True),
    Column("meta_robots", "Meta robots", machine_only=True),
    Column("x_robots_tag", "X-Robots-Tag", machine_only=True),
    Column("hops", "Answers on the way", machine_only=True,
           help="'status URL' of every answer, redirects first (CSV: separated by ' | ')"),
    Column("size", "Size (bytes)", True, machine_only=True),
    Column("elapsed", "Time taken (s)", True, machine_only=True),
)


def checks(site: str, found: list, top: int | None) -> Summary:
    """The newest check of each linking page (``analysis.checks.PageState``), newest first."""
    from ..dates import pacific_text

    rows = [{"linking_url": p.url, "status": p.status, "links": p.links, "reason": p.reason,
             "checked": pacific_text(p.checked_at), "http_status": p.http_status, "final_url": p.final_url,
             "title": p.title, "lang": p.lang, "canonical": p.canonical, "meta_robots": p.meta_robots,
             "x_robots_tag": p.x_robots_tag, "hops": list(p.hops), "size": p.size,
             "elapsed": None if p.elapsed is None else round(p.elapsed, 3)} for p in found[:top or None]]
    notes = ("Status: live = links to you (followed); live_nofollow = every link nofollow/ugc/sponsored; "
             "link_missing = the page no longer links to you; not_found = 404/410; see the README for every status",
             "CSV and JSON also carry the HTTP status, final URL, title, language, canonical, meta robots, "
             "X-Robots-Tag, every answer on the way (redirects), size and time taken")
    return Summary("checks", "Linking pages checked", site, CHECK_COLUMNS, rows, len(found), (), "check", notes)


SOURCE_COLUMNS = (
    Column("snapshot_id", "#", True),
    Column("label", "Export"),
    Column("snapshot_date", "Date"),
    Column("date_source", "Date from"),
    Column("row_count", "Rows", True),
    Column("target_url", "Target page", url=True, optional=True),
    Column("source_name", "File", path=True),
)


def sources(site: str, held: list[HeldSnapshot], vendor: Sequence[VendorSnapshot] = (),
            cover: Coverage | None = None) -> Summary:
    """Every snapshot held, Search Console's and third-party tools' (theirs numbered T1, T2…), and how the
    sources compare."""
    rows = []
    for s in held:
        row = {k: _value(v) for k, v in vars(s).items()}
        row["label"] = KINDS[s.kind].label
        rows.append(row)
    for v in vendor:
        rows.append({"snapshot_id": f"T{v.snapshot_id}", "label": export_label(v.export)
                     + (f" of competitor {v.competitor}" if v.competitor else ""),
                     "snapshot_date": v.date.isoformat(), "date_source": v.date_source, "row_count": v.rows,
                     "target_url": None, "source_name": v.source,
                     "tool": tool_name(v.vendor), "competitor": v.competitor or None})
    rows.sort(key=lambda r: r["snapshot_date"], reverse=True)
    notes = tuple(cover.comparisons()) if cover else ()
    return Summary("sources", "Snapshots held", site, SOURCE_COLUMNS, rows, len(rows), (), "store", notes)


GAP_COLUMNS = (
    C.LINKING_DOMAIN, C.COMPETITOR_COUNT, C.COMPETITORS, *C.VALUE_COLUMNS, C.TOOL_METRIC,
    Column("tool_metric", "Tool metric", machine_only=True),
    Column("example_url", "Example linking page", url=True),
    C.ANCHOR_TEXT, C.FOLLOWED,
    Column("links", "Links", json_only=True),  # every competitor's example link
)


def link_gap(site: str, gap: LinkGap, top: int | None, value_basis: tuple[str, ...] = ()) -> Summary:
    """The outreach list: domains linking to competitors and not to you, most valuable first."""
    rows = []
    for r in gap.rows[:top or None]:
        first = r.links[0]
        row = {k: v for k, v in r.as_dict().items() if k != "links"}
        row["competitors"] = ", ".join(r.competitors)
        row.update(example_url=first.linking_url, anchor_text=first.anchor_text,
                   followed=None if first.followed is None else ("yes" if first.followed else "no"),
                   links=r.as_dict()["links"])
        rows.append(row)
    notes = (f"Linking domains that link to at least {gap.min_competitors} of {', '.join(gap.competitors)} "
             "(their newest third-party exports) and to you by no source; value as for your own links, with the "
             "relevance of the competitor's linking page to your search queries",
             "Example linking page, anchor and followed: of the first competitor listed (in CSV too; "
             "JSON's links field has every competitor's)",
             *gap.notes, *value_basis)
    sources = tuple({"snapshot_id": f"T{s.snapshot_id}", "kind": s.export, "label": tool_name(s.vendor),
                     "snapshot_date": s.date.isoformat(), "file": s.source, "competitor": s.competitor}
                    for s in gap.snapshots)
    return Summary("gap", "Link gap: domains linking to competitors, not to you", site, GAP_COLUMNS, rows,
                   gap.total, sources, "third-party exports", notes)


COMPETITOR_COLUMNS = (
    Column("competitor", "Competitor"),
    Column("exports", "Exports", True),
    Column("newest", "Newest export"),
    Column("linking_domains", "Linking domains", True, "Live linking domains in its newest exports"),
)


def competitors(site: str, rows: list[dict]) -> Summary:
    return Summary("competitors", "Competitors", site, COMPETITOR_COLUMNS, rows, len(rows), (), "store",
                   ("Import a competitor's Ahrefs/Semrush/Majestic/Moz export with gsc-backlinks import FILE "
                    f"--site {site} --competitor DOMAIN",))


CHANGE_COLUMNS = (
    Column("change", "Change"), C.LINKING_DOMAIN, C.VALUE_COLUMNS[0], replace(C.VALUE_COLUMNS[1], narrow_drop=1),
    replace(C.VALUE_COLUMNS[2], narrow_drop=2), *C.VALUE_COLUMNS[3:],
    Column("target_url", "Your page", url=True, site_path=True), replace(C.ANCHOR_TEXT, narrow_drop=2),
    Column("first_seen", "First seen", narrow_drop=1), Column("last_seen", "Last seen", optional=True, narrow_drop=5),
    Column("lost_on", "Lost on", optional=True, narrow_drop=3),
    Column("back_on", "Back on", optional=True, narrow_drop=3), Column("reason", "Why"),
    replace(C.SOURCES, narrow_drop=3), Column("followed", "Followed", machine_only=True),
    Column("linking_url", "Linking page", url=True, narrow_drop=4),
)
PAGE_CHANGE_COLUMNS = (Column("change", "Change"), C.LINKING_URL, *CHANGE_COLUMNS[1:-1])


def _change_rows(groups) -> list[dict]:
    """Rows of (kind, ``LinkChange``s) pairs, as CSV/JSON and the table give them."""
    rows = []
    for kind, found in groups:
        for c in found:
            row = {**c.as_dict(), "change": kind, "sources": ", ".join(c.sources),
                   "followed": None if c.followed is None else ("yes" if c.followed else "no")}
            rows.append(row)
    return rows


def changes(site: str, week: WeekInLinks, top: int | None, pages: bool = False,
            value_basis: tuple[str, ...] = ()) -> Summary:
    """What changed: new and lost linking domains (or pages) with their context, most valuable first."""
    if pages:
        pc = week.pages
        ch = pc.changes
        rows = _change_rows((("new", pc.new_context), ("lost", pc.lost_context)))
        rows.sort(key=lambda r: (r["change"] != "new", -r["value"], r["linking_url"]))
        span = f"{ch.previous_date} → {ch.latest_date}" if ch.compared else "nothing to compare yet"
        notes = (f"Linking pages in Google's sample, {span}: {ch.new_count:,} new (value {pc.new_value:,}), "
                 f"{ch.lost_count:,} lost (value {pc.lost_value:,}); \"lost\" = no longer in the sample",
                 *value_basis)
        return Summary("changes", "New and lost linking pages", site, PAGE_CHANGE_COLUMNS, rows[:top or None],
                       len(rows), (), "changes", notes)
    rows = _change_rows((("new", week.new_domains), ("lost", week.lost_domains), ("link lost", week.lost_links),
                         ("link back", week.back)))
    span = f"since {week.previous_date}" if week.previous_date else "with nothing to compare yet"
    notes = (week.verdict,
             f"Linking domains {span} ({week.basis or 'no domain export'}): {week.new_count:,} new (value "
             f"{week.new_value:,}), {week.lost_count:,} lost (value {week.lost_value:,}); \"link lost\": a link the "
             "link checks saw go while its domain still links; \"link back\": one they saw go and then again",
             *value_basis)
    return Summary("changes", "New and lost links", site, CHANGE_COLUMNS, rows[:top or None], len(rows), (),
                   "changes", notes)
