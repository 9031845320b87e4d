"""Meta Business Suite page-level daily exports (Follows, Views, Visits, …): one metric per file.

The bytes are UTF-16 LE with a BOM, a ``sep=,`` line and a title line naming the metric before
the header (export-formats.md §5.2)::

    sep=,
    "Facebook follows"
    "Date","Primary"
    "2025-08-01T00:00:00","20"

The metric is named only by the title line (and by the file name Meta gives the download,
``Follows.csv``, ``Views.csv`` …, which people rename). It is read from the title line
(``ctx.preamble``, the cells above the header) and only when that names no known metric from the
file name. ``Primary`` is parsed as a count into the
canonical column the metric maps to (:data:`METRICS`); a file whose metric has no place in
``account_daily`` (interactions, link clicks, viewers) is refused row by row with that reason, so
nothing is dropped silently and raw/ keeps the bytes. Dates are local days of the page.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col
from citypulse.adapters.facebook_business_posts import META_BUSINESS_SUITE_TZ

# title (or file stem), case-folded → account_daily column
METRICS: dict[str, str] = {
    "facebook follows": "followers_gained",
    "follows": "followers_gained",
    "new follows": "followers_gained",
    "facebook unfollows": "followers_lost",
    "unfollows": "followers_lost",
    "views": "views",
    "facebook views": "views",
    "visits": "profile_views",
    "facebook visits": "profile_views",
    "page visits": "profile_views",
    "facebook page visits": "profile_views",
}

_PLACEHOLDER = "views"  # where the engine parses ``Primary`` before it is moved to the metric's column
_METRIC = "_metric_column"


def metric_of(ctx: Context) -> tuple[str | None, str]:
    """The canonical column for the file's metric, and the label it was recognised from."""
    labels = [cell for cell in ctx.preamble if cell and not cell.lower().startswith("sep=")]
    stem = PurePosixPath(ctx.file_name.split("!")[-1]).stem
    labels.append(re.sub(r"[_\-]+", " ", stem))
    for label in labels:
        key = " ".join(label.split()).casefold()
        if key in METRICS:
            return METRICS[key], label
    return None, labels[0]


def _route_metric(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    target, _ = metric_of(ctx)
    if target is None:
        return lf.with_columns(pl.lit(None, pl.Int64).alias(_PLACEHOLDER), pl.lit(False).alias(_METRIC))
    value = pl.col(_PLACEHOLDER)
    moved = [value.alias(target)] + (
        [] if target == _PLACEHOLDER else [pl.lit(None, pl.Int64).alias(_PLACEHOLDER)]
    )
    return lf.with_columns(*moved, pl.lit(True).alias(_METRIC))


def _unknown_metric() -> pl.Expr:
    return ~pl.col(_METRIC)


ADAPTERS = [
    Adapter(
        name="facebook_page_daily",
        platform="facebook",
        entity="account_daily",
        description="Meta Business Suite page-level daily export (UTF-16, sep=, title line, Date/Primary)",
        signature=("Date", "Primary"),
        columns=(
            col("date", "Date", parser="date"),
            col(_PLACEHOLDER, "Primary", parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        finish=_route_metric,
        rules=(
            RowRule(
                "Primary",
                _unknown_metric,
                "the file's metric (title line / file name) has no account_daily column "
                f"(known: {', '.join(sorted(METRICS))})",
            ),
        ),
    )
]
