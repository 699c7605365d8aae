"""New and lost links: linking domains and pages in the newest snapshot and not in the one before, and back.

"Lost" means no longer in Google's sample (or its Top linking sites list), not
necessarily removed.  Domains compare two snapshots of the basis
:mod:`.domains` counts them from; pages compare two sample sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .domains import domain_bases
from .snapshots import SampleSet, Snapshots

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Changed:
    name: str  #: a linking domain, or a linking page's URL
    linking_domain: str | None


@dataclass(frozen=True)
class Changes:
    """What appeared and what left between two snapshots (of one basis)."""

    what: str  #: "domains" / "pages"
    latest_date: dt.date | None
    previous_date: dt.date | None
    basis: str  #: the exports both sides come from, e.g. "Top linking sites"
    new: tuple[Changed, ...] = ()  #: the first `limit`, by domain then URL
    lost: tuple[Changed, ...] = ()
    new_count: int = 0
    lost_count: int = 0

    @property
    def compared(self) -> bool:
        return self.previous_date is not None


def _labels(snapshots) -> str:
    return " and ".join(s.label for s in snapshots)


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _diff(con, sql_a: str, params_a: list, sql_b: str, params_b: list, key: str, limit: int):
    order = "linking_domain, name" if key == "pages" else "name"
    rows = con.execute(
        f"""SELECT *, count(*) OVER () AS total FROM (({sql_a}) EXCEPT ({sql_b}))
            ORDER BY {order} LIMIT {int(limit)}""",
        [*params_a, *params_b]).fetchall()
    return tuple(Changed(name, domain) for name, domain, _ in rows), (rows[0][2] if rows else 0)


def domain_changes(con: duckdb.DuckDBPyConnection, snaps: Snapshots, limit: int,
                   since: dt.date | None = None) -> Changes:
    """Linking domains new in the newest basis, and those no longer in it (against the basis before it, or
    the newest one on or before `since`)."""
    latest, previous = domain_bases(snaps)
    if since is not None and latest:
        earlier, _ = domain_bases(snaps.before(since + dt.timedelta(days=1)))
        previous = earlier if earlier and earlier.kind == latest.kind and earlier.date < latest.date else None
    if not (latest and previous):
        return Changes("domains", latest.date if latest else None, None, _labels(latest.snapshots) if latest else "")
    sql_a, pa = latest.sql()
    sql_b, pb = previous.sql()
    a = f"SELECT linking_domain AS name, linking_domain FROM ({sql_a})"
    b = f"SELECT linking_domain AS name, linking_domain FROM ({sql_b})"
    new, new_count = _diff(con, a, pa, b, pb, "domains", limit)
    lost, lost_count = _diff(con, b, pb, a, pa, "domains", limit)
    return Changes("domains", latest.date, previous.date, _labels(latest.snapshots), new, lost, new_count, lost_count)


def page_changes(con: duckdb.DuckDBPyConnection, snaps: Snapshots, limit: int,
                 since: dt.date | None = None) -> Changes:
    """Linking pages new in the newest sample set, and those no longer in it (against the set before it, or
    the newest one on or before `since`)."""
    latest, previous = snaps.sample(), snaps.previous_sample()
    if since is not None and latest:
        earlier = snaps.before(since + dt.timedelta(days=1)).sample()
        previous = earlier if earlier and earlier.date < latest.date else SampleSet(())
    if not (latest and previous):
        return Changes("pages", latest.date if latest else None, None, _labels(latest.snapshots))

    def pages(ids: list[int]) -> str:
        return (f"SELECT DISTINCT linking_url AS name, linking_domain FROM linking_pages "
                f"WHERE snapshot_id IN ({_marks(ids)})")

    new, new_count = _diff(con, pages(latest.ids), latest.ids, pages(previous.ids), previous.ids, "pages", limit)
    lost, lost_count = _diff(con, pages(previous.ids), previous.ids, pages(latest.ids), latest.ids, "pages", limit)
    return Changes("pages", latest.date, previous.date, _labels(latest.snapshots), new, lost, new_count, lost_count)
