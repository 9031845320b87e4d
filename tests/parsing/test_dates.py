"""Date/time parsing: every layout → UTC; relative and yearless forms against the observation time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citypulse.parsing.dates import parse_date, parse_datetime

REF = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)  # 2026-01-05 12:00 in Beijing


def _dt(
    values: list[str | None], tz: str = "Asia/Shanghai", ref: datetime | None = REF, order: str | None = None
) -> list:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    reference = pl.lit(ref, dtype=pl.Datetime("us", "UTC")) if ref else None
    return frame.select(parse_datetime(pl.col("v"), tz, reference, order)).to_series().to_list()


def _d(values: list[str], ref: datetime = REF, tz: str = "Asia/Shanghai") -> list:
    frame = pl.DataFrame({"v": values})
    return (
        frame.select(parse_date(pl.col("v"), tz, pl.lit(ref, dtype=pl.Datetime("us", "UTC"))))
        .to_series()
        .to_list()
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-05-01 12:00:00+08:00", utc(2023, 5, 1, 4)),
        ("2023-05-01T04:00:00Z", utc(2023, 5, 1, 4)),
        ("Sat May 01 12:00:00 +0800 2023", utc(2023, 5, 1, 4)),
        ("2015-09-30 18:42 +0000", utc(2015, 9, 30, 18, 42)),
        ("1682913600", utc(2023, 5, 1, 4)),
        ("1682913600000", utc(2023, 5, 1, 4)),
        ("2026-07-27 14:47:18", utc(2026, 7, 27, 6, 47, 18)),
        ("2026-07-27 14:47", utc(2026, 7, 27, 6, 47)),
        ("2023-08-01T12:00:00", utc(2023, 8, 1, 4)),
        ("2020-05-17", utc(2020, 5, 16, 16)),
        ("Jun 27, 2023", utc(2023, 6, 26, 16)),
        ("Mon Feb 17 2025", utc(2025, 2, 16, 16)),
        ("Wed, Jan 1, 2025", utc(2024, 12, 31, 16)),
        ("09/28/2026 18:12", utc(2026, 9, 28, 10, 12)),
        ("7-16-2020", utc(2020, 7, 15, 16)),
        ("2025年3月8日", utc(2025, 3, 7, 16)),
    ],
)
def test_layouts_in_beijing_time(raw: str, expected: datetime) -> None:
    assert _dt([raw]) == [expected]


def test_naive_times_use_the_adapter_zone() -> None:
    assert _dt(["2025-02-01 09:00"], tz="America/Los_Angeles") == [utc(2025, 2, 1, 17)]
    assert _dt(["2025-02-01 09:00"], tz="UTC") == [utc(2025, 2, 1, 9)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("刚刚", REF),
        ("5分钟前", REF - timedelta(minutes=5)),
        ("2小时前", REF - timedelta(hours=2)),
        ("今天 10:30", utc(2026, 1, 5, 2, 30)),
        ("昨天 23:10", utc(2026, 1, 4, 15, 10)),
        ("12月31日 08:00", utc(2025, 12, 31, 0, 0)),  # crosses New Year: last year
        ("01月05日 08:00", utc(2026, 1, 5, 0, 0)),
    ],
)
def test_relative_forms(raw: str, expected: datetime) -> None:
    assert _dt([raw]) == [expected]


def test_relative_forms_need_a_reference() -> None:
    assert _dt(["刚刚", "February 28"], ref=None) == [None, None]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("February 28", date(2025, 2, 28)),
        ("December 31", date(2025, 12, 31)),
        ("January 5", date(2026, 1, 5)),
        ("January 6", date(2025, 1, 6)),
        ("8 de marzo", date(2025, 3, 8)),
        ("18 de março", date(2025, 3, 18)),
        ("3月8日", date(2025, 3, 8)),
        ("Aug 9", date(2025, 8, 9)),
        ("18 tháng Sáu", date(2025, 6, 18)),
    ],
)
def test_yearless_dates_never_after_the_reference(raw: str, expected: date) -> None:
    assert _d([raw]) == [expected]


def test_fractions_and_whitespace_runs_in_one_column() -> None:
    # whole seconds are tried before fractions (the fast layout first): a column mixing both
    # reads every value, and runs of whitespace inside a value read as one space
    got = _dt(
        [
            "2026-07-27 14:47:18",
            "2026-07-27 14:47:18.250",
            "2026-07-27T14:47:18.5",
            "2026-07-27\t 14:47:18",
            "2026-07-27 14:47:18.250+00:00",
            " 2026-07-27  14:47 ",
        ]
    )
    assert got == [
        utc(2026, 7, 27, 6, 47, 18),
        utc(2026, 7, 27, 6, 47, 18, 250000),
        utc(2026, 7, 27, 6, 47, 18, 500000),
        utc(2026, 7, 27, 6, 47, 18),
        utc(2026, 7, 27, 14, 47, 18, 250000),
        utc(2026, 7, 27, 6, 47),
    ]


def test_unreadable_and_missing_are_null() -> None:
    assert _dt(["Lifetime", "-", "", None, "2025-13-45"]) == [None] * 5


_LAYOUTS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S"]


@settings(max_examples=50, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=UTC)
    )
)
def test_instants_round_trip_through_layouts(instant: datetime) -> None:
    local = instant.astimezone(ZoneInfo("Asia/Shanghai"))
    texts = [local.strftime(f) for f in _LAYOUTS] + [
        instant.strftime("%Y-%m-%dT%H:%M:%SZ"),
        local.isoformat(),
        str(int(instant.timestamp())),
        str(int(instant.timestamp() * 1000)),
        local.strftime("%a %b %d %H:%M:%S +0800 %Y"),
    ]
    # the US layout's day may be ≤ 12: only the declared order tells it from the month
    assert _dt(texts, order="MDY") == [instant] * len(texts)


@settings(max_examples=50, deadline=None)
@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=31),
)
def test_yearless_dates_within_a_year_before_the_reference(ref_day: date, month: int, day: int) -> None:
    ref = datetime(ref_day.year, ref_day.month, ref_day.day, 4, tzinfo=UTC)
    names = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    texts = [f"{names[month - 1]} {day}", f"{month}月{day}日"]
    for value in _d(texts, ref=ref):
        try:
            date(2000, month, day)  # a leap year: the only invalid days are impossible ones
        except ValueError:
            assert value is None
            continue
        assert value is not None
        assert (value.month, value.day) == (month, day)
        assert value <= ref_day
        assert (ref_day - value).days <= 366 * 4 if (month, day) == (2, 29) else (ref_day - value).days < 366
