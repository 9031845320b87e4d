"""Periods in Asia/Shanghai and the month a scheduled run evaluates (Airflow 3 cron semantics)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from citypulse.errors import CityPulseError
from citypulse.evaluation.period import Period, period_for_logical_date

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("logical_date", "period"),
    [
        (datetime(2026, 11, 8, 3, 0, tzinfo=SH), "2026-10"),
        (datetime(2026, 1, 8, 3, 0, tzinfo=SH), "2025-12"),  # year boundary
        (datetime(2026, 3, 8, 3, 0, tzinfo=SH), "2026-02"),
        # 1 Dec 00:30 in Shanghai is still 30 Nov in UTC: the local month decides
        (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "2026-11"),
        (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "2026-10"),
    ],
)
def test_period_for_logical_date(logical_date: datetime, period: str) -> None:
    assert period_for_logical_date(logical_date) == period


def test_naive_logical_date_is_refused() -> None:
    with pytest.raises(CityPulseError):
        period_for_logical_date(datetime(2026, 11, 8, 3))


def test_month_bounds_in_shanghai() -> None:
    p = Period.parse("2026-02")
    assert p.days == 28 and Period.parse("2024-02").days == 29 and Period.parse("2026-10").days == 31
    assert p.start_utc() == datetime(2026, 1, 31, 16, tzinfo=UTC)
    assert p.end_utc() == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert p.input_cutoff(7) == datetime(2026, 3, 7, 16, tzinfo=UTC)
    assert p.last_required_day(7) == date(2026, 3, 7)
    assert str(Period.parse("2026-01").previous()) == "2025-12"


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "2026/01", ""])
def test_bad_periods_are_refused(bad: str) -> None:
    with pytest.raises(CityPulseError):
        Period.parse(bad)


@pytest.mark.parametrize(
    ("now", "period"),
    [
        (datetime(2026, 11, 8, 3, 0, tzinfo=SH), "2026-10"),
        (datetime(2026, 11, 7, 23, 59, tzinfo=SH), "2026-09"),  # October's window is still open
        (datetime(2026, 1, 5, tzinfo=SH), "2025-11"),
    ],
)
def test_latest_complete_period(now: datetime, period: str) -> None:
    from citypulse.evaluation.period import latest_complete_period

    assert latest_complete_period(now) == period
