"""Text clean-up shared by every parser: missing-value markers, header names, ids.

Exports mark "no value" in many ways (``-``, ``undefined``, ``None``, ``N/A``, empty); all of them
become NULL, never 0, before a typed parser sees the value.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import product

import polars as pl

# Lower-cased, stripped forms that mean "no value" in a typed (number, date, rate) column.
MISSING_MARKERS: tuple[str, ...] = ("", "-", "--", "—", "undefined", "none", "null", "nan", "n/a", "na")

# In free-text columns a lone "-" may be content; only the crawler artefacts mean "nothing".
TEXT_MISSING_MARKERS: tuple[str, ...] = ("", "none", "undefined", "null", "nan")

_HEADER_JUNK = re.compile(r"[\s\"'\ufeff\u200b]+")


def normalise_header(name: object) -> str:
    """Header text as matched by signatures: no BOM, quotes or whitespace, NFKC, case-folded."""
    text = "" if name is None else unicodedata.normalize("NFKC", str(name))
    return _HEADER_JUNK.sub(" ", text).strip().casefold()


def squish(expr: pl.Expr) -> pl.Expr:
    """Strip surrounding whitespace (incl. tabs and zero-width/BOM characters) from a string column."""
    return expr.cast(pl.String).str.strip_chars(" \t\r\n\ufeff\u200b\u00a0\u3000")


@cache
def _case_variants(markers: tuple[str, ...]) -> list[str]:
    """Every upper/lower-case spelling of the markers (564 for MISSING_MARKERS)."""
    return sorted(
        {
            "".join(p)
            for m in markers
            for p in product(*[(ch, ch.upper()) if ch.isascii() else (ch,) for ch in m])
        }
    )


def _is_marker(s: pl.Expr, markers: tuple[str, ...]) -> pl.Expr:
    """``s.str.to_lowercase().is_in(markers)`` without lower-casing anything: a hash lookup among
    the markers' ASCII case variants (about six times faster; lower-casing every value was most of
    the cost of the missing-value checks). Equal for every text: markers are ASCII letters and
    symbols, and the only non-ASCII character whose lower case is ASCII is the Kelvin sign (``k``,
    in no marker)."""
    return s.is_in(_case_variants(markers))


def is_missing(expr: pl.Expr) -> pl.Expr:
    """True where a raw value means "no value" (NULL or one of MISSING_MARKERS)."""
    s = squish(expr)
    return s.is_null() | _is_marker(s, MISSING_MARKERS)


def parse_text(expr: pl.Expr) -> pl.Expr:
    """Free text: stripped, crawler artefacts (``None``, ``undefined``) and empties to NULL."""
    s = squish(expr)
    return pl.when(_is_marker(s, TEXT_MISSING_MARKERS)).then(None).otherwise(s)


def parse_id(expr: pl.Expr) -> pl.Expr:
    """Native ids as strings: strip the ``\\t`` weibo-crawler appends and the leading space or
    apostrophe spreadsheets add against formula injection; a float-looking ``123.0`` loses ``.0``."""
    s = parse_text(expr).str.strip_chars_start("'").str.strip_chars()
    # "123.00" → "123" without a regex replace (a third of the parser's cost): only the rows that
    # are digits, a dot and zeros lose their zeros and the dot
    s = (
        pl.when(s.str.contains(r"^\d+\.0+$"))
        .then(s.str.strip_chars_end("0").str.strip_suffix("."))
        .otherwise(s)
    )
    return pl.when(s == "").then(None).otherwise(s)


def strip_hash_marks(expr: pl.Expr) -> pl.Expr:
    """A topic without its ``#`` marks (``#武汉加油#`` → ``武汉加油``), whitespace trimmed."""
    return parse_text(expr).str.strip_chars("#＃ \t")


def parse_bool(expr: pl.Expr) -> pl.Expr:
    """``True``/``1``/``yes``/``是`` → true, ``False``/``0``/``no``/``否`` → false, other → NULL."""
    s = squish(expr).str.to_lowercase()
    return (
        pl.when(s.is_in(["true", "1", "yes", "y", "是", "t"]))
        .then(True)
        .when(s.is_in(["false", "0", "no", "n", "否", "f"]))
        .then(False)
        .otherwise(None)
        .cast(pl.Boolean)
    )


_HTML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&"))


def unescape_html(expr: pl.Expr) -> pl.Expr:
    """Text some exports write HTML-escaped (X tweet activity, legacy Facebook Insights) as typed.
    ``&amp;`` goes last so an escaped entity (``&amp;lt;``) stays the literal text ``&lt;``."""
    for entity, char in _HTML_ENTITIES:
        expr = expr.str.replace_all(entity, char, literal=True)
    return expr
