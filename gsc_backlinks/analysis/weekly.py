"""What the weekly report shows, computed from the store.

Heavy work (a More sample links snapshot can hold a million rows, the search
tables millions more) runs as DuckDB SQL; what comes back is small: plain
dataclasses and short DataFrames the report turns into its view model.
Every function here reads; none writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..dates import Period
from ..exports.kinds import KINDS
from ..urls import host_of, registrable_domain

#: Search Console's cap on every table of the Links report.
UI_ROW_CAP = 1000
SEARCH_LAG_DAYS = 3  #: Search Console's usual delay before a day's search data is in
SAMPLE_KINDS = ("sample_links", "latest_links")
#: Kinds whose rows name a linking domain (first-seen dates come from all of them).
DOMAIN_KINDS = ("top_linking_sites", "target_linking_sites", "sample_links", "latest_links", "site_linking_pages")


# One-row results are read with fetchall(): DuckDB 2 keeps a result read with fetchone()
# open and refuses the next register() on the connection.


# --- which data is there ------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int
    kind: str
    date: dt.date
    source: str
    rows: int

    @property
    def label(self) -> str:
        return KINDS[self.kind].label


@dataclass(frozen=True)
class SearchCoverage:
    """Which days of search data the store holds for a property and search type."""

    first_day: dt.date | None
    last_final: dt.date | None
    last_day: dt.date | None
    last_state: str | None
    fetched_at: dt.datetime | None


@dataclass(frozen=True)
class Freshness:
    exports: tuple[Snapshot, ...]  #: newest snapshot of each kind (drill-downs: newest of any target)
    search: SearchCoverage
    inspections: int
    last_inspection: dt.datetime | None


@dataclass(frozen=True)
class Snapshots:
    """A property's snapshots up to `as_of` (all of them without it), newest first.

    Read once per report or `page` run; every section picks its snapshots from it.
    """

    as_of: dt.date | None
    all: tuple[Snapshot, ...]

    @classmethod
    def read(cls, con, site: str, as_of: dt.date | None = None) -> Snapshots:
        from .. import store

        found = (Snapshot(int(r.snapshot_id), r.kind, _as_date(r.snapshot_date), r.source_name, int(r.row_count))
                 for r in store.snapshots(con, site).itertuples(index=False))
        return cls(as_of, tuple(s for s in found if as_of is None or s.date <= as_of))

    def of(self, kind: str) -> list[Snapshot]:
        """Snapshots of one kind, newest first."""
        return [s for s in self.all if s.kind == kind]

    def newest_of_each(self, kinds=tuple(KINDS)) -> list[Snapshot]:
        """The newest snapshot of each of the kinds that has one (drill-downs: the newest of any target)."""
        newest: dict[str, Snapshot] = {}
        for snap in self.all:
            if snap.kind in kinds:
                newest.setdefault(snap.kind, snap)
        return list(newest.values())

    def sample_ids(self) -> list[int]:
        """The newest More sample links and the newest Latest links snapshot (those that exist)."""
        return [s.snapshot_id for s in self.newest_of_each(SAMPLE_KINDS)]

    def latest_and_previous(self, kinds: tuple[str, ...]) -> tuple[Snapshot | None, Snapshot | None]:
        """(newest, the one before it on an earlier date) of the first kind that has a snapshot."""
        for kind in kinds:
            found = self.of(kind)
            if found:
                older = [s for s in found[1:] if s.date < found[0].date]
                return found[0], (older[0] if older else None)
        return None, None


def _as_date(value) -> dt.date:
    """A DATE column read into pandas comes back as a Timestamp."""
    return value.date() if isinstance(value, dt.datetime) else value


def search_coverage(con, site: str, search_type: str = "web") -> SearchCoverage:
    row = con.execute(
        """SELECT min(day), max(day) FILTER (WHERE data_state = 'final'), max(day),
                  arg_max(data_state, day), max(fetched_at)
           FROM search_days WHERE property = ? AND search_type = ?""",
        [site, search_type],
    ).fetchall()[0]
    return SearchCoverage(*row)


def freshness(con, site: str, snaps: Snapshots, search_type: str = "web") -> Freshness:
    exports = sorted(snaps.newest_of_each(), key=lambda s: (-s.date.toordinal(), s.kind))
    count, last = con.execute(
        "SELECT count(*), max(inspected_at) FROM inspections WHERE property = ?", [site]
    ).fetchall()[0]
    return Freshness(tuple(exports), search_coverage(con, site, search_type), count, last)


# --- search performance ---------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTotals:
    clicks: int
    impressions: int
    position: float | None
    days: int  #: days of the period the store holds
    fresh_days: int  #: of which not final yet

    def metrics(self) -> dict:
        """See :func:`search_metrics`."""
        return search_metrics(self.clicks, self.impressions, self.position)


def search_metrics(clicks, impressions, position) -> dict:
    """clicks and impressions (0 when unknown), CTR and position, as the report and `page` show them."""
    clicks, impressions = int(clicks or 0), int(impressions or 0)
    return {"clicks": clicks, "impressions": impressions, "ctr": clicks / impressions if impressions else None,
            "position": position}


def search_totals(con, site: str, period: Period, search_type: str = "web") -> SearchTotals:
    """Property totals of a period; position weighted by impressions, as Search Console averages it."""
    row = con.execute(
        """SELECT coalesce(sum(clicks), 0), coalesce(sum(impressions), 0),
                  sum(position * impressions) / nullif(sum(impressions) FILTER (WHERE position IS NOT NULL), 0),
                  count(*), count(*) FILTER (WHERE data_state <> 'final')
           FROM search_days WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ?""",
        [site, search_type, period.start, period.end],
    ).fetchall()[0]
    return SearchTotals(*row)


def daily_totals(con, site: str, period: Period, search_type: str = "web") -> list[tuple]:
    """One (day, clicks, impressions, data_state) per day of the period held."""
    return con.execute(
        """SELECT day, clicks, impressions, data_state FROM search_days
           WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? ORDER BY day""",
        [site, search_type, period.start, period.end],
    ).fetchall()


def _metrics_sql(when: str = "true", prefix: str = "") -> str:
    """Clicks, impressions and impression-weighted position of the rows where `when` holds.

    Sums are cast back to BIGINT: DuckDB sums BIGINTs into a HUGEINT, which pandas reads as float64.
    """
    return (f"(sum(clicks) FILTER (WHERE {when}))::BIGINT AS {prefix}clicks, "
            f"(sum(impressions) FILTER (WHERE {when}))::BIGINT AS {prefix}impressions, "
            f"sum(position * impressions) FILTER (WHERE {when}) / nullif(sum(impressions) FILTER (WHERE {when}), 0) "
            f"AS {prefix}position")


WEEK_COLUMNS = ("clicks", "impressions", "position", "prev_clicks", "prev_impressions", "prev_position")


def _page_week_sql(join: str) -> str:
    """Per page (of those `join` keeps): clicks, impressions, position for the period and the one before.

    Parameters: see :func:`_page_week_params`.
    """
    return f"""SELECT page, {_metrics_sql("day >= $start")}, {_metrics_sql("day < $start", "prev_")}
               FROM search_pages p {join}
               WHERE property = $site AND search_type = $type AND day BETWEEN $prev AND $end GROUP BY page"""


def _page_week_params(site: str, period: Period, search_type: str) -> dict:
    return {"start": period.start, "prev": period.previous().start, "end": period.end, "site": site, "type": search_type}


# --- links -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCount:
    name: str
    value: int | None
    previous: int | None
    snapshot: Snapshot | None
    previous_snapshot: Snapshot | None
    basis: str  #: where the number comes from, in the user's words


def _count(con, sql: str, snap: Snapshot | None) -> int | None:
    return con.execute(sql, [snap.snapshot_id]).fetchall()[0][0] if snap else None


def link_counts(con, snaps: Snapshots) -> list[LinkCount]:
    """Linking domains, linking pages, target pages: newest snapshot vs the one before."""
    out = []
    latest, prev = snaps.latest_and_previous(("top_linking_sites",))
    if latest:
        sql = "SELECT count(*) FROM linking_sites WHERE snapshot_id = ?"
        basis = "rows of the Top linking sites export" + (" (Search Console lists at most 1,000)" if latest.rows >= UI_ROW_CAP else "")
    else:
        latest, prev = snaps.latest_and_previous(SAMPLE_KINDS)
        sql = "SELECT count(DISTINCT linking_domain) FROM linking_pages WHERE snapshot_id = ?"
        basis = "domains in Google's sample of links (no Top linking sites export)"
    out.append(LinkCount("Linking domains", _count(con, sql, latest), _count(con, sql, prev), latest, prev, basis))

    latest, prev = snaps.latest_and_previous(SAMPLE_KINDS)
    sql = "SELECT count(DISTINCT linking_url) FROM linking_pages WHERE snapshot_id = ?"
    basis = f"pages in Google's sample ({latest.label} export)" if latest else "no sample links export"
    out.append(LinkCount("Linking pages", _count(con, sql, latest), _count(con, sql, prev), latest, prev, basis))

    latest, prev = snaps.latest_and_previous(("top_target_pages",))
    sql = "SELECT count(*) FROM target_pages WHERE snapshot_id = ?"
    basis = "pages in the Top target pages export" + (" (at most 1,000)" if latest and latest.rows >= UI_ROW_CAP else "")
    out.append(LinkCount("Target pages", _count(con, sql, latest), _count(con, sql, prev), latest, prev, basis))
    return out


def domains_history(con, snaps: Snapshots) -> tuple[str | None, list[tuple[dt.date, int]]]:
    """Linking domains per snapshot up to `as_of`, oldest first, from the export :func:`linking_domains` uses:
    ("sites", …) from Top linking sites, else ("sample", …) from More sample links (else Latest links)."""
    latest, _ = snaps.latest_and_previous(("top_linking_sites",))
    if latest:
        basis, count = "sites", "SELECT snapshot_id, count(*) FROM linking_sites"
    else:
        latest, _ = snaps.latest_and_previous(SAMPLE_KINDS)
        if not latest:
            return None, []
        basis, count = "sample", "SELECT snapshot_id, count(DISTINCT linking_domain) FROM linking_pages"
    found = snaps.of(latest.kind)[::-1]
    counts = dict(con.execute(f"{count} WHERE snapshot_id IN ({', '.join('?' for _ in found)}) GROUP BY snapshot_id",
                              [s.snapshot_id for s in found]).fetchall())
    return basis, [(s.date, counts[s.snapshot_id]) for s in found if s.snapshot_id in counts]


def top_linked_pages(con, site: str, snaps: Snapshots, period: Period, search_type: str = "web"):
    """The Top target pages export joined with each page's search week and its change."""
    latest, prev = snaps.latest_and_previous(("top_target_pages",))
    if not latest:
        return None, None, None
    # The search week of the exported pages only, not of every page of the property.
    week = _page_week_sql("SEMI JOIN target_pages x ON x.snapshot_id = $snap AND x.target_url = p.page")
    df = con.execute(
        f"""WITH page_week AS ({week})
            SELECT t.target_url, t.incoming_links, t.linking_sites,
                   p.incoming_links AS prev_incoming_links,
                   coalesce(w.clicks, 0) AS clicks, coalesce(w.impressions, 0) AS impressions, w.position,
                   coalesce(w.prev_clicks, 0) AS prev_clicks, coalesce(w.prev_impressions, 0) AS prev_impressions,
                   w.prev_position
            FROM target_pages t
            LEFT JOIN target_pages p ON p.snapshot_id = $prev_snap AND p.target_url = t.target_url
            LEFT JOIN page_week w ON w.page = t.target_url
            WHERE t.snapshot_id = $snap
            ORDER BY t.incoming_links DESC NULLS LAST, t.target_url""",
        {**_page_week_params(site, period, search_type), "snap": latest.snapshot_id,
         "prev_snap": prev.snapshot_id if prev else -1},
    ).df()
    return df, latest, prev


@dataclass
class DomainTable:
    rows: object  #: DataFrame: linking_domain, linking_pages, target_pages, first_seen, is_new
    basis: str
    snapshot: Snapshot | None
    previous: Snapshot | None


def linking_domains(con, site: str, snaps: Snapshots) -> DomainTable | None:
    """Linking domains of the newest snapshot, with the date each was first seen in any export."""
    first_seen = f"""SELECT domain, min(d) AS first_seen FROM (
            SELECT coalesce(l.linking_domain, l.site) AS domain, s.snapshot_date AS d
            FROM snapshots s JOIN linking_sites l USING (snapshot_id)
            WHERE s.property = $site AND s.snapshot_date <= $as_of
            UNION ALL
            SELECT p.linking_domain, s.snapshot_date
            FROM snapshots s JOIN linking_pages p USING (snapshot_id)
            WHERE s.property = $site AND s.snapshot_date <= $as_of AND s.kind IN ({_quoted(DOMAIN_KINDS)})
        ) GROUP BY domain"""
    params = {"site": site, "as_of": snaps.as_of or dt.date.max}
    latest, prev = snaps.latest_and_previous(("top_linking_sites",))
    if latest:
        params["snap"] = latest.snapshot_id
        df = con.execute(
            f"""SELECT coalesce(l.linking_domain, l.site) AS linking_domain, l.linking_pages, l.target_pages,
                       f.first_seen
                FROM linking_sites l LEFT JOIN ({first_seen}) f ON f.domain = coalesce(l.linking_domain, l.site)
                WHERE l.snapshot_id = $snap
                ORDER BY l.linking_pages DESC NULLS LAST, linking_domain""",
            params,
        ).df()
        basis = "Top linking sites export"
    else:
        latest, prev = snaps.latest_and_previous(SAMPLE_KINDS)
        if not latest:
            return None
        params["snap"] = latest.snapshot_id
        df = con.execute(
            f"""SELECT p.linking_domain, count(DISTINCT p.linking_url) AS linking_pages,
                       NULL::BIGINT AS target_pages, any_value(f.first_seen) AS first_seen
                FROM linking_pages p LEFT JOIN ({first_seen}) f ON f.domain = p.linking_domain
                WHERE p.snapshot_id = $snap AND p.linking_domain IS NOT NULL
                GROUP BY p.linking_domain
                ORDER BY linking_pages DESC, p.linking_domain""",
            params,
        ).df()
        basis = "derived from Google's sample of links (no Top linking sites export)"
    df["is_new"] = _is_new(df["first_seen"], latest, prev)
    return DomainTable(df, basis, latest, prev)


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _is_new(first_seen, latest: Snapshot, prev: Snapshot | None):
    """New = first seen on the newest snapshot's date; nothing is "new" without an earlier one."""
    import pandas as pd

    if prev is None:
        return pd.Series(False, index=first_seen.index)
    seen = pd.to_datetime(first_seen).dt.date
    return seen >= latest.date


@dataclass
class Changes:
    """Linking domains and pages that appeared or left between two snapshots."""

    what: str  #: "domains" / "pages"
    latest: Snapshot | None
    previous: Snapshot | None
    new: object = None  #: DataFrame (first `limit` rows)
    lost: object = None
    new_count: int = 0
    lost_count: int = 0


def domain_changes(con, snaps: Snapshots, limit: int) -> Changes:
    latest, prev = snaps.latest_and_previous(("top_linking_sites",))
    if latest and prev:
        sql = "SELECT DISTINCT coalesce(linking_domain, site) AS linking_domain FROM linking_sites WHERE snapshot_id = ?"
    else:
        latest, prev = snaps.latest_and_previous(SAMPLE_KINDS)
        sql = "SELECT DISTINCT linking_domain FROM linking_pages WHERE snapshot_id = ? AND linking_domain IS NOT NULL"
    return _changes(con, "domains", sql, "linking_domain", latest, prev, limit)


def page_changes(con, snaps: Snapshots, limit: int) -> Changes:
    latest, prev = snaps.latest_and_previous(SAMPLE_KINDS)
    sql = "SELECT DISTINCT linking_url, linking_domain FROM linking_pages WHERE snapshot_id = ?"
    return _changes(con, "pages", sql, "linking_url", latest, prev, limit)


def _changes(con, what, sql, key, latest, prev, limit) -> Changes:
    out = Changes(what, latest, prev)
    if not (latest and prev):
        return out
    order = "linking_domain, linking_url" if key == "linking_url" else key
    for name, a, b in (("new", latest, prev), ("lost", prev, latest)):
        # One EXCEPT per direction: the rows first, then their count (a window over the same result).
        rows = con.execute(
            f"""SELECT *, count(*) OVER () AS total FROM (({sql}) EXCEPT ({sql}))
                ORDER BY {order} LIMIT {int(limit)}""",
            [a.snapshot_id, b.snapshot_id],
        ).df()
        count = int(rows["total"].iloc[0]) if len(rows) else 0
        setattr(out, name, rows.drop(columns=["total"]))
        setattr(out, f"{name}_count", count)
    return out


def anchor_texts(con, snaps: Snapshots):
    found = snaps.of("top_linking_text")
    if not found:
        return None, None
    df = con.execute(
        "SELECT rank, anchor_text FROM linking_text WHERE snapshot_id = ? ORDER BY rank, anchor_text",
        [found[0].snapshot_id],
    ).df()
    return df, found[0]


# --- opportunities -------------------------------------------------------------------------------

FEW_LINKS = 2  #: "few links": this many incoming links or fewer


def traffic_without_links(con, site: str, period: Period, snaps: Snapshots, limit: int, search_type: str = "web"):
    """Pages with the most impressions in the period that have few or no known links."""
    latest, _ = snaps.latest_and_previous(("top_target_pages",))
    snap = latest.snapshot_id if latest else -1
    capped = bool(latest and latest.rows >= UI_ROW_CAP)
    df = con.execute(
        f"""SELECT w.page, w.clicks, w.impressions, w.position, coalesce(t.incoming_links, 0) AS incoming_links
            FROM (SELECT page, {_metrics_sql()} FROM search_pages
                  WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? GROUP BY page) w
            LEFT JOIN target_pages t ON t.snapshot_id = ? AND t.target_url = w.page
            WHERE coalesce(t.incoming_links, 0) <= ? AND w.impressions > 0
            ORDER BY w.impressions DESC, w.clicks DESC, w.page LIMIT {int(limit)}""",
        [site, search_type, period.start, period.end, snap, FEW_LINKS],
    ).df()
    return df, latest, capped


def links_without_traffic(con, site: str, period: Period, snaps: Snapshots, limit: int, search_type: str = "web"):
    """Linked pages (Top target pages) with no impressions at all in the period."""
    latest, _ = snaps.latest_and_previous(("top_target_pages",))
    if not latest:
        return None, None
    df = con.execute(
        f"""SELECT t.target_url, t.incoming_links, t.linking_sites
            FROM target_pages t
            WHERE t.snapshot_id = ? AND NOT EXISTS (
                SELECT 1 FROM search_pages p WHERE p.property = ? AND p.search_type = ?
                  AND p.day BETWEEN ? AND ? AND p.page = t.target_url AND p.impressions > 0)
            ORDER BY t.incoming_links DESC NULLS LAST, t.target_url LIMIT {int(limit)}""",
        [latest.snapshot_id, site, search_type, period.start, period.end],
    ).df()
    return df, latest


# --- one target page, in depth (batched over many pages) ------------------------------------------


@dataclass
class PageDetail:
    """Everything the store knows about links to one target page and its search traffic."""

    url: str
    incoming_links: int | None = None
    linking_sites_count: int | None = None
    internal_links: int | None = None
    link_history: list = field(default_factory=list)  #: (date, incoming links, linking sites)
    linking_sites: list = field(default_factory=list)  #: dicts: site, linking_pages, first_seen, last_seen, source
    linking_pages: list = field(default_factory=list)  #: dicts: linking_url, linking_domain, source, first_seen, last_seen, last_crawled
    daily: list = field(default_factory=list)  #: (day, clicks, impressions)
    queries: list = field(default_factory=list)  #: dicts: query, clicks, impressions, ctr, position
    inspection: dict | None = None
    site_samples: list = field(default_factory=list)  #: sample links from this page's linking sites (target unknown)
    exported_links_left_out: int = 0  #: linking pages from exports beyond the `max_links` shown
    week: dict = field(default_factory=dict)  #: clicks, impressions, position, prev_*
    anchor_matches: list | None = None  #: the site's anchor texts matching this page's queries (None: not rated)

    def metrics(self, previous: bool = False) -> dict:
        """Search metrics of the period (or the one before): see :func:`search_metrics`."""
        p = "prev_" if previous else ""
        return search_metrics(self.week.get(p + "clicks"), self.week.get(p + "impressions"), self.week.get(p + "position"))


def page_details(con, site: str, pages: list[str], period: Period, chart: Period, snaps: Snapshots, *,
                 search_type: str = "web", top_queries: int = 20,
                 max_links: int | None = 2000) -> dict[str, PageDetail]:
    """Details of many target pages at once: one query per source, not one per page."""
    import pandas as pd

    details = {u: PageDetail(u) for u in pages}
    if not pages:
        return details
    as_of = snaps.as_of or dt.date.max  # for SQL comparisons
    con.register("wanted", pd.DataFrame({"url": pages}))
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
        sample_ids = snaps.sample_ids()
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
                      arg_max(referring_urls, inspected_at)
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
                    "first_seen": first_seen.get((row[0], ref)), "last_seen": row[1].date() if row[1] else None,
                    "last_crawled": None, "source": "URL Inspection"})

        # Search: daily clicks and impressions over the chart period; the week and the one before.
        for url, day, clicks, impressions in con.execute(
            """SELECT page, day, clicks, impressions FROM search_pages p JOIN wanted w ON w.url = p.page
               WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? ORDER BY page, day""",
            [site, search_type, chart.start, chart.end],
        ).fetchall():
            details[url].daily.append((day, clicks, impressions))
        for row in con.execute(_page_week_sql("JOIN wanted w ON w.url = p.page"),
                               _page_week_params(site, period, search_type)).fetchall():
            details[row[0]].week = dict(zip(WEEK_COLUMNS, row[1:]))
        for row in con.execute(
            f"""SELECT * FROM (
                   SELECT page, query, {_metrics_sql()},
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
        con.unregister("wanted")
    return details


def newest_final_day(con, site: str, search_type: str = "web") -> dt.date | None:
    return search_coverage(con, site, search_type).last_final


def final_days(last_final: dt.date | None, days: int, today: dt.date) -> Period:
    """The last `days` days of final search data, given its newest day; without any, the days ending
    Search Console's usual lag before `today`."""
    end = last_final or today - dt.timedelta(days=SEARCH_LAG_DAYS)
    return Period(end - dt.timedelta(days=days - 1), end)


def report_period(last_final: dt.date | None, today: dt.date, week: Period | None):
    """The report's week and what to say about it, given the newest day of final search data.

    Default: the latest 7 days of final data (see :func:`final_days`).
    """
    notes = []
    if week is not None:
        if last_final is None or week.end > last_final:
            held = f"final data ends {last_final}" if last_final else "the store holds no final search data"
            notes.append(f"This week is not final yet ({held}); its numbers can still change.")
        return week, notes
    if last_final is None:
        notes.append("No search performance data in the store: dates assume Search Console's usual "
                     f"{SEARCH_LAG_DAYS}-day lag.")
    return final_days(last_final, 7, today), notes

