"""Counts, decimals and rates as polars expressions (vectorised; no per-row Python).

Handles Chinese units (``1.2万``, ``3.1亿``, ``10万+``, ``1.5万+``, ``10w+``), Latin suffixes
(``1.5K``, ``2.3M``, ``1B``), thousands separators (``1,234``), floats written by spreadsheets
(``"424.0"``), percent strings (``16.42%``) and every missing-value marker (→ NULL, never 0).
A trailing ``+`` ("at least") keeps the stated lower bound: ``100万+`` → 1000000.
Negative numbers are kept; row rules decide whether a column may be negative.
"""

from __future__ import annotations

import polars as pl

from citypulse.parsing.text import is_missing, squish

_NUMBER = r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(万|亿|w|k|m|b)?$"
_MULTIPLIER = {"万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "m": 1e6, "b": 1e9}


def _prepared(expr: pl.Expr) -> pl.Expr:
    s = squish(expr).str.to_lowercase().str.replace_all(r"[\s\u00a0\u3000]", "")
    # a comma is a thousands separator only in groups of three ("1,234"); "12,3万" is refused
    grouped = s.str.contains(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:万|亿|w|k|m|b)?\+?$")
    s = pl.when(s.str.contains(",") & ~grouped).then(None).otherwise(s.str.replace_all(",", ""))
    # the "at least" plus sign of "10万+"
    return pl.when(is_missing(expr)).then(None).otherwise(s.str.strip_chars_end("+"))


def parse_number(expr: pl.Expr) -> pl.Expr:
    """Any numeric text → Float64 (units applied); NULL when missing or not a number."""
    s = _prepared(expr)
    mantissa = s.str.extract(_NUMBER, 1).cast(pl.Float64, strict=False)
    unit = s.str.extract(_NUMBER, 2)
    factor = unit.replace_strict(_MULTIPLIER, default=1.0, return_dtype=pl.Float64)
    return mantissa * factor


def parse_count(expr: pl.Expr) -> pl.Expr:
    """Counts → Int64. Plain integers are cast exactly (no float round trip, so 19-digit values
    survive); values with units or decimals are scaled and rounded (``1.2万`` → 12000)."""
    s = _prepared(expr)
    exact = s.str.replace(r"^\+", "").cast(pl.Int64, strict=False)
    scaled = parse_number(expr).round(0)
    in_range = scaled.abs() < 9.2e18
    return pl.coalesce(exact, pl.when(in_range).then(scaled).otherwise(None).cast(pl.Int64, strict=False))


def parse_rate(expr: pl.Expr) -> pl.Expr:
    """A rate as a 0–1 fraction: ``0.33`` stays, ``16.42%`` → 0.1642."""
    s = squish(expr)
    value = parse_number(s.str.strip_chars_end("%％"))
    return pl.when(s.str.contains(r"[%％]\s*$")).then(value / 100.0).otherwise(value)


def parse_percent(expr: pl.Expr) -> pl.Expr:
    """A 0–100 number (YouTube ``(%)`` columns, with or without ``%``) → 0–1 fraction."""
    return parse_number(squish(expr).str.strip_chars_end("%％")) / 100.0


def parse_duration(expr: pl.Expr) -> pl.Expr:
    """Seconds from ``20.0``, ``1:05`` (m:s) or ``0:03:25`` (h:m:s) → Float64."""
    s = squish(expr)
    parts = s.str.extract_groups(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
    hms = (
        parts.struct.field("1").cast(pl.Float64, strict=False).fill_null(0.0) * 3600
        + parts.struct.field("2").cast(pl.Float64, strict=False) * 60
        + parts.struct.field("3").cast(pl.Float64, strict=False)
    )
    return pl.coalesce(hms, parse_number(s))
