"""Shared pieces of the ``audience_breakdown`` adapters (YouTube Studio, Meta Business Suite).

Metric vocabulary (``metric``; ``value`` and ``share`` as the export gives them):

* ``views``: ``value`` = views, ``share`` = the bucket's share of all views (0–1);
* ``watch_time_h``: ``value`` = hours watched, ``share`` = the bucket's share of watch time;
* ``average_view_duration_s``: ``value`` = seconds (``0:04:40`` → 280), no share;
* ``average_fraction_viewed``: ``value`` = the average part of a video watched (0–1; Studio's
  ``Average percentage viewed (%)`` / 100), no share;
* ``audience``: ``share`` = the bucket's share of the audience Meta's Audience export describes
  (the page's audience, as Meta counts it; the file does not say more), no value.

A source row with several metrics lands as several rows (same ``source_row``); a lake row is one
(bucket, metric) of one source row. ``period_start``/``period_end`` come from the folder manifest
(the exports do not state their range) and stay NULL without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from citypulse.adapters.base import Context
from citypulse.adapters.readers import ROW
from citypulse.parsing import ParseContext, get_parser
from citypulse.parsing.text import is_missing, normalise_header

METRIC = "_metric"
BUCKET = "_bucket"

# A number a spreadsheet turned into a date: "3.апр" (3.4 read as 3 April by a Bulgarian Excel),
# "17-Jun", "8 сеп": a day, a separator, a month name (letters of any script), nothing else.
_DATE_LIKE = r"^\s*\d{1,2}[.\-/ ]\s*\p{L}{3,}\.?\s*$"
DATE_LIKE_REASON = (
    "is a number a spreadsheet turned into a date (its decimal part became a month); "
    "the value cannot be read exactly"
)


def date_like(expr: pl.Expr) -> pl.Expr:
    """True for cells such as ``3.апр``: see :data:`DATE_LIKE_REASON`."""
    return expr.str.contains(_DATE_LIKE).fill_null(False)


def as_date_column(header: str) -> str:
    """Where :func:`split_date_like` puts a column's date-mangled cells (a normalised name)."""
    return normalise_header(f"{header} (turned into a date)")


@dataclass(frozen=True)
class MetricCells:
    """One metric of a wide export row: the headers of its value and share cells, and how the
    value cell is written (``number``, or ``duration`` / ``percent`` turned into a plain number
    here so that one ``value`` column parses them all)."""

    metric: str
    value: str | None = None
    share: str | None = None
    value_format: str = "number"


def _plain_number(raw: pl.Expr, value_format: str, ctx: Context) -> pl.Expr:
    if value_format == "number":
        return raw
    parsed = get_parser(value_format)(raw, ParseContext(ctx.timezone))
    # unreadable text stays as it was: the ``number`` parser then refuses it, naming it
    return pl.coalesce(parsed.cast(pl.String), raw)


def metric_rows(
    lf: pl.LazyFrame, ctx: Context, bucket: pl.Expr, metrics: tuple[MetricCells, ...]
) -> pl.LazyFrame:
    """Wide rows (one per bucket) → one row per bucket and metric present in the header.

    Each metric's cells keep their own column (named by their header, NULL on the other metrics'
    rows), so a refused cell names its source column. Cells left empty give no row; a source
    row with no filled metric cell at all (a footer, a blank bucket) stays as one row without a
    metric, so that it is refused with a reason rather than dropped.
    """
    names = set(lf.collect_schema().names())
    present = [
        m
        for m in metrics
        if (m.value and normalise_header(m.value) in names)
        or (m.share and normalise_header(m.share) in names)
    ]
    cell_columns = sorted(
        {
            normalise_header(h)
            for m in present
            for h in (m.value, m.share)
            if h and normalise_header(h) in names
        }
    )
    base = lf.with_columns(bucket.alias(BUCKET))
    parts = []
    for order, m in enumerate(present):
        cells, raw = [], []
        if m.value and normalise_header(m.value) in names:
            name = normalise_header(m.value)
            cells.append(_plain_number(pl.col(name), m.value_format, ctx).alias(name))
            raw.append(name)
        if m.share and normalise_header(m.share) in names:
            cells.append(pl.col(normalise_header(m.share)))
            raw.append(normalise_header(m.share))
        filled = pl.any_horizontal([~is_missing(pl.col(name)) for name in raw])
        parts.append(
            base.select(
                pl.all().exclude(cell_columns),
                pl.lit(m.metric).alias(METRIC),
                pl.lit(order).alias("_order"),
                filled.alias("_filled"),
                *cells,
            )
        )
    if not parts:
        return base.with_columns(pl.lit(None, pl.String).alias(METRIC))
    rows = pl.concat(parts, how="diagonal_relaxed")
    any_filled = pl.col("_filled").any().over(ROW)
    first = pl.col("_order") == 0
    return (
        rows.filter(pl.col("_filled") | (~any_filled & first))
        .with_columns(pl.when(pl.col("_filled")).then(pl.col(METRIC)).alias(METRIC))
        .sort(ROW, "_order")
        .drop("_order", "_filled")
    )


def split_date_like(lf: pl.LazyFrame, headers: tuple[str, ...]) -> pl.LazyFrame:
    """Move each date-mangled cell of these columns to :func:`as_date_column`, so that it is
    refused by its own rule with :data:`DATE_LIKE_REASON` (not parsed as a bad number too)."""
    names = set(lf.collect_schema().names())
    moves = []
    for header in headers:
        name = normalise_header(header)
        if name not in names:  # the rule reading the moved cells still finds its column
            moves.append(pl.lit(None, pl.String).alias(as_date_column(header)))
            continue
        mangled = date_like(pl.col(name))
        moves += [
            pl.when(mangled).then(pl.col(name)).alias(as_date_column(header)),
            pl.when(~mangled).then(pl.col(name)).alias(name),
        ]
    return lf.with_columns(moves)


def with_period(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """``period_start``/``period_end`` from the folder manifest (NULL when it does not say)."""
    return lf.with_columns(
        pl.lit(ctx.period_start, dtype=pl.Date).alias("period_start"),
        pl.lit(ctx.period_end, dtype=pl.Date).alias("period_end"),
    )
