"""Linking domains: which sites link to a property, with how many linking pages, since when.

One definition, used by `links domains`, the weekly report, its charts and
changes: a domain is the registrable domain Search Console groups a site by.
The numbers come from the newest *Top linking sites* export when there is one
(Google's own count); without it they are derived from Google's sample of
linking pages (:class:`~.snapshots.SampleSet`): distinct sampled pages per
domain, target pages unknown.  "The one before" is always of the same basis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .snapshots import SAMPLE_KINDS, Snapshot, Snapshots

if TYPE_CHECKING:
    import duckdb

#: Kinds whose rows name a linking domain (first-seen dates come from all of them).
DOMAIN_KINDS = ("top_linking_sites", "target_linking_sites", *SAMPLE_KINDS, "site_linking_pages")
EXPORT, SAMPLE = "export", "sample"


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class DomainBasis:
    """Where a set of linking domains comes from: one Top linking sites export, or a sample set."""

    kind: str  #: EXPORT or SAMPLE
    snapshots: tuple[Snapshot, ...]

    @property
    def date(self) -> dt.date:
        return max(s.date for s in self.snapshots)

    @property
    def ids(self) -> list[int]:
        return [s.snapshot_id for s in self.snapshots]

    @property
    def capped(self) -> bool:
        return self.kind == EXPORT and self.snapshots[0].capped

    def describe(self) -> str:
        """Where the numbers come from, in the user's words."""
        if self.kind == EXPORT:
            return f"Top linking sites export of {self.date}"
        return ("derived from Google's sample of links (no Top linking sites export): "
                + " and ".join(f"{s.label} of {s.date}" for s in self.snapshots))

    def sql(self) -> tuple[str, list]:
        """SQL of (linking_domain, linking_pages, target_pages), one row per domain, and its parameters."""
        if self.kind == EXPORT:
            return ("""SELECT coalesce(linking_domain, site) AS linking_domain,
                              sum(linking_pages)::BIGINT AS linking_pages, max(target_pages) AS target_pages
                       FROM linking_sites WHERE snapshot_id = ? GROUP BY 1""", self.ids)
        return (f"""SELECT linking_domain, count(DISTINCT linking_url) AS linking_pages, NULL::BIGINT AS target_pages
                    FROM linking_pages WHERE snapshot_id IN ({_marks(self.ids)}) AND linking_domain IS NOT NULL
                    GROUP BY 1""", self.ids)


def domain_bases(snaps: Snapshots) -> tuple[DomainBasis | None, DomainBasis | None]:
    """(newest, the one before it on an earlier date, of the same basis)."""
    latest, previous = snaps.latest_and_previous("top_linking_sites")
    if latest:
        return DomainBasis(EXPORT, (latest,)), (DomainBasis(EXPORT, (previous,)) if previous else None)
    sample = snaps.sample()
    if not sample:
        return None, None
    before = snaps.previous_sample()
    return DomainBasis(SAMPLE, sample.snapshots), (DomainBasis(SAMPLE, before.snapshots) if before else None)


def domain_count(con: duckdb.DuckDBPyConnection, basis: DomainBasis | None) -> int | None:
    """How many linking domains a basis holds."""
    if basis is None:
        return None
    sql, params = basis.sql()
    return con.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0]


@dataclass(frozen=True)
class DomainRow:
    linking_domain: str
    linking_pages: int | None
    target_pages: int | None  #: None when derived from sample links
    first_seen: dt.date | None  #: the earliest date a source saw it: the first export naming it, or a tool's date
    is_new: bool  #: first named by a Search Console export in the newest snapshot (with an earlier one to compare)


@dataclass(frozen=True)
class LinkingDomains:
    rows: tuple[DomainRow, ...]  #: most linking pages first
    basis: DomainBasis
    previous: DomainBasis | None


def linking_domains(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> LinkingDomains | None:
    """Linking domains of the newest basis, with the date each was first seen in any export."""
    basis, previous = domain_bases(snaps)
    if basis is None:
        return None
    sql, params = basis.sql()
    as_of = snaps.as_of or dt.date.max
    rows = con.execute(
        f"""WITH d AS ({sql}),
            first AS (
                SELECT domain, min(day) AS first_seen FROM (
                    SELECT coalesce(l.linking_domain, l.site) AS domain, s.snapshot_date AS day
                    FROM snapshots s JOIN linking_sites l USING (snapshot_id)
                    WHERE s.property = ? AND s.snapshot_date <= ?
                    UNION ALL
                    SELECT p.linking_domain, s.snapshot_date
                    FROM snapshots s JOIN linking_pages p USING (snapshot_id)
                    WHERE s.property = ? AND s.snapshot_date <= ? AND s.kind IN ({_marks(DOMAIN_KINDS)})
                ) GROUP BY domain)
            SELECT d.linking_domain, d.linking_pages, d.target_pages, f.first_seen
            FROM d LEFT JOIN first f ON f.domain = d.linking_domain
            ORDER BY d.linking_pages DESC NULLS LAST, d.linking_domain""",
        [*params, snaps.site, as_of, snaps.site, as_of, *DOMAIN_KINDS],
    ).fetchall()
    newest = basis.date
    tool_first = tool_first_seen(con, snaps)
    out = tuple(DomainRow(d, pages, targets, earliest(first, tool_first.get(d)),
                          previous is not None and first is not None and first >= newest)
                for d, pages, targets, first in rows)
    return LinkingDomains(out, basis, previous)


def earliest(*days: dt.date | None) -> dt.date | None:
    """First seen: the earliest date any source saw it (an export naming it, a tool's own first-seen date)."""
    return min(filter(None, days), default=None)


def tool_first_seen(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> dict[str, dt.date]:
    """The earliest first-seen date the property's own newest third-party exports give each linking domain."""
    from ..store.vendors import current_vendor_snapshots

    ids = [s.snapshot_id for s in current_vendor_snapshots(con, snaps.site, snaps.as_of)]
    if not ids:
        return {}
    return dict(con.execute(
        """SELECT linking_domain, min(first_seen) FROM link_observations
           WHERE list_contains(?, snapshot_id) AND source <> 'check' AND linking_domain IS NOT NULL
             AND first_seen IS NOT NULL GROUP BY 1""", [ids]).fetchall())


def bases_by_date(snaps: Snapshots) -> list[tuple[dt.date, DomainBasis]]:
    """The newest basis's kind as it stood on each date a snapshot of it was imported, oldest first: the
    Top linking sites export of each date, or the sample set as of each sample snapshot's date."""
    basis, _ = domain_bases(snaps)
    if basis is None:
        return []
    if basis.kind == EXPORT:
        dates = sorted({s.date for s in snaps.of("top_linking_sites")})
    else:
        dates = sorted({s.date for s in snaps.all if s.kind in SAMPLE_KINDS})
    out = []
    for day in dates:
        then, _ = domain_bases(snaps.before(day + dt.timedelta(days=1)))
        if then is not None and then.kind == basis.kind:
            out.append((day, then))
    return out


def domain_names(con: duckdb.DuckDBPyConnection, basis: DomainBasis) -> list[str]:
    """The linking domains a basis holds."""
    sql, params = basis.sql()
    return [r[0] for r in con.execute(f"SELECT linking_domain FROM ({sql}) ORDER BY 1", params).fetchall()]


def domains_history(con: duckdb.DuckDBPyConnection, snaps: Snapshots) -> tuple[DomainBasis | None, list[tuple[dt.date, int]]]:
    """Linking domains per snapshot date, oldest first, counted as :func:`linking_domains` counts them."""
    basis, _ = domain_bases(snaps)
    return basis, [(day, domain_count(con, then) or 0) for day, then in bases_by_date(snaps)]
