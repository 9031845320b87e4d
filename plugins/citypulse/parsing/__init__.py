"""Value parsers as polars expressions, addressed by name from adapters (Python or YAML).

Every parser takes the raw string column and a :class:`ParseContext` and returns a typed
expression that is NULL where the value is missing *or* unreadable; the landing engine tells the
two apart with :func:`citypulse.parsing.text.is_missing` and refuses rows with unreadable values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from citypulse.parsing import dates, numeric, text


@dataclass(frozen=True)
class ParseContext:
    """What a parser may need beyond the value: the zone of naive times, the observation time."""

    timezone: str = "Asia/Shanghai"
    reference: pl.Expr = field(default_factory=lambda: pl.lit(None, dtype=pl.Datetime("us", "UTC")))


@dataclass(frozen=True)
class Parser:
    name: str
    expects: str  # completes "'x' is not …" in reject reasons
    dtype: pl.DataType
    build: Callable[[pl.Expr, ParseContext], pl.Expr]

    def __call__(self, expr: pl.Expr, ctx: ParseContext) -> pl.Expr:
        return self.build(expr, ctx).cast(self.dtype)


PARSERS: dict[str, Parser] = {
    p.name: p
    for p in (
        Parser("text", "text", pl.String(), lambda e, c: text.parse_text(e)),
        Parser("id", "an id", pl.String(), lambda e, c: text.parse_id(e)),
        Parser("topic", "a topic", pl.String(), lambda e, c: text.strip_hash_marks(e)),
        Parser("bool", "a yes/no value", pl.Boolean(), lambda e, c: text.parse_bool(e)),
        Parser("count", "a number", pl.Int64(), lambda e, c: numeric.parse_count(e)),
        Parser("number", "a number", pl.Float64(), lambda e, c: numeric.parse_number(e)),
        Parser("rate", "a rate", pl.Float64(), lambda e, c: numeric.parse_rate(e)),
        Parser("percent", "a percentage", pl.Float64(), lambda e, c: numeric.parse_percent(e)),
        Parser("duration", "a duration", pl.Float64(), lambda e, c: numeric.parse_duration(e)),
        Parser(
            "datetime",
            "a date/time",
            pl.Datetime("us", "UTC"),
            lambda e, c: dates.parse_datetime(e, c.timezone, c.reference),
        ),
        Parser("date", "a date", pl.Date(), lambda e, c: dates.parse_date(e, c.timezone, c.reference)),
    )
}
"""Parsers by name; YAML adapters use these names in their column maps."""


def get_parser(name: str) -> Parser:
    try:
        return PARSERS[name]
    except KeyError:
        raise KeyError(f"unknown parser {name!r}; known: {', '.join(sorted(PARSERS))}") from None
