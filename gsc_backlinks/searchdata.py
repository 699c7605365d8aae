"""A day of search performance as any source delivers it (the Search Console API, the BigQuery bulk export)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class DayResult:
    """One whole day, as columns (lists) ready for Arrow."""

    day: dt.date
    state: str  #: "final" or "fresh"
    totals: dict
    pages: dict = field(default_factory=dict)  #: page, clicks, impressions, ctr, position
    queries: dict = field(default_factory=dict)  #: page, query, clicks, impressions, ctr, position
    pages_truncated: bool = False
    queries_truncated: bool = False

    @property
    def page_count(self) -> int:
        return len(self.pages.get("page", ()))

    @property
    def query_count(self) -> int:
        return len(self.queries.get("page", ()))
