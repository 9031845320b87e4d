"""Evaluation periods: calendar months in local time (``settings.LOCAL_TZ``), and the month a
scheduled run evaluates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from citypulse.errors import CityPulseError
from citypulse.settings import LOCAL_TZ

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        hit = _PERIOD.fullmatch(text.strip())
        if not hit:
            raise CityPulseError(f"period must be YYYY-MM, got {text!r}")
        return cls(int(hit.group(1)), int(hit.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def days(self) -> int:
        return (self.next_first_day - self.first_day).days

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def start_utc(self, tz: str = LOCAL_TZ) -> datetime:
        """The month's first local midnight, as a UTC instant."""
        return datetime.combine(self.first_day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)

    def end_utc(self, tz: str = LOCAL_TZ) -> datetime:
        """The next month's first local midnight (exclusive end), as a UTC instant."""
        return datetime.combine(self.next_first_day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC)

    def input_cutoff(self, maturity_days: int, tz: str = LOCAL_TZ) -> datetime:
        """No observation at or after this instant is used: month end + the maturity window."""
        return self.end_utc(tz) + timedelta(days=maturity_days)

    def last_required_day(self, maturity_days: int) -> date:
        """The last local day an account must have data for: month end + maturity days."""
        return self.next_first_day + timedelta(days=maturity_days - 1)


def period_for_logical_date(logical_date: datetime, tz: str = LOCAL_TZ) -> str:
    """The month a run scheduled at ``logical_date`` evaluates: the previous local month.

    Airflow 3's cron timetable makes logical_date the run's own time (8th, 03:00 local), not the
    start of a data interval, so the period is derived here explicitly (stack-pitfalls §2.2).
    """
    if logical_date.tzinfo is None:
        raise CityPulseError("logical_date must be time-zone aware")
    local = logical_date.astimezone(ZoneInfo(tz))
    return str(Period(local.year, local.month).previous())


def scheduled_logical_date(period: str, tz: str = LOCAL_TZ) -> datetime:
    """The logical date of the scheduled run that evaluates ``period`` (the inverse of
    period_for_logical_date): the next month's 8th, 03:00 local, as citypulse_monthly_evaluation's
    cron ``0 3 8 * *`` places it. A run triggered at this date is the scheduled one, never a second."""
    day = Period.parse(period).next_first_day.replace(day=8)
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).replace(hour=3)


def latest_complete_period(now: datetime, maturity_days: int = 7, tz: str = LOCAL_TZ) -> str:
    """The newest month whose maturity window has closed at ``now`` (for demos and manual runs)."""
    local = now.astimezone(ZoneInfo(tz))
    previous = Period(local.year, local.month).previous()
    return str(previous if local.day > maturity_days else previous.previous())
