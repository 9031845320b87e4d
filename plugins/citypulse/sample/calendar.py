"""When the sample's exports happen.

Default reference day ("today") is 2026-11-09, so with ``months=3`` the period is 2026-08 to
2026-10: the latest complete month, 2026-10, is evaluable because exports run through 2026-11-07,
month end + 7 days, when every October post has matured (the metrics-maturity rule).

Exports are weekly (every 7 days from the period start + 7) plus one on the 7th of every month
after a period month, at a morning hour local time
(``settings.LOCAL_TZ``). Formats pick the cadence they have in
real life: weekly self-exports and crawls, or monthly exports on the 7th (month end + 7 days: in time for the
evaluation run at 03:00 on the 8th, whose data cutoff is the 8th, 00:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from citypulse.settings import LOCAL_TZ

LOCAL_ZONE = ZoneInfo(LOCAL_TZ)
DEFAULT_TODAY = date(2026, 11, 9)
EXPORT_HOUR = 10


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


@dataclass(frozen=True)
class SampleCalendar:
    today: date
    months: int

    @property
    def period_start(self) -> date:
        return _add_months(self.today.replace(day=1), -self.months)

    @property
    def period_end(self) -> date:
        """Last day of the last complete month."""
        return self.today.replace(day=1) - timedelta(days=1)

    @property
    def period_months(self) -> list[date]:
        return [_add_months(self.period_start, i) for i in range(self.months)]

    @property
    def last_export(self) -> datetime:
        return max(self.weekly_exports + self.monthly_exports)

    @property
    def monthly_exports(self) -> list[datetime]:
        """The 7th of each month following a period month, at the export hour (local)."""
        days = [_add_months(m, 1).replace(day=7) for m in self.period_months]
        return [self._at(d) for d in days if d < self.today]

    @property
    def weekly_exports(self) -> list[datetime]:
        out = []
        d = self.period_start + timedelta(days=7)
        while d < self.today:
            out.append(self._at(d))
            d += timedelta(days=7)
        return out

    @property
    def all_exports(self) -> list[datetime]:
        return sorted(set(self.weekly_exports + self.monthly_exports))

    @property
    def simulation_end(self) -> datetime:
        """Posts are published until the last export (the month after the period is partial)."""
        return self.last_export

    @staticmethod
    def _at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, EXPORT_HOUR, 0, tzinfo=LOCAL_ZONE)


def make_calendar(months: int, today: date | None = None) -> SampleCalendar:
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    return SampleCalendar(today=today or DEFAULT_TODAY, months=months)
