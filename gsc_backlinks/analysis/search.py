"""Search performance: totals of a period, per day, per page, and the site's top queries.

Totals come from their own rows (property and page totals), so they match
Search Console although query rows leave out anonymized queries.  Position is
averaged weighted by impressions, as Search Console averages it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dates import Period

if TYPE_CHECKING:
    import duckdb

SEARCH_LAG_DAYS = 3  #: Search Console's usual delay before a day's search data is in
TOPIC_DAYS = 28  #: days of search queries a topic (of the site, of a page) is made of


@dataclass(frozen=True)
class SearchCoverage:
    """Which days of search data the store holds for a property and search type."""

    first_day: dt.date | None
    last_final: dt.date | None
    last_day: dt.date | None
    last_state: str | None
    fetched_at: dt.datetime | None  #: UTC
    days: int = 0  #: days held
    bulk_days: int = 0  #: of them, read from the BigQuery bulk export (every row) rather than the API

    @property
    def held(self) -> bool:
        return self.last_day is not None

    @property
    def source_label(self) -> str:
        """Where the held days came from, as a report names it."""
        if self.bulk_days == 0:
            return "API"
        return "BigQuery bulk export" if self.bulk_days == self.days else "API and BigQuery bulk export"


def search_coverage(con: duckdb.DuckDBPyConnection, site: str, search_type: str = "web") -> SearchCoverage:
    row = con.execute(
        """SELECT min(day), max(day) FILTER (WHERE data_state = 'final'), max(day),
                  arg_max(data_state, day), max(fetched_at), count(*), count(*) FILTER (WHERE source = 'bigquery')
           FROM search_days WHERE property = ? AND search_type = ?""",
        [site, search_type],
    ).fetchall()[0]
    return SearchCoverage(*row)


def newest_final_day(con: duckdb.DuckDBPyConnection, site: str, search_type: str = "web") -> dt.date | None:
    return search_coverage(con, site, search_type).last_final


def final_days(last_final: dt.date | None, days: int, today: dt.date) -> Period:
    """The last `days` days of final search data, given its newest day; without any, the days ending
    Search Console's usual lag before `today`."""
    end = last_final or today - dt.timedelta(days=SEARCH_LAG_DAYS)
    return Period(end - dt.timedelta(days=days - 1), end)


def report_period(coverage: SearchCoverage, today: dt.date, week: Period | None) -> tuple[Period, list[str]]:
    """The report's week and what to say about it, given the search days the store holds.

    Default: the latest 7 days of final data (see :func:`final_days`).
    """
    notes = []
    last_final = coverage.last_final
    if week is not None:
        first, last = coverage.first_day, coverage.last_day
        held = first is not None and last is not None and first <= week.end and last >= week.start
        if not held:
            notes.append("No search data is stored for this week: search numbers are unknown (gsc-backlinks sync "
                         f"--site … --start {week.start} --end {week.end} fetches it, if Search Console still has it).")
        elif last_final is None or week.end > last_final:
            final = f"final data ends {last_final}" if last_final else "none of the stored search data is final"
            notes.append(f"This week is not final yet ({final}); its numbers can still change.")
        return week, notes
    if last_final is None:
        notes.append("No search performance data in the store: dates assume Search Console's usual "
                     f"{SEARCH_LAG_DAYS}-day lag.")
    return final_days(last_final, 7, today), notes


def topic_window(end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days of search queries a topic is made of: the :data:`TOPIC_DAYS` up to `end`; all of them without one."""
    if end is None:
        return dt.date.min, dt.date.max
    return end - dt.timedelta(days=TOPIC_DAYS - 1), end


def topic_end(con: duckdb.DuckDBPyConnection, site: str, as_of: dt.date | None) -> dt.date | None:
    """The last day of search queries topics are made of: the newest final day, or `as_of` if earlier."""
    return min(filter(None, (as_of, newest_final_day(con, site))), default=None)


def top_queries(con: duckdb.DuckDBPyConnection, site: str, window: tuple[dt.date, dt.date],
                limit: int) -> list[tuple[str, int]]:
    """The site's web queries over `window` with their impressions, most impressions first."""
    return con.execute(
        """SELECT query, sum(impressions)::BIGINT AS i FROM search_queries
           WHERE property = ? AND search_type = 'web' AND day BETWEEN ? AND ?
           GROUP BY query ORDER BY i DESC, query LIMIT ?""",
        [site, *window, limit],
    ).fetchall()


# --- totals -----------------------------------------------------------------------------------------


def search_metrics(clicks, impressions, position) -> dict:
    """clicks, impressions, CTR and position, as every view shows them; None where nothing is known
    (a page of a property with search data but no rows had 0 clicks: its caller passes 0)."""
    clicks = None if clicks is None else int(clicks)
    impressions = None if impressions is None else int(impressions)
    return {"clicks": clicks, "impressions": impressions,
            "ctr": clicks / impressions if clicks is not None and impressions else None, "position": position}


@dataclass(frozen=True)
class SearchTotals:
    clicks: int
    impressions: int
    position: float | None
    days: int  #: days of the period the store holds
    fresh_days: int  #: of which not final yet

    def metrics(self) -> dict:
        """See :func:`search_metrics`."""
        return search_metrics(self.clicks, self.impressions, self.position)


def search_totals(con: duckdb.DuckDBPyConnection, site: str, period: Period, search_type: str = "web") -> SearchTotals:
    """Property totals of a period; position weighted by impressions, as Search Console averages it."""
    row = con.execute(
        """SELECT coalesce(sum(clicks), 0)::BIGINT, coalesce(sum(impressions), 0)::BIGINT,
                  sum(position * impressions) / nullif(sum(impressions) FILTER (WHERE position IS NOT NULL), 0),
                  count(*), count(*) FILTER (WHERE data_state <> 'final')
           FROM search_days WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ?""",
        [site, search_type, period.start, period.end],
    ).fetchall()[0]
    return SearchTotals(*row)


@dataclass(frozen=True)
class DayTotals:
    day: dt.date
    clicks: int
    impressions: int
    final: bool


def daily_totals(con: duckdb.DuckDBPyConnection, site: str, period: Period, search_type: str = "web") -> list[DayTotals]:
    """The property's totals per day of the period held, oldest first."""
    return [DayTotals(d, c, i, s == "final") for d, c, i, s in con.execute(
        """SELECT day, clicks, impressions, data_state FROM search_days
           WHERE property = ? AND search_type = ? AND day BETWEEN ? AND ? ORDER BY day""",
        [site, search_type, period.start, period.end],
    ).fetchall()]


def metrics_sql(when: str = "true", prefix: str = "") -> str:
    """Clicks, impressions and impression-weighted position of the rows where `when` holds (SQL).

    Sums are cast back to BIGINT: DuckDB sums BIGINTs into a HUGEINT.
    """
    return (f"(sum(clicks) FILTER (WHERE {when}))::BIGINT AS {prefix}clicks, "
            f"(sum(impressions) FILTER (WHERE {when}))::BIGINT AS {prefix}impressions, "
            f"sum(position * impressions) FILTER (WHERE {when}) / nullif(sum(impressions) FILTER (WHERE {when}), 0) "
            f"AS {prefix}position")


WEEK_COLUMNS = ("clicks", "impressions", "position", "prev_clicks", "prev_impressions", "prev_position")


def page_week_sql(join: str) -> str:
    """Per page (of those `join` keeps): clicks, impressions, position for the period and the one before.

    Parameters: see :func:`page_week_params`.
    """
    return f"""SELECT page, {metrics_sql("day >= $start")}, {metrics_sql("day < $start", "prev_")}
               FROM search_pages p {join}
               WHERE property = $site AND search_type = $type AND day BETWEEN $prev AND $end GROUP BY page"""


def page_week_params(site: str, period: Period, search_type: str) -> dict:
    return {"start": period.start, "prev": period.previous().start, "end": period.end, "site": site, "type": search_type}


@dataclass(frozen=True)
class Week:
    """A page's search metrics over a period and the one before it (see :func:`search_metrics`)."""

    clicks: int | None = None
    impressions: int | None = None
    position: float | None = None
    prev_clicks: int | None = None
    prev_impressions: int | None = None
    prev_position: float | None = None

    def metrics(self, previous: bool = False) -> dict:
        p = "prev_" if previous else ""
        return search_metrics(getattr(self, p + "clicks"), getattr(self, p + "impressions"),
                              getattr(self, p + "position"))
