"""Trends over every snapshot held: linking domains, linking pages and their value; anchor make-up.

Each point is a figure as its own module defines it, taken as the store stood on
that snapshot's date: linking domains of :func:`.domains.bases_by_date`, linking
pages of the sample set (:func:`.samples.page_count`), value as
:class:`~.value.Valuer` rates the domains of that date, anchor classes of each
Top linking text export (:meth:`.anchors.AnchorRules.classify`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .anchors import ANCHOR_CLASSES, AnchorRules, class_counts
from .domains import bases_by_date, domain_bases, domain_names
from .samples import page_count
from .snapshots import SAMPLE_KINDS

if TYPE_CHECKING:
    import duckdb

    from .snapshots import Snapshots
    from .value import Valuer


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    linking_domains: int | None  #: None: no domain basis on that date
    linking_pages: int | None  #: None: no sample snapshot on or before that date
    value: int | None  #: the summed value of that date's linking domains


@dataclass(frozen=True)
class Trends:
    points: tuple[TrendPoint, ...]  #: oldest first, one per snapshot date
    basis: str  #: where linking domains come from, in the user's words


def link_trends(con: duckdb.DuckDBPyConnection, snaps: Snapshots, valuer: Valuer) -> Trends:
    """Linking domains, linking pages and value on every date a domain or sample snapshot was imported."""
    by_date = dict(bases_by_date(snaps))
    dates = sorted(set(by_date) | {s.date for s in snaps.all if s.kind in SAMPLE_KINDS})
    points = []
    for day in dates:
        then = snaps.before(day + dt.timedelta(days=1))
        basis = by_date.get(day) or domain_bases(then)[0]
        names = domain_names(con, basis) if basis else None
        value = sum(r.value for r in valuer.rate_domains(names)) if names else None
        points.append(TrendPoint(day, len(names) if names is not None else None,
                                 page_count(con, then.sample()) if then.sample() else None, value))
    latest, _ = domain_bases(snaps)
    return Trends(tuple(points), latest.describe() if latest else "")


@dataclass(frozen=True)
class AnchorMix:
    """The share of each anchor class in one Top linking text export (distinct anchor texts)."""

    date: dt.date
    total: int
    counts: dict[str, int]  #: class -> distinct anchor texts, in ANCHOR_CLASSES order

    def share(self, cls: str) -> float:
        return self.counts.get(cls, 0) / self.total if self.total else 0.0


def anchor_mix_history(con: duckdb.DuckDBPyConnection, snaps: Snapshots, rules: AnchorRules) -> list[AnchorMix]:
    """Anchor make-up of every Top linking text export held (one per date), oldest first."""
    newest: dict[dt.date, int] = {}
    for snap in snaps.of("top_linking_text"):
        newest.setdefault(snap.date, snap.snapshot_id)
    if not newest:
        return []
    rows = con.execute(
        "SELECT snapshot_id, anchor_text FROM linking_text WHERE list_contains(?, snapshot_id)",
        [list(newest.values())]).fetchall()
    texts: dict[int, list[str]] = {}
    for sid, text in rows:
        texts.setdefault(sid, []).append(text)
    out = []
    for day in sorted(newest):
        found = texts.get(newest[day], [])
        counts = class_counts(rules.classify(t) for t in found)
        out.append(AnchorMix(day, len(found), {c: counts.get(c, 0) for c in ANCHOR_CLASSES}))
    return out
