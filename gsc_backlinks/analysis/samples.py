"""Google's sample of linking pages (More sample links and Latest links exports), as one set.

`links samples`, the "linking pages" count of the weekly report and its changes
all read the :class:`~.snapshots.SampleSet` here: the newest snapshot of each
of the two exports, a page listed by both counted once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import urls
from .snapshots import SampleSet

if TYPE_CHECKING:
    import duckdb


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def page_count(con: duckdb.DuckDBPyConnection, sample: SampleSet) -> int | None:
    """How many distinct linking pages a sample set holds (None without one)."""
    if not sample:
        return None
    return con.execute(
        f"SELECT count(DISTINCT linking_url) FROM linking_pages WHERE snapshot_id IN ({_marks(sample.ids)})",
        sample.ids).fetchall()[0][0]


@dataclass(frozen=True)
class SampleLink:
    linking_url: str
    linking_domain: str | None
    last_crawled: dt.date | None
    kinds: tuple[str, ...]  #: the exports that list it ("sample_links", "latest_links")


@dataclass(frozen=True)
class SampleLinks:
    rows: tuple[SampleLink, ...]  #: newest crawl first
    total: int  #: rows that exist (``rows`` may hold fewer)
    sample: SampleSet


def domain_filter(domain: str) -> tuple[str, list]:
    """SQL (over ``lp``, a linking_pages alias) for a registrable domain or one host as a person types it."""
    # The host in the form the store keeps (as an import canonicalizes it): lower case, punycode.
    name = urls.host_of(urls.canonical_url(domain, default_scheme="https")) or domain.lower()
    return ("(lp.linking_domain = ? OR (lp.linking_domain = ? AND regexp_extract(lp.linking_url, ?, 1) = ?))",
            [name, urls.registrable_domain(name), urls.HOST_PATTERN, name])


def sample_links(con: duckdb.DuckDBPyConnection, sample: SampleSet, *, domain: str | None = None,
                 limit: int | None = None) -> SampleLinks:
    """The sample set's linking pages (of one domain or host), newest crawl first."""
    params: list = list(sample.ids)
    where = ""
    if domain:
        clause, extra = domain_filter(domain)
        where, params = f" AND {clause}", params + extra
    base = f"""SELECT lp.linking_url, any_value(lp.linking_domain) AS linking_domain,
                      max(lp.last_crawled) AS last_crawled,
                      list(DISTINCT s.kind ORDER BY s.kind) AS kinds
               FROM linking_pages lp JOIN snapshots s USING (snapshot_id)
               WHERE lp.snapshot_id IN ({_marks(sample.ids)}){where} GROUP BY lp.linking_url"""
    total = con.execute(f"SELECT count(*) FROM ({base})", params).fetchall()[0][0]
    rows = con.execute(
        f"SELECT * FROM ({base}) ORDER BY last_crawled DESC NULLS LAST, linking_url"
        + (f" LIMIT {int(limit)}" if limit else ""), params).fetchall()
    return SampleLinks(tuple(SampleLink(u, d, c, tuple(k)) for u, d, c, k in rows), total, sample)
