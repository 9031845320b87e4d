"""How exports spell values: local clock strings, Chinese units, percentages, English dates.

All are polars expressions, so a million rows are formatted without a Python loop.
"""

from __future__ import annotations

import polars as pl

from citypulse.settings import LOCAL_TZ


def local(col: str | pl.Expr, fmt: str, tz: str = LOCAL_TZ) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.dt.convert_time_zone(tz).dt.strftime(fmt)


def text(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.String)


def wan(col: str | pl.Expr, plus: pl.Expr | bool = False) -> pl.Expr:
    """Weibo-style counts: ``1.5万`` from 10 000 up, ``100万+`` from a million, else digits."""
    x = pl.col(col) if isinstance(col, str) else col
    suffix = (
        pl.when(plus).then(pl.lit("万+")).otherwise(pl.lit("万"))
        if isinstance(plus, pl.Expr)
        else (pl.lit("万+" if plus else "万"))
    )
    return (
        pl.when(x >= 1_000_000)
        .then(pl.lit("100万+"))
        .when(x >= 10_000)
        .then(pl.concat_str((x / 10_000).round(1).cast(pl.String), suffix))
        .otherwise(x.cast(pl.Int64).cast(pl.String))
    )


def yi_wan(col: str | pl.Expr) -> pl.Expr:
    """Topic-page numbers: ``12.3亿``, ``4567万``, or plain digits below ten thousand."""
    x = pl.col(col) if isinstance(col, str) else col
    return (
        pl.when(x >= 100_000_000)
        .then(pl.concat_str((x / 100_000_000).round(1).cast(pl.String), pl.lit("亿")))
        .when(x >= 10_000)
        .then(pl.concat_str((x / 10_000).floor().cast(pl.Int64).cast(pl.String), pl.lit("万")))
        .otherwise(x.cast(pl.Int64).cast(pl.String))
    )


def percent(col: str | pl.Expr) -> pl.Expr:
    """``16.42%`` from a 0-1 fraction."""
    x = pl.col(col) if isinstance(col, str) else col
    return pl.concat_str((x * 100).round(2).cast(pl.String), pl.lit("%"))


def fraction(col: str | pl.Expr, digits: int = 4) -> pl.Expr:
    x = pl.col(col) if isinstance(col, str) else col
    return x.round(digits).cast(pl.String)


_MONTHS = [
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
_MESES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def yearless(col: str | pl.Expr, locale: str = "en") -> pl.Expr:
    """TikTok Studio's yearless dates: ``August 9`` (English) or ``9 de agosto`` (Spanish)."""
    d = pl.col(col) if isinstance(col, str) else col
    if locale == "es":
        name = pl.lit(pl.Series(_MESES)).get(d.dt.month().cast(pl.Int64) - 1)
        return pl.concat_str(d.dt.day().cast(pl.String), pl.lit(" de "), name)
    name = pl.lit(pl.Series(_MONTHS)).get(d.dt.month().cast(pl.Int64) - 1)
    return pl.concat_str(name, pl.lit(" "), d.dt.day().cast(pl.String))
