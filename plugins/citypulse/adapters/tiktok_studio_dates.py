"""TikTok Studio's yearless daily series: the year of each row from the order of the rows.

Studio writes days without a year (``February 28``, ``8 de marzo``, ``1月1日``) in ascending order
over up to a year, so a file can cross New Year. The shared date parser resolves each day alone to
the latest date not after the observation time; that is right for the last rows but wrong for a
first row that is the same calendar day one year earlier (``February 28`` in a file that ends on
``February 27``). Here the last row keeps the parser's year and every earlier row takes one year
less per New Year crossed after it (a crossing is a month-day lower than the previous row's).
Rows whose date carried a year are left alone. Column work only: no loop over rows.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.readers import ROW
from citypulse.parsing.text import normalise_header


def years_from_row_order(lf: pl.LazyFrame, date_headers: tuple[str, ...]) -> pl.LazyFrame:
    """Re-date the typed ``date`` column in source order, counting New Year crossings after each row."""
    names = set(lf.collect_schema().names())
    raw_name = next(
        (f"src:{normalise_header(h)}" for h in date_headers if f"src:{normalise_header(h)}" in names), None
    )
    if raw_name is None:
        return lf
    day = pl.col("date")
    month_day = day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)
    crossing = (month_day < month_day.forward_fill().shift(1)).fill_null(False).cast(pl.Int32)
    crossings_after = crossing.sum() - crossing.cum_sum()
    year = day.drop_nulls().last().dt.year().cast(pl.Int32) - crossings_after
    rebuilt = pl.format("{}-{}-{}", year, day.dt.month(), day.dt.day()).str.strptime(
        pl.Date, "%Y-%m-%d", strict=False
    )
    yearless = ~pl.col(raw_name).str.contains(r"\d{4}").fill_null(False)
    return lf.sort(ROW).with_columns(
        date=pl.when(yearless & day.is_not_null()).then(pl.coalesce(rebuilt, day)).otherwise(day)
    )
