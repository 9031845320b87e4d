"""Meta Business Suite Insights chart exports (Follows, Views, Visits, …): one metric per file.

The bytes are UTF-16 LE with a BOM, a ``sep=,`` line and a title line naming the metric before
the header (export-formats.md §5.2)::

    sep=,
    "Facebook follows"
    "Date","Primary"
    "2025-08-01T00:00:00","20"

The same chart exports exist for the Instagram account: the header is the same, and only the
title tells them apart (``Instagram follows``; Vietnamese ``Lượt theo dõi trên Instagram``). A
title that names Instagram makes the file the ``instagram`` platform's (its own adapter, chosen
at detection by ``content``); every other title, or none, Facebook's. The export follows the UI
language: the title and the ``Date`` header are translated (``"Ngày","Primary"``), so each
language has an alias table (:data:`VIETNAMESE`) and its own adapters; titles of every language
are in :data:`METRICS` (as Meta writes them; no 简体中文 title is known, so none is listed).

The metric is named only by the title line (and by the file name Meta gives the download,
``Follows.csv``, ``Views.csv`` …, which people rename). It is read from the title line
(``ctx.preamble``, the cells above the header) and only when that names no known metric from the
file name. ``Primary`` is parsed as a count into the
canonical column the metric maps to (:data:`METRICS`); a file whose metric has no place in
``account_daily`` (interactions, link clicks, viewers) is refused row by row with that reason, so
nothing is dropped silently and raw/ keeps the bytes. Dates are local days of the page. Days the
chart leaves out (the Instagram follows export skips whole weeks) stay missing, never 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

import polars as pl

from citypulse.adapters.base import Adapter, ContentMatch, Context, RowRule, Sample, col
from citypulse.adapters.facebook_business_posts import META_BUSINESS_SUITE_TZ, localised
from citypulse.lake import reasons

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
    "instagram follows": "followers_gained",
    # Vietnamese UI (clickstudio-mbs-insights-views-utf16le.csv, …-ig-insights-follows-utf16le.csv)
    "lượt xem": "views",
    "lượt theo dõi trên instagram": "followers_gained",
}

# English header → Vietnamese header (the same two files)
VIETNAMESE: dict[str, str] = {"Date": "Ngày"}

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


def _title(preamble: tuple[str, ...]) -> str:
    return " ".join(c for c in preamble if not c.lower().startswith("sep=")).casefold()


def _names_instagram(sample: Sample) -> bool:
    return "instagram" in _title(sample.preamble)


def _not_instagram(sample: Sample) -> bool:
    return not _names_instagram(sample)


def chart_adapter(platform: str, suffix: str, aliases: Mapping[str, str]) -> Adapter:
    """The chart export of one platform in one UI language."""
    instagram = platform == "instagram"
    return Adapter(
        name=f"instagram_account_daily{suffix}" if instagram else f"facebook_page_daily{suffix}",
        platform=platform,
        entity="account_daily",
        description=f"Meta Business Suite {platform} Insights chart export (UTF-16, sep=, title line, Date/Primary)",
        signature=localised(aliases, "Date", "Primary"),
        columns=(
            col("date", *localised(aliases, "Date"), parser="date"),
            col(_PLACEHOLDER, *localised(aliases, "Primary"), parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        content=ContentMatch(
            "a title line naming Instagram" if instagram else "a title line not naming Instagram",
            _names_instagram if instagram else _not_instagram,
        ),
        finish=_route_metric,
        rules=(
            RowRule(
                "Primary",
                _unknown_metric,
                "the file's metric (title line / file name) has no account_daily column "
                f"(known: {', '.join(sorted(METRICS))})",
                code=reasons.OUT_OF_SCOPE,
            ),
        ),
    )


# UI language → header aliases; "" is the English export
LANGUAGES: dict[str, Mapping[str, str]] = {"": {}, "_vi": VIETNAMESE}

ADAPTERS = [
    chart_adapter(platform, suffix, aliases)
    for platform in ("facebook", "instagram")
    for suffix, aliases in LANGUAGES.items()
]
