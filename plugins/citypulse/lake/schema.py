"""Canonical lake entities (contract: ../shared/design.md, "Canonical lake entities").

Counts are Int64 and NULL means unknown, never 0. Timestamps are UTC (tz-aware ``Datetime("us", "UTC")``).
Every row carries ``ingest_id`` (sha256 of the source file) and ``source_row`` (1-based data row).
dbt's sources read these files; keep the two in step.
"""

from __future__ import annotations

import polars as pl

UTC_TS = pl.Datetime("us", "UTC")

_LINEAGE = {"ingest_id": pl.String, "source_row": pl.Int64}

POST_OBSERVATIONS: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "account_id": pl.String(),
    "account_name": pl.String(),
    "post_id": pl.String(),
    "post_url": pl.String(),
    "published_at": UTC_TS,
    "title": pl.String(),
    "text": pl.String(),
    "post_type": pl.String(),
    "duration_s": pl.Float64(),
    "observed_at": UTC_TS,
    "views": pl.Int64(),
    "likes": pl.Int64(),
    "comments": pl.Int64(),
    "shares": pl.Int64(),
    "saves": pl.Int64(),
    "impressions": pl.Int64(),
    "reach": pl.Int64(),
    "followers_gained": pl.Int64(),
    "completion_rate": pl.Float64(),
    "source_keyword": pl.String(),
    "ip_location": pl.String(),
}

ACCOUNT_OBSERVATIONS: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "account_id": pl.String(),
    "account_name": pl.String(),
    "verified": pl.Boolean(),
    "verified_type": pl.String(),
    "followers": pl.Int64(),
    "following": pl.Int64(),
    "posts_count": pl.Int64(),
    "likes_total": pl.Int64(),
    "description": pl.String(),
    "location": pl.String(),
    "observed_at": UTC_TS,
}

ACCOUNT_DAILY: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "account_id": pl.String(),
    "date": pl.Date(),
    "followers": pl.Int64(),
    "followers_gained": pl.Int64(),
    "followers_lost": pl.Int64(),
    # the net change where a platform reports only that (YouTube "Subscribers"); may be negative
    "followers_net": pl.Int64(),
    "views": pl.Int64(),
    "profile_views": pl.Int64(),
    "likes": pl.Int64(),
    "comments": pl.Int64(),
    "shares": pl.Int64(),
    # YouTube Studio's other channel metrics per day: "Engaged views" (Shorts plays past the first
    # seconds; a different count from Views, never mixed into it) and "Watch time (hours)"
    "engaged_views": pl.Int64(),
    "watch_time_h": pl.Float64(),
}

TOPIC_OBSERVATIONS: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "topic": pl.String(),
    "topic_raw": pl.String(),
    "reads": pl.Int64(),
    "discussions": pl.Int64(),
    "interactions": pl.Int64(),
    "originals": pl.Int64(),
    "hot_rank": pl.Int64(),
    "is_hot_search": pl.Boolean(),
    "observed_at": UTC_TS,
}

# The platform's own per-post values for one reporting day (YouTube Studio Chart data, Meta
# Business Suite daily content exports): not cumulative, unlike post_observations.
POST_DAILY: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "account_id": pl.String(),
    "post_id": pl.String(),
    "date": pl.Date(),
    "views": pl.Int64(),
    "likes": pl.Int64(),
    "comments": pl.Int64(),
    "shares": pl.Int64(),
    "reach": pl.Int64(),
    "watch_time_h": pl.Float64(),
    "observed_at": UTC_TS,
}

# Who the audience is over a reporting period: one row per dimension bucket and metric
# (YouTube viewer age and cities, Meta audience age & gender, top cities and countries).
AUDIENCE_BREAKDOWN: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "account_id": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "dimension": pl.String(),  # age | gender | age_gender | country | city | language
    "bucket": pl.String(),  # the platform's label of the bucket (18-24, Women 25-34, Chengdu, CN…)
    "metric": pl.String(),  # views | watch_time_h | followers | … (what value counts)
    "value": pl.Float64(),  # NULL when the export gives only the share
    "share": pl.Float64(),  # 0–1; NULL when the export gives only the value
    "observed_at": UTC_TS,
}

ENTITIES: dict[str, dict[str, pl.DataType]] = {
    "post_observations": POST_OBSERVATIONS,
    "account_observations": ACCOUNT_OBSERVATIONS,
    "account_daily": ACCOUNT_DAILY,
    "topic_observations": TOPIC_OBSERVATIONS,
    "post_daily": POST_DAILY,
    "audience_breakdown": AUDIENCE_BREAKDOWN,
}

INGESTS: dict[str, pl.DataType] = {
    "ingest_id": pl.String(),
    "original_name": pl.String(),
    "platform": pl.String(),
    # the account the file's folder manifest names (NULL when the file itself names its accounts):
    # lets completeness see an export that had nothing to report
    "account_id": pl.String(),
    "adapter": pl.String(),
    "size_bytes": pl.Int64(),
    "encoding": pl.String(),
    "observed_at": UTC_TS,
    "observed_at_source": pl.String(),  # manifest | filename | mtime | content
    "landed_at": UTC_TS,
    "status": pl.String(),  # landed | duplicate | quarantined
    "rows_in": pl.Int64(),
    "rows_landed": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "error": pl.String(),
    "reason_code": pl.String(),  # citypulse.lake.reasons: why the file was quarantined (or warned about)
    "raw_path": pl.String(),
}

REJECTS: dict[str, pl.DataType] = {
    "ingest_id": pl.String(),
    "source_row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "reason_code": pl.String(),  # citypulse.lake.reasons: the stable category dashboards group by
    "record": pl.String(),
}


def full_schema(entity: str) -> dict[str, pl.DataType]:
    """The entity's columns followed by the lineage columns every lake row carries."""
    return {**ENTITIES[entity], **{k: v() for k, v in _LINEAGE.items()}}


def conform(frame: pl.LazyFrame | pl.DataFrame, entity: str) -> pl.LazyFrame:
    """Select the entity's columns in contract order, adding missing ones as typed NULLs."""
    lf = frame.lazy()
    present = set(lf.collect_schema().names())
    return lf.select(
        [
            (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in full_schema(entity).items()
        ]
    )


QUALITY_RESULTS: dict[str, pl.DataType] = {
    "run_id": pl.String(),  # the landing batch id (batch-…) or the build run id
    "check_source": pl.String(),  # gx
    "suite": pl.String(),
    "check_name": pl.String(),
    "status": pl.String(),  # pass | fail | warn | error
    "failing_rows": pl.Int64(),
    "details": pl.String(),
    "checked_at": UTC_TS,
}
