"""One page of a property in depth: find it the way a user types it, and gather what is known about it.

The `page` command and every drill-down page of the weekly report read
:func:`page_details` (batched over many pages: one query per source) and
value its links with :func:`rate_links`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..dates import Period
from ..errors import NoDataError
from ..urls import Property, display_url, host_of, page_in_property, registrable_domain, strip_tracking
from .search import WEEK_COLUMNS, Week, metrics_sql, page_week_params, page_week_sql, search_metrics
from .snapshots import UI_ROW_CAP, Snapshots

if TYPE_CHECKING:
    import duckdb

    from .anchors import AnchorIndex
    from .value import Valuer


def loose_key(url: str) -> str:
    """What two spellings of one page share: no scheme, no leading www., no trailing slash, no tracking."""
    parts = urlsplit(strip_tracking(url))
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/") or ""
    return host + path + ("?" + parts.query if parts.query else "")


def known_pages(con: duckdb.DuckDBPyConnection, site: str) -> list[str]:
    """Every page of the property the store has any data for."""
    rows = con.execute(
        """SELECT DISTINCT url FROM (
               SELECT t.target_url AS url FROM target_pages t JOIN snapshots s USING (snapshot_id) WHERE s.property = $site
               UNION ALL SELECT target_url FROM snapshots WHERE property = $site AND target_url IS NOT NULL
               UNION ALL SELECT DISTINCT page FROM search_pages WHERE property = $site
               UNION ALL SELECT url FROM inspections WHERE property = $site)
           ORDER BY url""",
        {"site": site},
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Match:
    url: str
    typed: str  #: the canonical form of what the user typed
    how: str  #: "exact", "same page" (spelled differently), or "not in the store"
    others: tuple[str, ...] = ()  #: other known spellings of the same page


def find_page(con: duckdb.DuckDBPyConnection, prop: Property, text: str, *, allow_unknown: bool = False) -> Match:
    """The known page a user means; if none, the closest known pages in one line."""
    url = page_in_property(text, prop, hint="; check --site")
    known = known_pages(con, prop.site)
    if url in known:
        return Match(url, url, "exact")
    key = loose_key(url)
    same = [k for k in known if loose_key(k) == key]
    if same:
        # Prefer the spelling closest to what was typed: same scheme, then same www., then trailing slash.
        def rank(candidate: str):
            return (urlsplit(candidate).scheme != urlsplit(url).scheme,
                    (urlsplit(candidate).hostname or "").startswith("www.") != (urlsplit(url).hostname or "").startswith("www."),
                    not candidate.endswith("/"), candidate)

        same.sort(key=rank)
        return Match(same[0], url, "same page", tuple(same[1:]))
    if allow_unknown:
        return Match(url, url, "not in the store")
    keys = {loose_key(k): k for k in known}
    close = [keys[k] for k in difflib.get_close_matches(key, list(keys), n=5, cutoff=0.5)]
    if not close:
        path_words = set(re.findall(r"[a-z0-9]{3,}", key.lower()))
        close = [k for k in known if path_words & set(re.findall(r"[a-z0-9]{3,}", k.lower()))][:5]
    if not known:
        raise NoDataError(f"the store holds no pages of {prop.site} yet; import a Top target pages export or run "
                          f"gsc-backlinks sync --site {prop.site}")
    hint = ("; closest known pages: " + ", ".join(display_url(c) for c in close)) if close else \
        f"; {len(known):,} pages are known (gsc-backlinks links pages --site {prop.site} lists the linked ones)"
    raise NoDataError(f"no data for {display_url(url)} in the store{hint}")


# --- what is known about a page -----------------------------------------------------------------------


@dataclass
class PageDetail:
    """Everything the store knows about links to one target page and its search traffic."""

    url: str
    incoming_links: int | None = None
    linking_sites_count: int | None = None
    internal_links: int | None = None
    link_history: list = field(default_factory=list)  #: (date, incoming links, linking sites)
    linking_sites: list = field(default_factory=list)  #: dicts: site, linking_pages, first_seen, last_seen, source
    #: dicts: linking_url, linking_domain, source, first_seen, last_seen, last_crawled
    linking_pages: list = field(default_factory=list)
    daily: list = field(default_factory=list)  #: (day, clicks, impressions)
    queries: list = field(default_factory=list)  #: dicts: query, clicks, impressions, ctr, position
    inspection: dict | None = None
    site_samples: list = field(default_factory=list)  #: sample links from this page's linking sites (target unknown)
    exported_links_left_out: int = 0  #: linking pages from exports beyond the `max_links` shown
    week: Week = field(default_factory=Week)
    anchor_matches: list | None = None  #: the site's anchor texts matching this page's queries (None: not rated)
    rated: bool = False  #: linking sites and pages carry value, authority and relevance

    def metrics(self, previous: bool = False) -> dict:
        """Search metrics of the period (or the one before): see :func:`~.search.search_metrics`."""
        return self.week.metrics(previous)

    @property
    def has_week(self) -> bool:
        """True when the store holds search rows of the page in the period or the one before."""
        return self.week.clicks is not None or self.week.prev_clicks is not None


def page_details(con: duckdb.DuckDBPyConnection, snaps: Snapshots, pages: list[str], period: Period, chart: Period, *,
                 search_type: str = "web", top_queries: int = 20,
                 max_links: int | None = 2000) -> dict[str, PageDetail]:
    """Details of many target pages at once: one query per source, not one per page."""
    site = snaps.site
    details = {u: PageDetail(u) for u in pages}
    if not pages:
        return details
    as_of = snaps.as_of or dt.date.max  # for SQL comparisons
    # A temporary table, not a registered Arrow one: `page` then never needs pyarrow (a tenth of a second).
    con.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?::VARCHAR[]) AS url", [pages])
    try:
        for url, date, links, sites_, internal, kind in con.execute(
            """SELECT t.target_url, s.snapshot_date, t.incoming_links, t.linking_sites, t.internal_links, s.kind
               FROM target_pages t JOIN snapshots s USING (snapshot_id) JOIN wanted w ON w.url = t.target_url
               WHERE s.property = ? AND s.snapshot_date <= ?
               ORDER BY s.snapshot_date, s.snapshot_id""",
            [site, as_of],
        ).fetchall():
            d = details[url]
            if kind == "internal_target_pages":
                d.internal_links = internal
            else:
                d.incoming_links, d.linking_sites_count = links, sites_
                d.link_history.append((date, links, sites_))

        # Drill-down exports recorded with --target: linking sites and linking pages of one page.
        for row in con.execute(
            """SELECT s.target_url, coalesce(l.linking_domain, l.site) AS site,
                      arg_max(l.linking_pages, s.snapshot_date) AS linking_pages,
                      min(s.snapshot_date) AS first_seen, max(s.snapshot_date) AS last_seen
               FROM snapshots s JOIN linking_sites l USING (snapshot_id) JOIN wanted w ON w.url = s.target_url
               WHERE s.property = ? AND s.kind = 'target_linking_sites' AND s.snapshot_date <= ?
               GROUP BY s.target_url, 2
               ORDER BY s.target_url, linking_pages DESC NULLS LAST, site""",
            [site, as_of],
        ).fetchall():
            details[row[0]].linking_sites.append(
                {"site": row[1], "linking_pages": row[2], "first_seen": row[3], "last_seen": row[4],
                 "source": "Top sites linking to this page"})
        for row in con.execute(
            f"""SELECT * FROM (
                   SELECT s.target_url, p.linking_url, any_value(p.linking_domain) AS linking_domain,
                          min(s.snapshot_date) AS first_seen, max(s.snapshot_date) AS last_seen,
                          max(p.last_crawled) AS last_crawled,
                          row_number() OVER (PARTITION BY s.target_url ORDER BY p.linking_url) AS n,
                          count(*) OVER (PARTITION BY s.target_url) AS total
                   FROM snapshots s JOIN linking_pages p USING (snapshot_id) JOIN wanted w ON w.url = s.target_url
                   WHERE s.property = ? AND s.kind = 'site_linking_pages' AND s.snapshot_date <= ?
                   GROUP BY s.target_url, p.linking_url)
               WHERE {f"n <= {int(max_links)}" if max_links else "true"} ORDER BY target_url, linking_url""",
            [site, as_of],
        ).fetchall():
            details[row[0]].linking_pages.append(
                {"linking_url": row[1], "linking_domain": row[2], "first_seen": row[3], "last_seen": row[4],
                 "last_crawled": row[5], "source": "Linking pages export"})
            details[row[0]].exported_links_left_out = row[7] - min(row[7], max_links or row[7])

        # Sample links from the sites that link to this page: the export does not say which page of
        # ours they link to, so they are shown apart, as candidates.
        sample_ids = snaps.sample().ids
        if sample_ids and any(d.linking_sites for d in details.values()):
            marks = ", ".join("?" for _ in sample_ids)
            for row in con.execute(
                f"""SELECT * FROM (
                       SELECT s.target_url, p.linking_url, p.linking_domain, max(p.last_crawled) AS last_crawled,
                              row_number() OVER (PARTITION BY s.target_url ORDER BY p.linking_domain, p.linking_url) AS n
                       FROM (SELECT DISTINCT target_url, coalesce(l.linking_domain, l.site) AS domain
                             FROM snapshots x JOIN linking_sites l USING (snapshot_id) JOIN wanted w ON w.url = x.target_url
                             WHERE x.property = ? AND x.kind = 'target_linking_sites' AND x.snapshot_date <= ?) s
                       JOIN linking_pages p ON p.linking_domain = s.domain AND p.snapshot_id IN ({marks})
                       GROUP BY s.target_url, p.linking_url, p.linking_domain)
                   WHERE n <= 500 ORDER BY target_url, n""",
                [site, as_of, *sample_ids],
            ).fetchall():
                details[row[0]].site_samples.append(
                    {"linking_url": row[1], "linking_domain": row[2], "last_crawled": row[3]})

        # URL Inspection: the newest result per page, with its sample of referring URLs
        # (first seen: the first inspection of the page that listed the URL).
        first_seen = {(url, ref): day for url, ref, day in con.execute(
            """SELECT url, ref, min(inspected_day) FROM (
                   SELECT i.url, unnest(i.referring_urls) AS ref, i.inspected_day
                   FROM inspections i JOIN wanted w ON w.url = i.url
                   WHERE property = ? AND inspected_day <= ?)
               GROUP BY url, ref""",
            [site, as_of],
        ).fetchall()}
        for row in con.execute(
            """SELECT i.url, max(inspected_at), arg_max(verdict, inspected_at),
                      arg_max(coverage_state, inspected_at), arg_max(last_crawl_time, inspected_at),
                      arg_max(google_canonical, inspected_at), arg_max(user_canonical, inspected_at),
                      arg_max(page_fetch_state, inspected_at), arg_max(result_link, inspected_at),
                      arg_max(referring_urls, inspected_at), max(inspected_day)
               FROM inspections i JOIN wanted w ON w.url = i.url
               WHERE property = ? AND inspected_day <= ? GROUP BY i.url""",
            [site, as_of],
        ).fetchall():
            d = details[row[0]]
            d.inspection = {"inspected_at": row[1], "verdict": row[2], "coverage_state": row[3],
                            "last_crawl_time": row[4], "google_canonical": row[5], "user_canonical": row[6],
                            "page_fetch_state": row[7], "result_link": row[8]}
            known = {p["linking_url"] for p in d.linking_pages}
            for ref in row[9] or []:
                if ref in known:
                    continue
                d.linking_pages.append({
                    "linking_url": ref, "linking_domain": registrable_domain(host_of(ref)),
                    "first_seen": first_seen.get((row[0], ref)), "last_seen": row[10],
                    "last_crawled": None, "source": "URL Inspection"})

        # Third-party exports of the property's links: each tool's links to these pages (anchor, rel, first and
        # last seen, lost); a page no Search Console export lists is added with the tool as its source.
        _add_tool_facts(con, snaps, details)
        # Link checks: what the newest check of each linking page found about its link to this page (anchor,
        # rel, context); a checked page that links here but no export lists is added ("link check").
        _add_check_facts(con, site, details)
        # When Google last crawled each linking page, from any Latest links export that lists it.
        _add_crawl_dates(con, site, as_of, details)

        # Search: daily clicks and impressions over the chart period; the week and the one before.
        for url, day, clicks, impressions in con.execute(
            """SELECT page, day, clicks, impressions FROM search_pages p JOIN wanted w ON w.url = p.page
               WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? ORDER BY page, day""",
            [site, search_type, chart.start, chart.end],
        ).fetchall():
            details[url].daily.append((day, clicks, impressions))
        for row in con.execute(page_week_sql("JOIN wanted w ON w.url = p.page"),
                               page_week_params(site, period, search_type)).fetchall():
            details[row[0]].week = Week(**dict(zip(WEEK_COLUMNS, row[1:])))
        # Search Console leaves out a page's rows on days it had no impressions: where the store holds the
        # property's days, a page without rows had 0 clicks and impressions; where it holds none, nobody knows.
        now_held, before_held = con.execute(
            """SELECT count(*) FILTER (WHERE day >= ?), count(*) FILTER (WHERE day < ?) FROM search_days
               WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ?""",
            [period.start, period.start, site, search_type, period.previous().start, period.end]).fetchall()[0]
        for d in details.values():
            w = d.week
            d.week = Week(0 if w.clicks is None and now_held else w.clicks,
                          0 if w.impressions is None and now_held else w.impressions, w.position,
                          0 if w.prev_clicks is None and before_held else w.prev_clicks,
                          0 if w.prev_impressions is None and before_held else w.prev_impressions, w.prev_position)
        for row in con.execute(
            f"""SELECT * FROM (
                   SELECT page, query, {metrics_sql()},
                          row_number() OVER (PARTITION BY page ORDER BY sum(clicks) DESC, sum(impressions) DESC, query) AS n
                   FROM search_queries q JOIN wanted w ON w.url = q.page
                   WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ?
                   GROUP BY page, query)
               WHERE n <= {int(top_queries)} ORDER BY page, n""",
            [site, search_type, period.start, period.end],
        ).fetchall():
            page, query, clicks, impressions, position, _ = row
            details[page].queries.append({"query": query, **search_metrics(clicks, impressions, position)})
    finally:
        con.execute("DROP TABLE IF EXISTS wanted")
    return details


#: Fields a link check adds to a linking page row (None where the page was not checked).
CHECK_FIELDS = ("check_status", "check_reason", "checked_at", "anchor_text", "rel", "placement", "context_before",
                "context_after", "image")


def _add_tool_facts(con: duckdb.DuckDBPyConnection, snaps: Snapshots, details: dict[str, PageDetail]) -> None:
    from ..store.vendors import current_vendor_snapshots
    from .thirdparty import tool_name

    ids = [s.snapshot_id for s in current_vendor_snapshots(con, snaps.site, snaps.as_of)]
    if not ids:
        return
    for target, url, domain, vendor, anchor, nofollow, ugc, sponsored, first, last, lost_on, reason in con.execute(
        """SELECT o.target_url, o.linking_url, any_value(o.linking_domain), any_value(o.source),
                  arg_max(o.anchor_text, o.last_seen), bool_or(o.nofollow), bool_or(o.ugc), bool_or(o.sponsored),
                  min(o.first_seen), max(o.last_seen), max(o.lost_on), any_value(o.reason)
           FROM link_observations o JOIN wanted w ON w.url = o.target_url
           WHERE o.source <> 'check' AND list_contains(?, o.snapshot_id)
           GROUP BY o.target_url, o.linking_url ORDER BY o.target_url, o.linking_url""", [ids]).fetchall():
        d = details[target]
        page = next((p for p in d.linking_pages if p["linking_url"] == url), None)
        tool = tool_name(vendor)
        if page is None:
            page = {"linking_url": url, "linking_domain": domain, "first_seen": first, "last_seen": last,
                    "last_crawled": None, "source": tool}
            d.linking_pages.append(page)
        else:
            page["source"] = f"{page['source']}, {tool}"
            page["first_seen"] = min(filter(None, (page.get("first_seen"), first)), default=None)
        flags = [f for f, on in (("nofollow", nofollow), ("ugc", ugc), ("sponsored", sponsored)) if on]
        known = nofollow is not None or ugc is not None or sponsored is not None
        page["tool"] = {"tool": tool, "anchor_text": anchor, "rel": " ".join(flags) or ("followed" if known else None),
                        "first_seen": first, "last_seen": last, "lost_on": lost_on,
                        "reason": (reason or "lost") if lost_on else None}


def _add_crawl_dates(con: duckdb.DuckDBPyConnection, site: str, as_of: dt.date,
                     details: dict[str, PageDetail]) -> None:
    wanted = sorted({p["linking_url"] for d in details.values() for p in d.linking_pages if not p.get("last_crawled")})
    if not wanted:
        return
    crawled = dict(con.execute(
        """SELECT p.linking_url, max(p.last_crawled) FROM linking_pages p JOIN snapshots s USING (snapshot_id)
           WHERE s.property = ? AND s.snapshot_date <= ? AND p.last_crawled IS NOT NULL
             AND list_contains(?, p.linking_url) GROUP BY 1""", [site, as_of, wanted]).fetchall())
    for d in details.values():
        for p in d.linking_pages:
            if not p.get("last_crawled") and p["linking_url"] in crawled:
                p["last_crawled"] = crawled[p["linking_url"]]


def _add_check_facts(con: duckdb.DuckDBPyConnection, site: str, details: dict[str, PageDetail]) -> None:
    from .checks import _NEWEST, facts_of

    links: dict[tuple[str, str], tuple] = {}
    for row in con.execute(
        f"""SELECT o.target_url, o.linking_url, o.linking_domain, o.anchor_text, o.nofollow, o.ugc, o.sponsored,
                   o.placement, o.context_before, o.context_after, o.image, c.checked_at, c.status
            FROM ({_NEWEST}) c JOIN link_observations o ON o.check_id = c.check_id
            JOIN wanted w ON w.url = o.target_url
            ORDER BY o.target_url, o.linking_url, o.placement = 'content' DESC""", [site]).fetchall():
        links.setdefault((row[0], row[1]), tuple(row))
    listed = {p["linking_url"] for d in details.values() for p in d.linking_pages}
    facts = facts_of(con, site, sorted(listed))
    last_anchor = _last_checked_anchors(con, site, sorted(url for url in listed if url in facts))
    for d in details.values():
        known = {p["linking_url"]: p for p in d.linking_pages}
        for (target, url), found in links.items():
            if target == d.url and url not in known:
                known[url] = {"linking_url": url, "linking_domain": found[2], "first_seen": None,
                              "last_seen": found[11].date(), "last_crawled": None, "source": "link check"}
                d.linking_pages.append(known[url])
        for url, page in known.items():
            seen = links.get((d.url, url))
            fact = facts.get(url)
            if (seen is not None or fact is not None) and "link check" not in page["source"]:
                page["source"] = f"{page['source']}, link check"  # the check is a source of what the row says
            if seen is not None:
                row = seen
                flags = [f for f, on in (("nofollow", row[4]), ("ugc", row[5]), ("sponsored", row[6])) if on]
                page.update(check_status=row[12], check_reason=None, checked_at=row[11], anchor_text=row[3],
                            rel=" ".join(flags) or "followed", placement=row[7], context_before=row[8],
                            context_after=row[9], image=row[10])
            elif fact is not None:  # checked, but its newest check saw no link to this page: the anchor it had
                tool = page.get("tool") or {}
                page.update(check_status="link_missing" if fact.status in ("live", "live_nofollow") else fact.status,
                            check_reason=fact.reason, checked_at=fact.checked_at,
                            anchor_text=last_anchor.get((url, d.url)) or tool.get("anchor_text"), rel=None,
                            placement=None, context_before=None, context_after=None, image=None)
            else:
                page.update(dict.fromkeys(CHECK_FIELDS))
                tool = page.get("tool")
                if tool:  # not checked: what the tool says, named as the tool's
                    page.update(anchor_text=tool["anchor_text"], rel=tool["rel"])


def rate_links(valuer: Valuer, details: list[PageDetail], anchors: AnchorIndex | None = None) -> None:
    """Value, authority and relevance (against the page's own topic) of each drill-down's linking sites and
    pages, best first; and the site's anchor texts that match the page's own queries."""
    topics = [d.url for d in details]
    valuer.prefetch(topics)
    valuer.prepare_topics(topics)
    for d in details:
        if d.linking_sites:
            for row, rated in zip(d.linking_sites, valuer.rate_domains([r["site"] for r in d.linking_sites], d.url)):
                row.update(rated.as_dict())
            d.linking_sites.sort(key=lambda r: (-r["value"], -(r["linking_pages"] or 0), r["site"]))
        for rows in (d.linking_pages, d.site_samples):
            if not rows:
                continue
            rated_rows = valuer.rate_pages([r["linking_url"] for r in rows], [r["linking_domain"] for r in rows], d.url,
                                           [_link_state(r) for r in rows])
            for row, r in zip(rows, rated_rows):
                row.update(r.as_dict())
            rows.sort(key=lambda r: (-r["value"], r["linking_url"]))
        if anchors is not None:
            d.anchor_matches = anchors.matches([q["query"] for q in d.queries])
        d.rated = True


def _link_state(row: dict) -> tuple[tuple[str, ...], bool]:
    """(rel flags, counts nothing) of a linking page row as its newest link check saw it."""
    from .checks import LINKING

    status = row.get("check_status")
    if status is None:
        return (), False  # not checked: valued as Search Console lists it
    rel = row.get("rel") or ""
    return tuple(f for f in rel.split() if f != "followed"), status not in LINKING

def missing_sources(detail: PageDetail, site: str, has_search: bool, has_target_export: bool) -> list[str]:
    """What is not known about this page, and how to get it: one line each."""
    from .sources import WHERE

    shown = display_url(detail.url)
    out = []
    if not has_target_export:
        out.append(f"incoming links: no Top target pages export imported (Search Console: {WHERE['top_target_pages']})")
    elif detail.incoming_links is None:
        out.append(f"incoming links: not in the newest Top target pages export (it lists at most {UI_ROW_CAP:,} pages)")
    if not detail.linking_sites and not any(p["source"] != "URL Inspection" for p in detail.linking_pages):
        out.append("linking sites and pages of this page: in Search Console open Links → Top linked pages → this page, "
                   f"export it, then: gsc-backlinks import FILE --site {site} --target {shown}")
    if detail.inspection is None:
        out.append(f"index status and referring URLs: run with --inspect, or gsc-backlinks inspect {shown} --site {site} "
                   "(after gsc-backlinks auth login)")
    if not has_search:
        out.append(f"search performance: gsc-backlinks auth login, then gsc-backlinks sync --site {site}")
    return out


def _last_checked_anchors(con: duckdb.DuckDBPyConnection, site: str,
                          linking_urls: list[str]) -> dict[tuple[str, str], str]:
    """(linking page, target) -> the anchor text the last check that still saw that link had (one query)."""
    if not linking_urls:
        return {}
    from .checks import linking_check

    return {(u, t): a for u, t, a in con.execute(
        f"""SELECT o.linking_url, o.target_url, arg_max(o.anchor_text, c.checked_at)
            FROM link_observations o JOIN page_checks c USING (check_id)
            WHERE c.property = ? AND {linking_check('c')} AND list_contains(?, o.linking_url)
              AND o.anchor_text IS NOT NULL GROUP BY 1, 2""", [site, linking_urls]).fetchall()}
