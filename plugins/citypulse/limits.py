"""Bounds on the work one inbox file may cause, and on the values landing admits.

The inbox is written by people and crawlers the data team does not control, so every reader
stops at a stated limit instead of growing without bound; a file over a limit is quarantined
with the limit's name and value (:class:`LimitExceeded`). Each limit is set in the environment
as ``CITYPULSE_LIMIT_<NAME>`` (``config/citypulse.env`` or the deployment's own); the defaults
admit every real export seen so far with a wide margin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from citypulse.errors import CityPulseError

ENV_PREFIX = "CITYPULSE_LIMIT_"


class LimitExceeded(CityPulseError):
    """A file asks for more work than a configured limit allows."""

    def __init__(self, limit: str, value: int, detail: str) -> None:
        super().__init__(f"{detail} (limit {limit} = {value}, set {ENV_PREFIX}{limit.upper()})")
        self.limit = limit
        self.value = value


@dataclass(frozen=True)
class Limits:
    archive_depth: int = 2  # an archive inside an archive, no deeper
    archive_members: int = 1000
    archive_bytes: int = 4 << 30  # total uncompressed bytes of one archive, nested ones included
    archive_ratio: int = 100  # uncompressed / compressed bytes of one member (real exports: < 20)
    columns: int = 2000  # cells per record
    record_bytes: int = 16 << 20  # bytes of one record (one CSV line)
    sheet_cells: int = 50_000_000  # rows × columns of one worksheet, from its dimension
    manifest_bytes: int = 64 << 10
    yaml_aliases: int = 50  # alias references in a manifest (anchor bombs expand them)
    json_depth: int = 64  # nesting of arrays and objects
    count_ceiling: int = 10**15  # a count above this is refused (no account has a quadrillion views)
    earliest_year: int = 2000  # observation and event dates before this year are refused
    days_ahead: int = 1  # ... and dates more than this many days after now

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw:
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise CityPulseError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not an integer") from None
        return cls(**values)

    def earliest(self) -> datetime:
        return datetime(self.earliest_year, 1, 1, tzinfo=UTC)

    def latest(self) -> datetime:
        """Now plus the allowed days ahead (a clock or time zone a little off is not an attack)."""
        return datetime.now(UTC) + timedelta(days=self.days_ahead)

    def check(self, limit: str, value: int, detail: str) -> None:
        """Raise :class:`LimitExceeded` when ``value`` exceeds the limit ``limit``."""
        bound = getattr(self, limit)
        if value > bound:
            raise LimitExceeded(limit, bound, f"{detail}: {value:,}")

    def check_moment(self, moment: datetime | date, what: str) -> None:
        """Refuse an observation time outside [earliest, latest] (naive values are taken as UTC)."""
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if not self.earliest() <= moment <= self.latest():
            raise ImplausibleValue(
                f"{what} {moment.isoformat()} is outside the plausible window "
                f"{self.earliest():%Y-%m-%d} .. now + {self.days_ahead} day(s) "
                f"(set {ENV_PREFIX}EARLIEST_YEAR / {ENV_PREFIX}DAYS_AHEAD)"
            )


class ImplausibleValue(CityPulseError):
    """A value no real export holds (a date in year 9999, a count beyond any audience)."""


def current() -> Limits:
    """The limits in force (read on each call: cheap, and tests may change the environment)."""
    return Limits.from_env()
