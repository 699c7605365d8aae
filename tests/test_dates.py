"""Calendar arithmetic on Search Console's days."""

from __future__ import annotations

import datetime as dt

import pytest

from gsc_backlinks.dates import months_before


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 11, 24), 16, dt.date(2025, 7, 24)),  # how far back sync asks
    (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),  # a shorter month: its last day
    (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),  # a leap year
    (dt.date(2026, 1, 15), 1, dt.date(2025, 12, 15)),  # across a new year
    (dt.date(2026, 5, 18), 0, dt.date(2026, 5, 18)),
])
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected
