"""What the link checks found: each linking page's status, the links on it, links lost and why, own pages gone.

The newest check of a page is its current state; a link seen at one check of
a page and not at the next is lost on that next check's date, the check's
status its reason ("link removed", "page gone", "noindex"…); seen again, it is
back.  Search Console's exports name the linking pages; the checks say what
each link is (target, anchor, rel, placement) — every view reads them here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .snapshots import Snapshots

if TYPE_CHECKING:
    import duckdb

#: Statuses of a linking page that still links (followed or not).
LINKING = ("live", "live_nofollow", "noindex", "canonical_elsewhere")
#: Statuses that say the page is gone (its links count for nothing).
GONE = ("not_found", "redirected")
#: What a lost link's reason says, per status of the check that no longer saw it.
LOST_REASON = {
    "link_missing": "link removed", "not_found": "page gone (404/410)", "redirected": "page redirects elsewhere",
    "noindex": "page is noindex", "canonical_elsewhere": "page's canonical is elsewhere",
    "live_nofollow": "nofollow now", "server_error": "page answers an error", "timeout": "page timed out",
    "unreachable": "site unreachable", "blocked_by_robots": "blocked by robots.txt", "not_html": "page is no HTML",
    "too_large": "page too large", "refused_address": "address refused",
}
#: Checks that could not read the page: no evidence that a link is there or gone (the next check that reads it
#: decides).
UNREAD = ("timeout", "unreachable", "server_error", "blocked_by_robots", "refused_address")
#: A page's own statuses that make it a broken target ("redirect them").
BROKEN_TARGET = ("not_found", "redirected", "noindex")


def linking_check(alias: str = "") -> str:
    """SQL: a page check of one of the property's linking pages — not of its own pages, nor of a competitor's
    linking page of the link gap (``check --competitors``: checked for its text, never a link of the property)."""
    of = f"{alias}." if alias else ""
    return f"NOT {of}own AND NOT {of}gap"


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


# --- which pages to check -------------------------------------------------------------------------------


def known_linking_pages(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> list[tuple[str, str | None]]:
    """(URL, registrable domain) of every linking page known for the property: Google's sample (the newest
    More sample links and Latest links), linking-pages drill-downs, URL Inspection's referring URLs, and the
    pages the newest third-party exports of the property's links list (live or lost: a fresh fetch confirms
    or corrects what the tool says)."""
    from ..urls import host_of, registrable_domain

    ids = snaps.sample().ids + [s.snapshot_id for s in snaps.of("site_linking_pages")]
    found: dict[str, str | None] = {}
    if ids:
        for url, domain in con.execute(
                f"SELECT DISTINCT linking_url, linking_domain FROM linking_pages WHERE snapshot_id IN ({_marks(ids)})",
                ids).fetchall():
            found[url] = domain
    for (ref,) in con.execute(
            """SELECT DISTINCT unnest(referring_urls) FROM (
                   SELECT arg_max(referring_urls, inspected_at) AS referring_urls FROM inspections
                   WHERE property = ? GROUP BY url)""", [snaps.site]).fetchall():
        if ref and ref not in found:
            found[ref] = registrable_domain(host_of(ref))
    from ..store.vendors import current_vendor_snapshots

    vendor_ids = [s.snapshot_id for s in current_vendor_snapshots(con, snaps.site, snaps.as_of)]
    if vendor_ids:
        for url, domain in con.execute(
                """SELECT DISTINCT linking_url, linking_domain FROM link_observations
                   WHERE source <> 'check' AND list_contains(?, snapshot_id)""", [vendor_ids]).fetchall():
            found.setdefault(url, domain)
    return sorted(found.items())


def own_linked_pages(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> list[str]:
    """The property's own pages that links point at: the newest Top target pages export, drill-down targets."""
    pages = {s.target_url for s in snaps.all if s.target_url}
    newest = snaps.newest("top_target_pages")
    if newest:
        pages.update(r[0] for r in con.execute("SELECT target_url FROM target_pages WHERE snapshot_id = ?",
                                              [newest.snapshot_id]).fetchall())
    return sorted(pages)


# --- what the checks found -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageState:
    """A page's newest check."""

    url: str
    checked_at: dt.datetime  #: UTC
    status: str
    reason: str
    http_status: int | None
    final_url: str | None
    title: str | None
    links: int  #: links to the property on it
    lang: str | None = None  #: <html lang>
    canonical: str | None = None  #: rel=canonical
    meta_robots: str | None = None
    x_robots_tag: str | None = None
    size: int | None = None  #: bytes read
    elapsed: float | None = None  #: seconds taken, all hops
    hops: tuple[str, ...] = ()  #: "status url" of every answer on the way (redirects, then the last)


def latest_checks(con: duckdb.DuckDBPyConnection, site: str, *, own: bool = False,
                  status: str | None = None) -> list[PageState]:
    """Each checked page's newest check, newest first."""
    rows = con.execute(
        f"""SELECT url, checked_at, status, reason, http_status, final_url, title, links,
                  lang, canonical, meta_robots, x_robots_tag, size, elapsed, coalesce(hops, []) FROM (
               SELECT *, row_number() OVER (PARTITION BY url ORDER BY checked_at DESC, check_id DESC) AS n
               FROM page_checks WHERE property = ? AND {"own" if own else linking_check()})
           WHERE n = 1 AND (? IS NULL OR status = ?) ORDER BY checked_at DESC, url""",
        [site, status, status]).fetchall()
    return [PageState(*(*r[:-1], tuple(r[-1]))) for r in rows]  # hops: a list from DuckDB, a tuple here


@dataclass(frozen=True)
class Link:
    """A link to the property on a linking page, as its newest check saw it."""

    linking_url: str
    linking_domain: str | None
    target_url: str
    anchor_text: str | None
    image: bool
    nofollow: bool
    ugc: bool
    sponsored: bool
    placement: str | None
    context_before: str | None
    context_after: str | None
    checked_at: dt.datetime
    page_status: str  #: the status of the page's newest check

    @property
    def flags(self) -> tuple[str, ...]:
        """The rel tokens that lower a link's value (see ``value.FLAG_FACTORS``)."""
        return tuple(f for f, on in (("nofollow", self.nofollow), ("ugc", self.ugc), ("sponsored", self.sponsored))
                     if on)

    @property
    def rel(self) -> str:
        return " ".join(self.flags) or "followed"


_NEWEST = f"""SELECT check_id, url, checked_at, status FROM (
                 SELECT check_id, url, checked_at, status,
                        row_number() OVER (PARTITION BY url ORDER BY checked_at DESC, check_id DESC) AS n
                 FROM page_checks WHERE property = ? AND {linking_check()}) WHERE n = 1"""


def read_by_check(con: duckdb.DuckDBPyConnection, site: str) -> set[str]:
    """The linking pages whose newest check could read them (its links, or their absence, are known)."""
    return {u for (u,) in con.execute(
        f"SELECT url FROM ({_NEWEST}) WHERE status NOT IN {tuple(UNREAD)!r}", [site]).fetchall()}


def current_links(con: duckdb.DuckDBPyConnection, site: str, *, target: str | None = None,
                  linking_urls: list[str] | None = None) -> list[Link]:
    """The links the newest check of each linking page found (to one target page, or from some pages)."""
    rows = con.execute(
        f"""SELECT o.linking_url, o.linking_domain, o.target_url, o.anchor_text, o.image, o.nofollow, o.ugc,
                   o.sponsored, o.placement, o.context_before, o.context_after, c.checked_at, c.status
            FROM ({_NEWEST}) c JOIN link_observations o ON o.check_id = c.check_id
            WHERE (? IS NULL OR o.target_url = ?) AND (? IS NULL OR list_contains(?, o.linking_url))
            ORDER BY o.linking_url, o.target_url, o.anchor_text""",
        [site, target, target, linking_urls, linking_urls]).fetchall()
    return [Link(*r) for r in rows]


@dataclass(frozen=True)
class LostLink:
    linking_url: str
    linking_domain: str | None
    target_url: str
    anchor_text: str | None
    last_seen: dt.datetime  #: the check that still saw it (UTC)
    lost_on: dt.datetime  #: the check that no longer did (UTC)
    status: str  #: that check's status
    reason: str  #: in the user's words


#: Links seen at one check of a page and not at its next check: (linking_url, linking_domain, target_url,
#: anchor_text, last_seen, lost_on, next_status).  One parameter: the property.
_GONE = f"""WITH checks AS (
               SELECT check_id, url, checked_at, status,
                      lead(check_id) OVER (PARTITION BY url ORDER BY checked_at, check_id) AS next_id,
                      lead(checked_at) OVER (PARTITION BY url ORDER BY checked_at, check_id) AS next_at,
                      lead(status) OVER (PARTITION BY url ORDER BY checked_at, check_id) AS next_status
               FROM page_checks WHERE property = ? AND {linking_check()}
                 AND status NOT IN {tuple(UNREAD)!r}),  -- a check that could not read the page says nothing
           gone AS (
               SELECT o.linking_url, o.linking_domain, o.target_url, any_value(o.anchor_text) AS anchor_text,
                      c.checked_at AS last_seen, c.next_at AS lost_on, c.next_status
               FROM checks c JOIN link_observations o ON o.check_id = c.check_id
               WHERE c.next_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM link_observations n WHERE n.check_id = c.next_id AND n.target_url = o.target_url)
               GROUP BY ALL)"""
#: The first later check of the same page that saw the same link again (NULL: not back).  Parameter: the property.
_BACK_AT = f"""(SELECT min(p.checked_at) FROM link_observations o JOIN page_checks p ON p.check_id = o.check_id
               WHERE p.property = ? AND {linking_check('p')} AND o.linking_url = g.linking_url
                 AND o.target_url = g.target_url AND p.checked_at > g.lost_on)"""


def lost_links(con: duckdb.DuckDBPyConnection, site: str, since: dt.datetime | None = None) -> list[LostLink]:
    """Links seen at one check of a page and not at the next one (and not back since), newest first."""
    rows = con.execute(
        f"""{_GONE}
           SELECT g.* FROM gone g
           WHERE (? IS NULL OR g.lost_on >= ?) AND {_BACK_AT} IS NULL  -- not seen again at a later check
           ORDER BY g.lost_on DESC, g.linking_url, g.target_url""",
        [site, since, since, site]).fetchall()
    return [LostLink(u, d, t, a, seen, lost, status, LOST_REASON.get(status, status))
            for u, d, t, a, seen, lost, status in rows]


@dataclass(frozen=True)
class BackLink:
    """A link a check saw go and a later check saw again: "back"."""

    linking_url: str
    linking_domain: str | None
    target_url: str
    anchor_text: str | None
    lost_on: dt.datetime  #: the check that no longer saw it (UTC)
    back_on: dt.datetime  #: the first later check that saw it again (UTC)
    was: str  #: why it had gone, in the user's words


def back_links(con: duckdb.DuckDBPyConnection, site: str, since: dt.datetime | None = None) -> list[BackLink]:
    """Links that were lost and are back, seen again on or after `since` (the newest return of each), newest
    first."""
    rows = con.execute(
        f"""{_GONE}
           SELECT linking_url, any_value(linking_domain), target_url, arg_max(anchor_text, lost_on), max(lost_on),
                  max(back_on), arg_max(next_status, lost_on)
           FROM (SELECT g.*, {_BACK_AT} AS back_on FROM gone g) b
           WHERE back_on IS NOT NULL AND (? IS NULL OR back_on >= ?)
             AND NOT EXISTS (SELECT 1 FROM gone g2 WHERE g2.linking_url = b.linking_url  -- and not gone again
                               AND g2.target_url = b.target_url AND g2.lost_on > b.back_on)
           GROUP BY linking_url, target_url
           ORDER BY max(back_on) DESC, linking_url, target_url""",
        [site, site, since, since]).fetchall()
    return [BackLink(u, d, t, a, lost, back, LOST_REASON.get(status, status))
            for u, d, t, a, lost, back, status in rows]


@dataclass(frozen=True)
class BrokenTarget:
    """One of the property's own pages that links point at but that is gone (404/410, redirect home, noindex)."""

    url: str
    status: str
    reason: str
    checked_at: dt.datetime
    links: int | None  #: incoming links (Top target pages), where known
    linking_pages: int  #: checked linking pages whose links point at it


def broken_targets(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> list[BrokenTarget]:
    """Own pages with links that are gone: where a redirect would win the links back."""
    newest = snaps.newest("top_target_pages")
    rows = con.execute(
        f"""WITH own AS (
                SELECT url, checked_at, status, reason, redirect_to_home FROM (
                    SELECT *, row_number() OVER (PARTITION BY url ORDER BY checked_at DESC, check_id DESC) AS n
                    FROM page_checks WHERE property = ? AND own) WHERE n = 1),
            linked AS (
                SELECT o.target_url, count(DISTINCT o.linking_url) AS pages
                FROM ({_NEWEST}) c JOIN link_observations o ON o.check_id = c.check_id GROUP BY 1)
            SELECT own.url, own.status, own.reason, own.checked_at, t.incoming_links, coalesce(linked.pages, 0)
            FROM own LEFT JOIN target_pages t ON t.snapshot_id = ? AND t.target_url = own.url
                     LEFT JOIN linked ON linked.target_url = own.url
            WHERE own.status IN ({_marks(BROKEN_TARGET)}) OR own.redirect_to_home
            ORDER BY coalesce(t.incoming_links, 0) + coalesce(linked.pages, 0) DESC, own.url""",
        [snaps.site, snaps.site, newest.snapshot_id if newest else -1, *BROKEN_TARGET]).fetchall()
    return [BrokenTarget(*r) for r in rows]


@dataclass(frozen=True)
class CheckCoverage:
    """How much of the property the checks cover."""

    pages_checked: int
    newest: dt.datetime | None  #: UTC
    oldest: dt.datetime | None


def check_coverage(con: duckdb.DuckDBPyConnection, site: str) -> CheckCoverage:
    row = con.execute(
        f"""SELECT count(DISTINCT url), max(checked_at), min(last) FROM (
               SELECT url, checked_at, max(checked_at) OVER (PARTITION BY url) AS last
               FROM page_checks WHERE property = ? AND {linking_check()})""", [site]).fetchall()[0]
    return CheckCoverage(*row)


@dataclass(frozen=True)
class PageFacts:
    """What the newest check of one linking page found."""

    status: str
    reason: str
    checked_at: dt.datetime  #: UTC
    links: tuple[Link, ...]  #: to the property; content links first

    @property
    def first(self) -> Link | None:
        return self.links[0] if self.links else None


def facts_of(con: duckdb.DuckDBPyConnection, site: str, linking_urls: list[str]) -> dict[str, PageFacts]:
    """The newest check of each of these linking pages (those checked), with the links it found."""
    if not linking_urls:
        return {}
    states = con.execute(
        f"""SELECT c.url, p.status, p.reason, p.checked_at FROM ({_NEWEST}) c JOIN page_checks p USING (check_id)
            WHERE list_contains(?, c.url)""", [site, linking_urls]).fetchall()
    links: dict[str, list[Link]] = {}
    for link in current_links(con, site, linking_urls=linking_urls):
        links.setdefault(link.linking_url, []).append(link)
    order = {"content": 0, None: 1}
    return {url: PageFacts(status, reason, at, tuple(sorted(links.get(url, ()), key=lambda k: (
                order.get(k.placement, 2), k.target_url))))
            for url, status, reason, at in states}
