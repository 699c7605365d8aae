"""Authority of linking domains (0-100) from the rank files loaded: one scale for every list.

The score is :func:`gsc_backlinks.ranks.authority_score` of the domain's rank:
rank 1 -> 100, 10,000 -> 50, 1 million -> 25, 100 million -> 1.  A domain no
file lists is "unknown", never 0.  Where several files are loaded, Common
Crawl's rank is used first, then Majestic's, then Tranco's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .. import ranks

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class RankSource:
    kind: str
    label: str
    release: str
    file_name: str
    list_size: int
    loaded_at: dt.datetime

    def describe(self) -> str:
        return f"{self.label}, {self.release}"


@dataclass(frozen=True)
class DomainAuthority:
    score: int | None  #: 0-100, None = unknown
    rank: int | None
    source: RankSource | None


UNKNOWN = DomainAuthority(None, None, None)


@dataclass
class Authorities:
    """The ranks the store holds for a set of domains, from every loaded rank file."""

    sources: list[RankSource] = field(default_factory=list)
    by_domain: dict[str, DomainAuthority] = field(default_factory=dict)

    @cached_property  # read for every rated link; the sources do not change once loaded
    def unknown_stand_in(self) -> float:
        """Authority a domain not in any file counts as: half the score of the longest file's last rank."""
        if not self.sources:
            return 0.0
        return (ranks.authority_score(max(s.list_size for s in self.sources)) or 0) / 2

    def of(self, domain: str | None) -> DomainAuthority:
        return self.by_domain.get(domain or "", UNKNOWN)


def load_authorities(con: duckdb.DuckDBPyConnection) -> Authorities:
    """Authority of every ranked linking domain: the rank from the first loaded file (by precedence) listing it.

    The store keeps ranks only for domains that link to its properties, so this is small.
    """
    from ..store.ranks import domain_ranks, rank_sources

    sources = {r["source_id"]: RankSource(r["kind"], ranks.KINDS.get(r["kind"], r["kind"]), r["release"],
                                          r["file_name"], r["list_size"], r["loaded_at"])
               for r in rank_sources(con, ranks.PRECEDENCE)}
    out = Authorities(list(sources.values()))
    if not sources:
        return out
    order = {sid: i for i, sid in enumerate(sources)}
    best: dict[str, tuple[int, int, int]] = {}
    for domain, sid, rank in domain_ranks(con):
        key = (order.get(sid, 99), rank, sid)
        if domain not in best or key < best[domain]:
            best[domain] = key
    for domain, (_, rank, sid) in best.items():
        out.by_domain[domain] = DomainAuthority(ranks.authority_score(rank), rank, sources[sid])
    return out
