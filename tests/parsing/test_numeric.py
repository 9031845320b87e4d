"""Number parsing: units, separators, missing markers (NULL, never 0), rates; property-based round trips."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citypulse.parsing import ParseContext, get_parser
from citypulse.parsing.numeric import parse_count, parse_duration, parse_number, parse_percent, parse_rate


def _apply(fn, values: list[str | None]) -> list:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(fn(pl.col("v"))).to_series().to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.2万", 12000),
        ("3.1亿", 310000000),
        ("10万+", 100000),
        ("1.5万+", 15000),
        ("100万+", 1000000),
        ("10w+", 100000),
        ("1.2w", 12000),
        ("1,234", 1234),
        ("1.5K", 1500),
        ("2.3M", 2300000),
        ("424.0", 424),
        ("-5", -5),
        (" 42 ", 42),
        ("7521237645968690473", 7521237645968690473),
        ("1,234,567", 1234567),
        ("12.3亿", 1230000000),
        ("4567万", 45670000),
    ],
)
def test_counts(raw: str, expected: int) -> None:
    assert _apply(parse_count, [raw]) == [expected]


@pytest.mark.parametrize("raw", ["-", "undefined", "None", "N/A", "", "   ", None, "null", "--"])
def test_missing_markers_are_null_not_zero(raw: str | None) -> None:
    assert _apply(parse_count, [raw]) == [None]
    assert _apply(parse_rate, [raw]) == [None]


@pytest.mark.parametrize("raw", ["12,3万", "abc", "1,2", "1.2.3", "万"])
def test_garbage_is_null(raw: str) -> None:
    assert _apply(parse_count, [raw]) == [None]


def test_rates_and_percentages() -> None:
    assert _apply(parse_rate, ["16.42%", "0.33", "0.02", "-"]) == pytest.approx([0.1642, 0.33, 0.02, None])
    assert _apply(parse_percent, ["42.5", "100", "7.1%"]) == pytest.approx([0.425, 1.0, 0.071])


def test_durations() -> None:
    assert _apply(parse_duration, ["20.0", "1:05", "00:03:25", "-"]) == [20.0, 65.0, 205.0, None]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_thousands_separators_round_trip(n: int) -> None:
    assert _apply(parse_count, [f"{n:,}", str(n), f"{n}.0"]) == [n, n, n]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=99_999),
    st.sampled_from([("万", 10_000), ("亿", 10**8), ("K", 1000), ("M", 10**6), ("w", 10_000)]),
)
def test_units_round_trip(tenths: int, unit: tuple[str, int]) -> None:
    suffix, factor = unit
    text = f"{tenths // 10}.{tenths % 10}{suffix}"
    assert _apply(parse_count, [text, text + "+"]) == [tenths * factor // 10] * 2


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2)))
def test_percent_strings_round_trip(p: float) -> None:
    assert _apply(parse_rate, [f"{p}%"])[0] == pytest.approx(p / 100)
    assert _apply(parse_number, [str(p)])[0] == pytest.approx(p)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789+-., 万亿wk\t", max_size=8) | st.none(), min_size=1, max_size=40))
def test_the_count_parser_equals_parse_count(values: list[str | None]) -> None:
    # the registered parser takes what a plain Int64 cast reads as cast and parses only the rest,
    # once per distinct value: the result must be parse_count's, value for value
    frame = pl.DataFrame({"v": values * 3}, schema={"v": pl.String})
    registered = frame.select(get_parser("count")(pl.col("v"), ParseContext())).to_series().to_list()
    assert registered == frame.select(parse_count(pl.col("v"))).to_series().to_list()
