"""Days as Search Console counts them: Pacific Time dates, weeks, report periods."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import UsageError

PACIFIC = "America/Los_Angeles"


def pacific_now() -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(PACIFIC))


def to_pacific(moment: dt.datetime) -> dt.datetime:
    """A moment in Pacific Time (a naive one is taken as UTC)."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(PACIFIC))


def pacific_day_start(day: dt.date) -> dt.datetime:
    """The moment a Pacific Time day begins, as the store keeps moments (naive UTC)."""
    from zoneinfo import ZoneInfo

    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(PACIFIC))
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def utc_now() -> dt.datetime:
    """Now in UTC, naive: how the store keeps every moment (shown in Pacific Time, with the zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def pacific_text(moment: dt.datetime, *, time: bool = True) -> str:
    """A stored moment (naive = UTC) as people read it: Pacific Time, with its zone ("2026-11-21 08:55 PST");
    ``time=False``: the Pacific date only."""
    local = to_pacific(moment)
    return f"{local:%Y-%m-%d %H:%M %Z}" if time else f"{local:%Y-%m-%d}"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier, or that month's last day if it is shorter."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Period:
    """Days from start to end, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def label(self) -> str:
        """``16–22 Nov 2026`` / ``28 Oct – 3 Nov 2026`` / ``29 Dec 2025 – 4 Jan 2026``."""
        s, e = self.start, self.end
        if s.year != e.year:
            return f"{s.day} {s:%b %Y} – {e.day} {e:%b %Y}"
        if s.month != e.month:
            return f"{s.day} {s:%b} – {e.day} {e:%b %Y}"
        return f"{s.day}–{e.day} {e:%b %Y}"

    def iso(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def iso_week(text: str) -> Period:
    """``2026-W47`` -> Monday 16 Nov to Sunday 22 Nov 2026."""
    match = _WEEK_RE.match(text.strip())
    if not match:
        raise UsageError(f"--week {text!r} is not an ISO week; write it like 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UsageError(f"--week {text}: {year} has no week {week}") from None
    return Period(monday, monday + dt.timedelta(days=6))

