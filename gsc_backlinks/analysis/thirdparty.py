"""Third-party sources beside Search Console's: which source lists which linking domain, and the link gap.

* **Coverage**: per linking domain, the sources that list it — Search Console
  (the domains :mod:`.domains` counts and Google's sample), URL Inspection
  (referring URLs), the link checks (pages whose newest check found a link)
  and each tool whose newest export of the property's links lists it as live.
* **Link gap**: linking domains that link to at least K competitors (their
  newest third-party exports) and to the property by no source, ranked by what
  a link from them would be worth (:class:`~.value.Valuer`: authority, and the
  relevance of their linking pages to the property's search queries).

A third-party snapshot is current until a newer export of the same tool,
export and competitor replaces it; rows the tool marks lost are not links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exports.thirdparty import TOOLS, VENDOR_METRICS
from ..store.vendors import current_vendor_snapshots
from .checks import LINKING, linking_check
from .domains import linking_domains

if TYPE_CHECKING:
    import duckdb

    from ..store.vendors import VendorSnapshot
    from .snapshots import Snapshots
    from .value import Rated, Valuer

SEARCH_CONSOLE = "Search Console"
INSPECTION = "URL Inspection"
LINK_CHECK = "link check"
#: Live rows of a third-party export (the tool marks lost links; they are history, not links).
LIVE = "o.lost_on IS NULL AND coalesce(o.status, 'live') <> 'lost'"
#: Gap candidates rated at most (the rest by how many competitors they link to, then the tool's authority).
GAP_RATED = 20_000
#: Competitor exports older than this at the report's end get a notice.
STALE_DAYS = 30
#: The tools' own authority metrics of a backlinks export's rows, shown beside authority (the first one a row
#: has, labelled with its tool; never mixed into value).
LINK_METRICS = ("ahrefs_dr", "moz_domain_authority", "semrush_page_ascore", "majestic_source_trust_flow")


def tool_name(vendor: str) -> str:
    return TOOLS.get(vendor, vendor)


def _vendor_domains(con: duckdb.DuckDBPyConnection, snaps: list[VendorSnapshot]) -> dict[str, set[str]]:
    """tool name -> the live linking domains its current snapshots list."""
    out: dict[str, set[str]] = {}
    for snap in snaps:
        rows = con.execute(
            f"""SELECT DISTINCT o.linking_domain FROM link_observations o
                WHERE o.snapshot_id = ? AND o.source <> 'check' AND o.linking_domain IS NOT NULL AND {LIVE}
                UNION
                SELECT DISTINCT o.linking_domain FROM vendor_domains o WHERE o.snapshot_id = ? AND {LIVE}""",
            [snap.snapshot_id, snap.snapshot_id]).fetchall()
        out.setdefault(tool_name(snap.vendor), set()).update(r[0] for r in rows)
    return out


def vendor_linking_domains(con: duckdb.DuckDBPyConnection, snaps: list[VendorSnapshot]) -> set[str]:
    """The live linking domains these third-party snapshots list, together."""
    return set().union(*_vendor_domains(con, snaps).values())


@dataclass(frozen=True)
class Coverage:
    """Which sources list which linking domains of a property."""

    sources: dict[str, frozenset[str]]  #: source -> linking domains, in SOURCE order
    vendor_snapshots: tuple[VendorSnapshot, ...]

    def of(self, domain: str) -> tuple[str, ...]:
        return tuple(name for name, found in self.sources.items() if domain in found)

    @property
    def all(self) -> frozenset[str]:
        return frozenset().union(*self.sources.values()) if self.sources else frozenset()

    @property
    def tools(self) -> list[str]:
        return [name for name in self.sources if name not in (SEARCH_CONSOLE, INSPECTION, LINK_CHECK)]

    def comparisons(self) -> list[str]:
        """Each tool against Search Console, in the user's words."""
        google = self.sources.get(SEARCH_CONSOLE, frozenset())
        lines = []
        for tool in self.tools:
            theirs = self.sources[tool]
            if not google:  # nothing of Google's to compare with: no count of 0 that reads as "Google sees none"
                lines.append(f"{tool} lists {_domains(len(theirs))}; no Search Console link export is held to "
                             "compare with (import its Top linking sites or More sample links export).")
                continue
            both = len(theirs & google)
            lines.append(f"{tool} lists {_domains(len(theirs))}, Search Console {len(google):,}, both {both:,}: "
                         f"Search Console's sample misses {_domains(len(theirs - google))} {tool} sees; "
                         f"{tool} misses {len(google - theirs):,} that Google counts.")
        return lines


def _domains(n: int) -> str:
    return f"{n:,} linking domain" + ("" if n == 1 else "s")


def coverage(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> Coverage:
    """Per source, the linking domains it lists for the property (as of the snapshots' date)."""
    from ..urls import host_of, registrable_domain

    sources: dict[str, set[str]] = {}
    google: set[str] = set()
    found = linking_domains(con, snaps)
    if found:
        google.update(r.linking_domain for r in found.rows)
    sample = snaps.sample()
    if sample:
        marks = ", ".join("?" for _ in sample.ids)
        google.update(r[0] for r in con.execute(
            f"SELECT DISTINCT linking_domain FROM linking_pages WHERE snapshot_id IN ({marks}) "
            "AND linking_domain IS NOT NULL", sample.ids).fetchall())
    sources[SEARCH_CONSOLE] = google
    refs = con.execute(
        """SELECT DISTINCT unnest(referring_urls) FROM (
               SELECT arg_max(referring_urls, inspected_at) AS referring_urls FROM inspections
               WHERE property = ? AND (? IS NULL OR inspected_day <= ?) GROUP BY url)""",
        [snaps.site, snaps.as_of, snaps.as_of]).fetchall()
    inspected = {registrable_domain(host_of(r[0])) for r in refs if r[0]}
    sources[INSPECTION] = {d for d in inspected if d}
    marks = ", ".join("?" for _ in LINKING)
    sources[LINK_CHECK] = {r[0] for r in con.execute(
        f"""SELECT DISTINCT o.linking_domain FROM (
                SELECT arg_max(check_id, checked_at) AS check_id, arg_max(status, checked_at) AS status
                FROM page_checks WHERE property = ? AND {linking_check()} AND (? IS NULL OR checked_at::DATE <= ?)
                GROUP BY url) c
            JOIN link_observations o ON o.check_id = c.check_id
            WHERE c.status IN ({marks}) AND o.linking_domain IS NOT NULL""",
        [snaps.site, snaps.as_of, snaps.as_of, *LINKING]).fetchall()}
    own = current_vendor_snapshots(con, snaps.site, snaps.as_of)
    for tool, domains in sorted(_vendor_domains(con, own).items()):
        sources[tool] = domains
    return Coverage({k: frozenset(v) for k, v in sources.items() if v or k == SEARCH_CONSOLE}, tuple(own))


# --- the link gap -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapLink:
    """A competitor's link from a gap domain: the example the outreach list shows."""

    competitor: str
    linking_url: str
    target_url: str
    anchor_text: str | None
    followed: bool | None  #: None: the tool does not say
    first_seen: dt.date | None
    tool: str


@dataclass(frozen=True)
class GapRow:
    linking_domain: str
    competitors: tuple[str, ...]
    links: tuple[GapLink, ...]  #: one per competitor
    rated: Rated
    metric: tuple[str, float] | None  #: the tool's own domain metric, e.g. ("Ahrefs Domain rating", 71.0)

    @property
    def value(self) -> int:
        return self.rated.value

    def as_dict(self) -> dict:
        return {"linking_domain": self.linking_domain, "competitor_count": len(self.competitors),
                "competitors": list(self.competitors),
                "links": [{"competitor": k.competitor, "linking_url": k.linking_url, "target_url": k.target_url,
                           "anchor_text": k.anchor_text, "followed": k.followed,
                           "first_seen": k.first_seen.isoformat() if k.first_seen else None, "tool": k.tool}
                          for k in self.links],
                "tool_metric": self.metric[0] if self.metric else None,
                "tool_metric_value": self.metric[1] if self.metric else None,
                **self.rated.as_dict()}


@dataclass(frozen=True)
class LinkGap:
    rows: tuple[GapRow, ...]  #: most valuable first
    total: int  #: domains in the gap (rows may be fewer: `limit`)
    competitors: tuple[str, ...]  #: those compared
    min_competitors: int
    snapshots: tuple[VendorSnapshot, ...]  #: the competitor exports read
    notes: tuple[str, ...] = ()

    def stale(self, end: dt.date) -> list[VendorSnapshot]:
        """Competitor exports older than :data:`STALE_DAYS` at `end`."""
        return [s for s in self.snapshots if (end - s.date).days > STALE_DAYS]


def link_gap(con: duckdb.DuckDBPyConnection, snaps: Snapshots, valuer: Valuer, *,
             competitors: list[str] | None = None, min_competitors: int = 1, limit: int | None = None,
             own: Coverage | None = None) -> LinkGap:
    """Linking domains that link to at least `min_competitors` of the competitors and not to the property."""
    from ..urls import host_of, registrable_domain

    current = [s for s in current_vendor_snapshots(con, snaps.site, snaps.as_of, competitor=None)
               if competitors is None or s.competitor in competitors]
    names = tuple(sorted({s.competitor for s in current}))
    link_snaps = [s for s in current if not s.export.endswith("referring_domains")]
    if not link_snaps:
        return LinkGap((), 0, names, min_competitors, tuple(current))
    own = own or coverage(con, snaps)
    excluded = set(own.all) | set(names)
    home = registrable_domain(host_of(snaps.site)) if "://" in snaps.site else snaps.site.split(":", 1)[-1]
    if home:
        excluded.add(home)
    metric_cols = list(LINK_METRICS)
    ids = [s.snapshot_id for s in link_snaps]
    rows = con.execute(
        f"""WITH live AS (
                SELECT s.competitor, o.source, o.linking_domain, o.linking_url, o.target_url, o.anchor_text,
                       o.nofollow, o.ugc, o.sponsored, o.first_seen,
                       greatest({', '.join(f'coalesce(o.{m}, -1)' for m in metric_cols)}) AS metric,
                       {', '.join(f'o.{m}' for m in metric_cols)}
                FROM link_observations o JOIN vendor_snapshots s ON s.snapshot_id = o.snapshot_id
                WHERE list_contains(?, o.snapshot_id) AND o.linking_domain IS NOT NULL AND {LIVE}
                  AND NOT list_contains(?, o.linking_domain)),
            per AS (
                SELECT linking_domain, competitor,
                       arg_max(struct_pack(linking_url, target_url, anchor_text, nofollow, ugc, sponsored,
                                           first_seen, source),
                               (NOT coalesce(nofollow OR ugc OR sponsored, false))::INT * 1000 + metric) AS best,
                       {', '.join(f'max({m}) AS {m}' for m in metric_cols)}
                FROM live GROUP BY ALL),
            gap AS (
                SELECT linking_domain, list(competitor ORDER BY competitor) AS competitors, list(best ORDER BY competitor)
                       AS links, {', '.join(f'max({m}) AS {m}' for m in metric_cols)}, count(*) AS n
                FROM per GROUP BY linking_domain HAVING count(*) >= ?)
            SELECT *, count(*) OVER () FROM gap
            ORDER BY n DESC, greatest({', '.join(f'coalesce({m}, -1)' for m in metric_cols)}) DESC, linking_domain
            LIMIT {GAP_RATED}""",
        [ids, sorted(excluded), min_competitors]).fetchall()
    total = rows[0][-1] if rows else 0
    notes = []
    if total > len(rows):
        notes.append(f"{total:,} domains are in the gap; the {len(rows):,} that link to the most competitors "
                     "(then with the highest authority the tools give) are rated and listed.")
    # Value: authority and the relevance of the competitor's linking page to this site's queries; a link the
    # competitor got as nofollow/ugc/sponsored counts as the value factors say.
    flat = [(i, k) for i, r in enumerate(rows) for k in r[2]]
    rated = valuer.rate_pages([k["linking_url"] for _, k in flat], [rows[i][0] for i, _ in flat],
                              states=[(tuple(f for f in ("nofollow", "ugc", "sponsored") if k[f]), False)
                                      for _, k in flat])
    best: dict[int, Rated] = {}
    for (i, _), r in zip(flat, rated):
        if i not in best or r.value > best[i].value:
            best[i] = r
    out = []
    for i, (domain, comps, links, *metrics) in enumerate(rows):
        metric = next(((VENDOR_METRICS[m].label, v) for m, v in zip(metric_cols, metrics[:len(metric_cols)])
                       if v is not None), None)
        out.append(GapRow(domain, tuple(comps), tuple(
            GapLink(c, k["linking_url"], k["target_url"], k["anchor_text"],
                    None if k["nofollow"] is None and k["ugc"] is None and k["sponsored"] is None
                    else not (k["nofollow"] or k["ugc"] or k["sponsored"]), k["first_seen"], tool_name(k["source"]))
            for c, k in zip(comps, links)), best[i], metric))
    out.sort(key=lambda r: (-r.value, -len(r.competitors), r.linking_domain))
    return LinkGap(tuple(out[:limit] if limit else out), total, names, min_competitors, tuple(current), tuple(notes))
