"""The files of a frozen run: their names, their schemas, and how they are written.

A run folder ``evaluations/run_id=<id>/`` holds what the scoring read (``config_*`` and
``source_*``), what it produced (``eval_*``, the marts' inputs) and the manifest. Files are
written once: a folder is assembled under a temporary name and renamed into place, so a reader
never sees half a run and nothing in a finished run is ever rewritten.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

# What the scoring models read besides the config (see models/evaluation/scoring).
SOURCE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "source_input": {
        "city_code": pl.String(),
        "platform": pl.String(),
        "has_account": pl.Boolean(),
        "accounts": pl.Int32(),
        "accounts_with_data": pl.Int32(),
        "days": pl.Int32(),
        "posts": pl.Int64(),
        "posts_with_metrics": pl.Int64(),
        "posts_with_views": pl.Int64(),
        "posts_with_likes": pl.Int64(),
        "posts_with_comments": pl.Int64(),
        "posts_with_shares": pl.Int64(),
        "posts_with_saves": pl.Int64(),
        "views": pl.Int64(),
        "peak_views": pl.Int64(),
        "likes": pl.Int64(),
        "comments": pl.Int64(),
        "shares": pl.Int64(),
        "saves": pl.Int64(),
        "followers_start": pl.Int64(),
        "followers_end": pl.Int64(),
        "topic_reach": pl.Int64(),
    },
    "source_theme_posts": {
        "city_code": pl.String(),
        "platform": pl.String(),
        "best_theme": pl.String(),  # B | E | S | T
        "posts": pl.Int64(),
    },
    "source_search_results": {
        "city_code": pl.String(),
        "platform": pl.String(),
        "keyword": pl.String(),
        "position": pl.Int64(),
        "account_id": pl.String(),
        "is_official": pl.Boolean(),
    },
    "source_topic_measures": {
        "city_code": pl.String(),
        "platform": pl.String(),
        "days": pl.Int32(),
        "reads": pl.Int64(),
        "discussions": pl.Int64(),
        "hot_search_entries": pl.Int64(),
    },
    "source_hot_events": {
        "event_id": pl.String(),
        "city_code": pl.String(),
        "platform": pl.String(),
        "answered": pl.Boolean(),
    },
    "source_run": {"run_id": pl.String()},  # the run being scored
    "source_previous_composite": {
        "run_id": pl.String(),
        "composite": pl.String(),
        "city_code": pl.String(),
        "rank": pl.Int64(),
    },
    "source_top_posts": {
        "city_code": pl.String(),
        "platform": pl.String(),
        "post_id": pl.String(),
        "title": pl.String(),
        "text": pl.String(),  # what Weibo and X posts have instead of a title
        "post_url": pl.String(),
        "published_at": pl.Datetime("us", "UTC"),
        "views": pl.Int64(),
        "engagements": pl.Int64(),
    },
}

# columns a source table gained after runs were frozen: absent in a caller's frame, they are NULL
OPTIONAL_SOURCE_COLUMNS = frozenset(
    {
        "accounts_with_data",
        "posts_with_views",
        "posts_with_likes",
        "posts_with_comments",
        "posts_with_shares",
        "posts_with_saves",
    }
)

# output file -> scoring model, and the order that makes every file byte-stable
OUTPUTS: dict[str, tuple[str, str]] = {
    "eval_input": ("int_eval_input", "city_code, platform"),
    "eval_indicator_score": ("int_eval_indicator_score", "platform, indicator, city_code"),
    "eval_platform_score": ("int_eval_platform_score", "platform, city_code"),
    "eval_dimension_score": ("int_eval_dimension_score", "platform, dimension, city_code"),
    "eval_composite_score": ("int_eval_composite_score", "composite, city_code"),
    "eval_platform_coverage": ("int_eval_platform_coverage", "platform"),
    "eval_supplementary": ("int_eval_supplementary", "platform, measure, city_code"),
    "eval_indicator_availability": ("int_eval_indicator_availability", "platform, indicator"),
}

RUN_DIR_PREFIX = "run_id="
STATUS_DIR = "_status"


def run_dir(evaluations: Path, run_id: str) -> Path:
    return evaluations / f"{RUN_DIR_PREFIX}{run_id}"


def conform_source(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The source table in its frozen schema: contract columns, contract order, contract types."""
    schema = SOURCE_SCHEMAS[name]
    missing = [c for c in schema if c not in frame.columns and c not in OPTIONAL_SOURCE_COLUMNS]
    if missing:
        raise ValueError(f"{name}: columns {missing} are missing")
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t, strict=True).alias(c)
            for c, t in schema.items()
        ]
    )


def write_source(directory: Path, name: str, frame: pl.DataFrame | None = None) -> Path:
    """Write one source table (an empty, typed file when ``frame`` is None)."""
    data = pl.DataFrame(schema=SOURCE_SCHEMAS[name]) if frame is None else conform_source(name, frame)
    path = directory / f"{name}.parquet"
    data.write_parquet(path)
    return path


def write_once(path: Path, frame: pl.DataFrame) -> Path:
    """Write a parquet file that must not exist yet: temp file + rename, refusing to overwrite."""
    if path.exists():
        raise FileExistsError(f"{path} exists; frozen files are never rewritten")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    frame.write_parquet(tmp)
    try:
        os.link(tmp, path)  # fails if path appeared meanwhile: no silent overwrite
    finally:
        tmp.unlink()
    return path
