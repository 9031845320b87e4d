"""Missing-value markers: exactly the values whose stripped, lower-cased form is a marker."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from citypulse.parsing.text import MISSING_MARKERS, TEXT_MISSING_MARKERS, is_missing, parse_text

VALUES = [
    None,
    "",
    " \t ",
    "-",
    "  --  ",
    "UNDEFINED",  # the longest marker, upper case
    "\u3000N/A\ufeff",
    "undefinedx",  # one character past the longest marker
    "- 不是空值",
    "None of the above",
    "大足石刻" * 200,  # a post body: long, no marker
    "nan" + " " * 300,  # a marker padded far past the longest marker's length
    "0",
]


def _reference(value: str | None, markers: tuple[str, ...]) -> bool:
    return value is None or value.strip(" \t\r\n\ufeff\u200b\u00a0\u3000").lower() in markers


def test_is_missing_matches_the_plain_definition() -> None:
    got = pl.DataFrame({"v": VALUES}, schema={"v": pl.String}).select(is_missing(pl.col("v")))["v"]
    assert got.to_list() == [_reference(v, MISSING_MARKERS) for v in VALUES]


def test_parse_text_nulls_only_crawler_artefacts() -> None:
    got = pl.DataFrame({"v": VALUES}, schema={"v": pl.String}).select(parse_text(pl.col("v")).alias("v"))["v"]
    expected = [
        None if _reference(v, TEXT_MISSING_MARKERS) else v.strip(" \t\r\n\ufeff\u200b\u00a0\u3000")
        for v in VALUES
    ]
    assert got.to_list() == expected


_NEAR_MARKERS = st.one_of(
    # markers in any letter case, padded with what squish strips, or with one more character
    st.tuples(
        st.sampled_from(MISSING_MARKERS + TEXT_MISSING_MARKERS),
        st.lists(st.booleans(), min_size=9, max_size=9),
        st.sampled_from(["", " ", "\t", "\u3000", "\ufeff", "x", "\u212a", "İ"]),
    ).map(lambda t: "".join(c.upper() if up else c for c, up in zip(t[0], t[1], strict=False)) + t[2]),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NEAR_MARKERS, min_size=1, max_size=20))
def test_markers_in_any_case_match_the_plain_definition(values: list[str]) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    assert frame.select(is_missing(pl.col("v"))).to_series().to_list() == [
        _reference(v, MISSING_MARKERS) for v in values
    ]
    texts = frame.select(parse_text(pl.col("v"))).to_series().to_list()
    assert [t is None for t in texts] == [_reference(v, TEXT_MISSING_MARKERS) for v in values]
