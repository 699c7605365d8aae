"""The `links` summaries: one analysis result each, as a table for the terminal, CSV or JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NoDataError
from ..exports.kinds import KINDS

if TYPE_CHECKING:
    from ..analysis.value import Valuer
    from ..report.summaries import Summary


def _missing(site: str, kinds: tuple[str, ...], as_of: dt.date | None, con=None) -> NoDataError:
    """Nothing of these kinds held: what to export, and (given the connection) where a tool's domains are shown."""
    from ..analysis.sources import WHERE

    when = f" on or before {as_of.isoformat()}" if as_of else ""
    label = " or ".join(f"'{KINDS[k].label}'" for k in kinds)
    where = WHERE.get(kinds[0], "the Links report")
    tools = ""
    if con is not None:
        from ..store.vendors import current_vendor_snapshots

        if current_vendor_snapshots(con, site, as_of):
            tools = f" (what your third-party exports list: gsc-backlinks links sources --site {site})"
    return NoDataError(
        f"no {label} export imported for {site}{when}; in Search Console open {where}, "
        f"then run: gsc-backlinks import FILE --site {site}{tools}"
    )


def summary(store_path: Path, name: str, site: str, *, top: int | None = None, as_of: dt.date | None = None,
            **options):
    """The `links <name>` summary of a property (a ``report.summaries.Summary``); `top`: rows (None = all)."""
    from ..analysis.snapshots import Snapshots
    from ..store import open_store
    from .common import held_property

    valuer = None
    with open_store(store_path) as con:
        site = held_property(con, site)
        if name == "sources":
            from ..analysis.sources import held_snapshots
            from ..analysis.thirdparty import coverage
            from ..report import summaries
            from ..store.vendors import vendor_snapshots

            vendor = vendor_snapshots(con, site)
            cover = coverage(con, Snapshots.read(con, site)) if vendor else None
            return summaries.sources(site, held_snapshots(con, site), vendor, cover)
        snaps = Snapshots.read(con, site, as_of)
        result, valuer = _SUMMARIES[name](con, snaps, top, as_of, **options)
    if valuer is not None:
        from .weekly import store_ratings

        store_ratings(store_path, valuer)
    return result


def _pages(con, snaps, top, as_of, internal: bool = False):
    from ..analysis.pages import target_pages
    from ..report import summaries

    kind = "internal_target_pages" if internal else "top_target_pages"
    found = target_pages(con, snaps, internal=internal, limit=top)
    if found is None:
        raise _missing(snaps.site, (kind,), as_of)
    return summaries.target_pages(snaps.site, found, internal, top), None


def _domains(con, snaps, top, as_of, sort: str = "links", sources: bool = False):
    from ..analysis.domains import linking_domains
    from ..analysis.search import topic_end
    from ..analysis.thirdparty import coverage
    from ..analysis.value import Valuer
    from ..report import summaries

    found = linking_domains(con, snaps)
    if found is None:
        raise _missing(snaps.site, ("top_linking_sites", "sample_links"), as_of, con)
    cover = coverage(con, snaps) if sources else None
    if sort != "value":
        return summaries.linking_domains(snaps.site, found, top, cover=cover), None
    valuer = Valuer.for_property(con, snaps, topic_end(con, snaps.site, as_of), found)
    values = valuer.rate_domains([r.linking_domain for r in found.rows])
    others = sorted(cover.all - {r.linking_domain for r in found.rows}) if cover else []
    return summaries.linking_domains(snaps.site, found, top, values, tuple(valuer.explain()), cover,
                                     valuer.rate_domains(others)), valuer


def no_competitor_data(site: str) -> NoDataError:
    """The link gap needs a competitor's backlinks export: what to do."""
    return NoDataError(f"no competitor's backlinks export imported for {site}; import one with "
                       f"gsc-backlinks import FILE --site {site} --competitor DOMAIN")


def _gap(con, snaps, top, as_of, competitors: tuple[str, ...] = (), min_competitors: int = 1):
    from ..analysis.search import topic_end
    from ..analysis.thirdparty import link_gap
    from ..analysis.value import Valuer
    from ..exports.thirdparty import competitor_domain
    from ..report import summaries
    from ..store.vendors import competitors as held_competitors

    wanted = [competitor_domain(c) for c in competitors] or None
    known = held_competitors(con, snaps.site)
    for name in wanted or ():
        if name not in known:
            raise NoDataError(f"no export of competitor {name} imported for {snaps.site}; import one with "
                              f"gsc-backlinks import FILE --site {snaps.site} --competitor {name}")
    valuer = Valuer.for_property(con, snaps, topic_end(con, snaps.site, as_of))
    gap = link_gap(con, snaps, valuer, competitors=wanted, min_competitors=min_competitors)
    if not gap.snapshots:
        raise no_competitor_data(snaps.site)
    held = len(gap.competitors)
    if min_competitors > held:  # no domain can link to more competitors than there are
        which = "given with --competitor" if wanted else f"with an export for {snaps.site}"
        raise NoDataError(f"--min-competitors {min_competitors} asks for more competitors than the {held} {which} "
                          f"({', '.join(gap.competitors)}); lower it, or import another competitor's export with "
                          f"gsc-backlinks import FILE --site {snaps.site} --competitor DOMAIN")
    return summaries.link_gap(snaps.site, gap, top, tuple(valuer.explain())), valuer


def _anchors(con, snaps, top, as_of, brands: tuple[str, ...] = (), target: str | None = None):
    from ..analysis.anchors import anchor_table, page_anchors, site_rules
    from ..analysis.search import topic_end
    from ..report import summaries

    rules = site_rules(con, snaps.site, topic_end(con, snaps.site, as_of), brands)
    if target:
        from ..analysis.page import find_page
        from ..urls import parse_property

        page = find_page(con, parse_property(snaps.site), target).url
        queries = [q for q, in con.execute(
            """SELECT query FROM search_queries WHERE property = ? AND page = ? AND search_type = 'web'
               GROUP BY query ORDER BY sum(impressions) DESC, query LIMIT 100""", [snaps.site, page]).fetchall()]
        found_page = page_anchors(con, snaps.site, page, rules.for_queries(queries), snaps.as_of)
        if not found_page:
            raise NoDataError(f"no checked link to {page} yet; run: gsc-backlinks check --site {snaps.site}")
        return summaries.page_anchors(snaps.site, page, found_page, top), None
    found = anchor_table(con, snaps, rules, top)
    if found is None:
        raise _missing(snaps.site, ("top_linking_text",), as_of)
    return summaries.anchors(snaps.site, found, top), None


def _samples(con, snaps, top, as_of, domain: str | None = None):
    from ..analysis.checks import facts_of
    from ..analysis.samples import sample_links
    from ..report import summaries

    sample = snaps.sample()
    if not sample:
        raise _missing(snaps.site, ("sample_links", "latest_links"), as_of)
    found = sample_links(con, sample, domain=domain, limit=top)
    return summaries.samples(snaps.site, found, facts_of(con, snaps.site, [r.linking_url for r in found.rows])), None


def _checks(con, snaps, top, as_of, status: str | None = None):
    from ..analysis.checks import latest_checks
    from ..report import summaries

    found = latest_checks(con, snaps.site, status=status)
    if not found and status is None:
        raise NoDataError(f"no linking page of {snaps.site} checked yet; run: gsc-backlinks check --site {snaps.site}")
    return summaries.checks(snaps.site, found, top), None


def _changes(con, snaps, top, as_of, since: dt.date | None = None, pages: bool = False):
    from ..analysis.search import topic_end
    from ..analysis.value import Valuer
    from ..analysis.week import week_in_links
    from ..report import summaries

    if not snaps.all:
        raise _missing(snaps.site, ("top_linking_sites", "sample_links"), as_of, con)
    valuer = Valuer.for_property(con, snaps, topic_end(con, snaps.site, as_of))
    week = week_in_links(con, snaps, valuer, since=since)
    if since is not None and not week.compared and not week.pages.changes.compared:
        oldest = min(s.date for s in snaps.all)
        raise NoDataError(f"no snapshot on or before {since} to compare with (the oldest held is {oldest}); give a "
                          "later --since, or leave it out to compare with the snapshot before the newest")
    return summaries.changes(snaps.site, week, top, pages, tuple(valuer.explain())), valuer


_SUMMARIES: dict[str, Callable[..., tuple[Summary, Valuer | None]]] = {
    "pages": _pages, "domains": _domains, "anchors": _anchors, "samples": _samples, "checks": _checks,
    "gap": _gap, "changes": _changes}


def competitor_list(store_path: Path, site: str, *, add: tuple[str, ...] = (), remove: tuple[str, ...] = ()):
    """The property's competitors (after adding and removing some), as a ``Summary``, and what removing took
    away (``store.vendors.RemovedCompetitor`` each)."""
    from ..analysis.thirdparty import vendor_linking_domains
    from ..dates import utc_now
    from ..exports.thirdparty import competitor_domain, refuse_own_site
    from ..report import summaries
    from ..store import open_current, open_store
    from ..store.vendors import add_competitors, competitors, current_vendor_snapshots, remove_competitors, vendor_snapshots
    from ..urls import parse_property
    from .common import held_property

    added = [competitor_domain(d, "--add") for d in add]
    removed = [competitor_domain(d, "--remove") for d in remove]
    gone = []
    if added or removed:
        prop = parse_property(site)
        for domain in added:
            refuse_own_site(domain, prop, option="--add")
        site = prop.site
        with open_store(store_path, write=True) as con:
            missing = [d for d in removed if d not in competitors(con, site)]
            if missing:
                raise NoDataError(f"{', '.join(missing)} is not a competitor of {site}; "
                                  f"gsc-backlinks competitors --site {site} lists them")
            if removed:
                gone = remove_competitors(con, site, list(dict.fromkeys(removed)))
            if added:
                add_competitors(con, site, added, utc_now())
    with open_current(store_path) as con:
        if con is None:
            raise NoDataError(f"no store at {store_path} yet; add a competitor with gsc-backlinks competitors "
                              f"--site {site} --add DOMAIN")
        site = held_property(con, site) if not (added or removed) else parse_property(site).site
        snaps = vendor_snapshots(con, site)
        rows = []
        for name in competitors(con, site):
            own = [s for s in snaps if s.competitor == name]
            current = current_vendor_snapshots(con, site, competitor=name)
            rows.append({"competitor": name, "exports": len(own),
                         "newest": own[0].date.isoformat() if own else None,
                         "linking_domains": len(vendor_linking_domains(con, current)) if current else 0})
    return summaries.competitors(site, rows), gone
