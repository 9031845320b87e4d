"""YouTube Studio advanced-mode audience tables → ``audience_breakdown``.

Two tables, each exported from Studio's Analytics (advanced mode → a dimension → Export):

* **Viewer age** (``Viewer age, Views (%), Average view duration, Average percentage viewed (%),
  Watch time (hours) (%)``): dimension ``age``, bucket = Studio's band as written;
* **Cities** (``Cities, City name, Views, Watch time (hours), Average view duration``):
  dimension ``city``, bucket = ``City name``.

Each metric cell of a row lands as its own row (metric vocabulary in :mod:`._audience`):
``Views``/``Views (%)`` → ``views`` value/share, ``Watch time (hours)``/``… (%)`` →
``watch_time_h``, ``Average view duration`` → ``average_view_duration_s``, ``Average percentage
viewed (%)`` → ``average_fraction_viewed``. Other metric columns Studio can add stay in raw/.

Traps (real-exports/youtube/dangertv-viewer-*.csv):

* age bands are written with an EN DASH (``13–17 years``); the bucket keeps Studio's label as is
  (``65+ years`` has none), so it matches what Studio shows;
* ``(%)`` columns are 0–100 → shares 0–1; ``Average view duration`` is ``H:MM:SS`` → seconds;
* ``Cities`` is a Google Maps feature id (``0x89c24fa5d33f083b:0xc80b8f06e177fe62``), not a
  name: the lake has no column for it, so it is not landed (raw/ keeps it) and the bucket is the
  ``City name`` (``"New York, NY, USA"``, quoted because of its commas);
* the Cities table ends with a footer row ``Showing top 500 results``: refused as non-data with
  that reason; the file is CRLF;
* neither file says its date range or channel: ``period_start``/``period_end`` come from the
  folder manifest (NULL without), ``account_id`` from the manifest or the account folder.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters._audience import BUCKET, METRIC, MetricCells, metric_rows, with_period
from citypulse.adapters.base import Adapter, Column, Context, Hook, RowFilter, col
from citypulse.adapters.youtube_studio_table import PACIFIC
from citypulse.parsing.text import normalise_header

STUDIO_METRICS: tuple[MetricCells, ...] = (
    MetricCells("views", value="Views", share="Views (%)"),
    MetricCells("watch_time_h", value="Watch time (hours)", share="Watch time (hours) (%)"),
    MetricCells("average_view_duration_s", value="Average view duration", value_format="duration"),
    MetricCells("average_fraction_viewed", value="Average percentage viewed (%)", value_format="percent"),
)

FOOTER = "_footer"
FOOTER_REASON = "Studio's table footer ('Showing top N results'), not data"


def _columns() -> tuple[Column, ...]:
    values = tuple(m.value for m in STUDIO_METRICS if m.value)
    shares = tuple(m.share for m in STUDIO_METRICS if m.share)
    return (
        col("bucket", BUCKET),
        col("metric", METRIC),
        col("value", *values, parser="number"),
        col("share", *shares, parser="percent"),
    )


def _by_metric(bucket_header: str, key_header: str) -> Hook:
    """The prepare hook: one row per bucket and metric, the footer marked for its row filter."""
    bucket, key = normalise_header(bucket_header), normalise_header(key_header)

    def prepare(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
        footer = pl.col(key).str.contains(r"^\s*Showing top \d+ results\s*$").fill_null(False)
        lf = lf.with_columns(pl.when(footer).then(pl.lit("footer")).alias(FOOTER))
        return metric_rows(lf, ctx, pl.col(bucket).str.strip_chars(), STUDIO_METRICS)

    return prepare


ADAPTERS = [
    Adapter(
        name="youtube_studio_viewer_age",
        platform="youtube",
        entity="audience_breakdown",
        description="YouTube Studio advanced-mode Viewer age table (share of views per age band)",
        signature=("Viewer age",),
        columns=_columns(),
        constants={"dimension": "age"},
        timezone=PACIFIC,
        prepare=_by_metric("Viewer age", "Viewer age"),
        finish=with_period,
    ),
    Adapter(
        name="youtube_studio_cities",
        platform="youtube",
        entity="audience_breakdown",
        description="YouTube Studio advanced-mode Cities table (views and watch time per city)",
        signature=("Cities", "City name"),
        columns=_columns(),
        constants={"dimension": "city"},
        timezone=PACIFIC,
        row_filters=(RowFilter(FOOTER, ("footer",), FOOTER_REASON),),
        prepare=_by_metric("City name", "Cities"),
        finish=with_period,
    ),
]
