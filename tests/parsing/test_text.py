"""Missing-value markers: exactly the values whose stripped, lower-cased form is a marker."""

from __future__ import annotations

import polars as pl

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
