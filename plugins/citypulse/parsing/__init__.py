"""Value parsers as polars expressions, addressed by name from adapters (Python or YAML).

Every parser takes the raw string column and a :class:`ParseContext` and returns a typed
expression that is NULL where the value is missing *or* unreadable; the landing engine tells the
two apart with :func:`citypulse.parsing.text.is_missing` and refuses rows with unreadable values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import polars as pl

from citypulse.parsing import dates, numeric, text
from citypulse.settings import LOCAL_TZ


@dataclass(frozen=True)
class ParseContext:
    """What a parser may need beyond the value: the zone of naive times, the observation time."""

    timezone: str = LOCAL_TZ
    reference: pl.Expr = field(default_factory=lambda: pl.lit(None, dtype=pl.Datetime("us", "UTC")))
    # the day/month order decided for the column's whole file (see citypulse.parsing.dates);
    # None: the values parsed decide, and those they leave undecided are unreadable
    date_order: str | None = None


# Below this share of distinct values a column is parsed once per distinct value, then mapped back.
_DISTINCT_SHARE = 0.5
_VALUE = "v"


def _on_distinct(
    values: pl.Series, build: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType, plain: pl.DataType | None
) -> pl.Series:
    """``build`` over a column batch, evaluated once per distinct value when values repeat (counts
    do: a 50,000-row export has a few thousand distinct like counts). With ``plain``, values that a
    plain cast to it reads are taken as cast and ``build`` sees only the rest (``1.2万``, ``1,234``).
    NULL stays NULL, as it does in every parser."""
    parsed = (
        values.cast(plain, strict=False)
        if plain is not None
        else pl.repeat(None, values.len(), dtype=dtype, eager=True)
    )
    todo = (parsed.is_null() & values.is_not_null()).arg_true()
    if todo.len() == 0:
        return parsed
    rest = values if todo.len() == values.len() else values.gather(todo)
    distinct = rest.unique()
    if distinct.len() > _DISTINCT_SHARE * rest.len():
        read = rest.to_frame(_VALUE).select(build(pl.col(_VALUE)).cast(dtype)).to_series()
    else:
        once = distinct.to_frame(_VALUE).select(build(pl.col(_VALUE)).cast(dtype)).to_series()
        read = rest.replace_strict(distinct, once, default=None, return_dtype=dtype)
    return read if rest is values else parsed.scatter(todo, read)


@dataclass(frozen=True)
class Parser:
    name: str
    expects: str  # completes "'x' is not …" in reject reasons
    dtype: pl.DataType
    build: Callable[[pl.Expr, ParseContext], pl.Expr]
    distinct: bool = False  # context-free and worth parsing per distinct value (see _on_distinct)
    # a type whose plain cast reads a value exactly as ``build`` would, where it reads it at all
    plain: pl.DataType | None = None

    def __call__(self, expr: pl.Expr, ctx: ParseContext) -> pl.Expr:
        if self.distinct:
            build = self.build

            def on_values(e: pl.Expr) -> pl.Expr:
                return build(e, ctx)

            return expr.cast(pl.String).map_batches(
                partial(_on_distinct, build=on_values, dtype=self.dtype, plain=self.plain),
                return_dtype=self.dtype,
                is_elementwise=True,
            )
        return self.build(expr, ctx).cast(self.dtype)


PARSERS: dict[str, Parser] = {
    p.name: p
    for p in (
        Parser("text", "text", pl.String(), lambda e, c: text.parse_text(e)),
        Parser("id", "an id", pl.String(), lambda e, c: text.parse_id(e)),
        Parser("topic", "a topic", pl.String(), lambda e, c: text.strip_hash_marks(e)),
        Parser("bool", "a yes/no value", pl.Boolean(), lambda e, c: text.parse_bool(e), distinct=True),
        Parser(
            "count",
            "a number",
            pl.Int64(),
            lambda e, c: numeric.parse_count(e),
            distinct=True,
            plain=pl.Int64(),
        ),
        Parser("number", "a number", pl.Float64(), lambda e, c: numeric.parse_number(e), distinct=True),
        Parser("rate", "a rate", pl.Float64(), lambda e, c: numeric.parse_rate(e), distinct=True),
        Parser("percent", "a percentage", pl.Float64(), lambda e, c: numeric.parse_percent(e), distinct=True),
        Parser("duration", "a duration", pl.Float64(), lambda e, c: numeric.parse_duration(e), distinct=True),
        Parser(
            "datetime",
            "a date/time",
            pl.Datetime("us", "UTC"),
            lambda e, c: dates.parse_datetime(e, c.timezone, c.reference, c.date_order),
        ),
        Parser(
            "date",
            "a date",
            pl.Date(),
            lambda e, c: dates.parse_date(e, c.timezone, c.reference, c.date_order),
        ),
    )
}
"""Parsers by name; YAML adapters use these names in their column maps."""

DATE_PARSERS = frozenset({"date", "datetime"})
"""Parsers whose columns have one day/month order per file (see citypulse.parsing.dates)."""


def get_parser(name: str) -> Parser:
    try:
        return PARSERS[name]
    except KeyError:
        raise KeyError(f"unknown parser {name!r}; known: {', '.join(sorted(PARSERS))}") from None
