"""Which snapshots a figure is computed from: the newest, the one before, as of a date.

Every figure picks its snapshots here and nowhere else: a property's snapshots
are read once (:meth:`Snapshots.read`), and each analysis module asks this
object for the newest of a kind, the newest and the one before it, or the
sample links set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exports.kinds import KINDS

if TYPE_CHECKING:
    import duckdb

#: Search Console's cap on every table of the Links report.
UI_ROW_CAP = 1000
#: The two exports that list linking pages (a sample of Google's links).
SAMPLE_KINDS = ("sample_links", "latest_links")
SAMPLE_NOTE = ("Search Console's link exports are a sample of the links Google knows, not all of them; "
               "\"lost\" means no longer in Google's sample, not necessarily removed.")


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int
    kind: str
    date: dt.date
    source: str  #: the file (or zip member) it was imported from
    rows: int
    target_url: str | None = None  #: for drill-down exports
    unchanged_since: dt.date | None = None  #: an earlier export of this kind held the same content (a re-export)

    @property
    def label(self) -> str:
        return KINDS[self.kind].label

    @property
    def capped(self) -> bool:
        """True when the export may have been cut at Search Console's row cap."""
        return self.rows >= UI_ROW_CAP


@dataclass(frozen=True)
class SampleSet:
    """Google's sample of linking pages as of a date: the newest More sample links and the newest
    Latest links snapshot (those that exist), read together."""

    snapshots: tuple[Snapshot, ...]

    @property
    def ids(self) -> list[int]:
        return [s.snapshot_id for s in self.snapshots]

    @property
    def date(self) -> dt.date:
        return max(s.date for s in self.snapshots)

    @property
    def label(self) -> str:
        return " and ".join(f"{s.label} of {s.date}" for s in self.snapshots)

    def __bool__(self) -> bool:
        return bool(self.snapshots)


@dataclass(frozen=True)
class Snapshots:
    """A property's snapshots up to `as_of` (all of them without it), newest first."""

    site: str
    as_of: dt.date | None
    all: tuple[Snapshot, ...]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, site: str, as_of: dt.date | None = None) -> Snapshots:
        from ..store.snapshots import snapshot_rows

        rows_ = snapshot_rows(con, site)
        dates = {r[0]: r[2] for r in rows_}
        found = (Snapshot(sid, kind, date, source, rows, target, dates.get(same_as) if same_as else None)
                 for sid, kind, date, _, source, rows, _, target, _, _, same_as in rows_)
        return cls(site, as_of, tuple(s for s in found if as_of is None or s.date <= as_of))

    def before(self, day: dt.date) -> Snapshots:
        """The snapshots dated before `day`: the store as it was then."""
        return Snapshots(self.site, day - dt.timedelta(days=1), tuple(s for s in self.all if s.date < day))

    def of(self, kind: str) -> list[Snapshot]:
        """Snapshots of one kind, newest first."""
        return [s for s in self.all if s.kind == kind]

    def newest(self, kind: str) -> Snapshot | None:
        return next((s for s in self.all if s.kind == kind), None)

    def newest_of_each(self, kinds=tuple(KINDS)) -> list[Snapshot]:
        """The newest snapshot of each of the kinds that has one (drill-downs: the newest of any target)."""
        newest: dict[str, Snapshot] = {}
        for snap in self.all:
            if snap.kind in kinds:
                newest.setdefault(snap.kind, snap)
        return list(newest.values())

    def latest_and_previous(self, kind: str) -> tuple[Snapshot | None, Snapshot | None]:
        """(newest, the newest one dated before it) of one kind."""
        found = self.of(kind)
        if not found:
            return None, None
        return found[0], next((s for s in found[1:] if s.date < found[0].date), None)

    def sample(self) -> SampleSet:
        """Google's sample of linking pages: see :class:`SampleSet`."""
        return SampleSet(tuple(self.newest_of_each(SAMPLE_KINDS)))

    def previous_sample(self) -> SampleSet:
        """The sample set as it was before the newest sample snapshot's date (empty if there was none)."""
        current = self.sample()
        return self.before(current.date).sample() if current else current
