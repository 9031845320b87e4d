"""observed_at from file names: dates, date-times, ranges (the last date wins, no bogus times)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from citypulse.landing.observed import from_file_name

SH = "Asia/Shanghai"


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "tz", "expected"),
    [
        # a range: the last date, at local midnight; never 20:25:02 taken from "_2025-02"
        ("account_analytics_content_2024-11-21_2025-02-19.csv", "UTC", _utc(2025, 2, 19)),
        ("wormhole-2024-11-21_2025-02-19.csv", SH, _utc(2025, 2, 18, 16)),
        ("tweet_activity_metrics_VisitChengdu_20190101_20190201_en.csv", "UTC", _utc(2019, 2, 1)),
        ("Content 2026-10-11_2026-11-07 Dazu Rock Carvings.zip", "UTC", _utc(2026, 11, 7)),
        ("Oct-01-2026_2026-09-24_2026-10-21.csv", "UTC", _utc(2026, 10, 21)),
        # date-times after "_", "T" or a space, or compact
        ("results_20250630_143111.csv", SH, _utc(2025, 6, 30, 6, 31, 11)),
        ("hot_20261008T1000.json", SH, _utc(2026, 10, 8, 2)),
        ("hot_20261008_1000.json", SH, _utc(2026, 10, 8, 2)),
        ("export 2025-06-30 14:31.csv", "UTC", _utc(2025, 6, 30, 14, 31)),
        ("crawl_20250630143111.csv", "UTC", _utc(2025, 6, 30, 14, 31, 11)),
        ("topics_2025-03-01.csv", SH, _utc(2025, 2, 28, 16)),
        # no date at all, or an impossible one
        ("5903317742.csv", "UTC", None),
        ("data_20251341.csv", "UTC", None),
    ],
)
def test_file_name_dates(name: str, tz: str, expected: datetime | None) -> None:
    assert from_file_name(name, tz) == expected


def test_a_range_never_yields_a_time_of_day() -> None:
    for first in ("2024-11-21", "20241121", "2024.11.21"):
        for last in ("2025-02-19", "20250219", "2025.02.19"):
            stamp = from_file_name(f"export_{first}_{last}.csv", "UTC")
            assert stamp == _utc(2025, 2, 19), (first, last, stamp)
