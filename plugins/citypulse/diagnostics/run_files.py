"""The diagnostics of one evaluation run: read from serving.duckdb, written as the run's frozen
``diag_*.parquet`` detail files, and summarised as ``diag_*`` measures appended to the run's
``eval_supplementary`` (weight 0: they never enter the index).

Called by ``citypulse.evaluation.run`` on the session that froze the inputs (``registry_accounts``
prepared), before the run folder is published, so the files are as frozen as the rest of the run.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from citypulse.diagnostics import coordination, homogeneity, leverage, updating, viral
from citypulse.errors import CityPulseError
from citypulse.settings import LOCAL_TZ

MEASURES_ZH: dict[str, str] = {
    "diag_homogeneity": "同质化指数（官方作品平均文本相似度）",
    "diag_near_duplicate_share": "近重复作品占比",
    "diag_active_accounts": "活跃官方账号数",
    "diag_weekly_updated_share": "每周更新的官方账号占比",
    "diag_mean_week_share": "官方账号有更新的周占比（均值）",
    "diag_longest_gap_days": "最长断更天数",
    "diag_coordination_share": "矩阵协同发文占比",
    "diag_trends": "匹配热点数",
    "diag_trend_leverage_share": "热点借势率",
    "diag_viral_posts": "爆款作品数",
}
EXAMPLES_PER_CLUSTER = 3
VIRAL_BASELINE_DAYS = 90
GROUP = ["city_code", "platform"]

_POSTS_SQL = """
select
    registry_accounts.city_code, dim_post.platform, dim_post.account_id, registry_accounts.account_name,
    dim_post.post_id, dim_post.title, dim_post.text, dim_post.post_url, dim_post.published_at,
    signatures.signature, signatures.post_key is null as unsigned
from dim_post
inner join registry_accounts
    on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
left join fct_post_caption_signature as signatures on dim_post.post_key = signatures.post_key
where dim_post.published_at >= cast($since as timestamptz) and dim_post.published_at < cast($until as timestamptz)
"""
# a fixed order: a near-duplicate cluster is seeded by its first post in this order (the earliest);
# sorted by polars after the fetch (0.5 s against DuckDB's 0.75 s for ~400k posts with their texts)
_POST_ORDER = ["published_at", "platform", "post_id"]
_POST_DAYS_SQL = """
select fct_post_daily.platform, fct_post_daily.account_id, fct_post_daily.post_id, fct_post_daily.date_day,
    fct_post_daily.views, fct_post_daily.engagements, fct_post_daily.views_delta,
    fct_post_daily.engagements_delta, fct_post_daily.carries_prior_accumulation
from fct_post_daily
inner join registry_accounts
    on fct_post_daily.platform = registry_accounts.platform
    and fct_post_daily.account_id = registry_accounts.account_id
where fct_post_daily.date_day >= cast($since as date) and fct_post_daily.date_day < cast($until as date)
"""
_TOPICS_SQL = """
select platform, topic, cast(city_code as varchar) as city_code, date_day, reads, hot_search_hits
from fct_topic_daily
where date_day >= cast($first_day as date) and date_day < cast($next_first_day as date)
"""


def _local_date(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(LOCAL_TZ).dt.date()


def _measure(frame: pl.DataFrame, measure: str, value: pl.Expr) -> pl.DataFrame:
    return frame.select(*GROUP, measure=pl.lit(measure), value=value.cast(pl.Float64))


def _signatures(posts: pl.DataFrame) -> np.ndarray:
    """The posts' MinHash signatures, as the build publishes them (fct_post_caption_signature: one
    row per post, its signature NULL without a caption)."""
    unsigned = posts.filter("unsigned")
    if unsigned.height:
        raise CityPulseError(
            f"{unsigned.height} posts have no caption signature row (first: "
            f"{unsigned['platform'][0]} {unsigned['post_id'][0]}): the published warehouse is out of "
            "step with its fct_post_caption_signature; run `citypulse build`"
        )
    return homogeneity.signature_matrix(posts["signature"])


def compute(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any]
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """(measures, detail tables) of the period described by ``params`` (inputs.Window.params())."""
    first_day, next_first_day = params["first_day"], params["next_first_day"]
    weeks = updating.month_weeks(first_day, next_first_day)
    since = min(params["m_start"], params["m_start"] - timedelta(days=(first_day - weeks[0]).days))
    until = params["m_end"] + timedelta(days=7)
    posts = con.sql(_POSTS_SQL, params={"since": since, "until": until}).pl().sort(_POST_ORDER)
    posts = posts.with_columns(
        published_at=pl.col("published_at").dt.convert_time_zone("UTC"),
        published_date=_local_date("published_at"),
        topics=coordination.post_topics(pl.col("title"), pl.col("text")),
    )
    month = posts.filter(pl.col("published_date").is_between(first_day, next_first_day, closed="left"))
    accounts = con.sql("select city_code, platform, account_id, account_name from registry_accounts").pl()
    panel = accounts.select(GROUP).unique().sort(GROUP)

    sig = _signatures(month)
    per_group, per_account_sim = homogeneity.nested_mean_pairwise_similarity(
        month, GROUP, updating.ACCOUNT_KEYS, sig
    )
    members = homogeneity.near_duplicate_clusters(month, GROUP, sig)
    clustered = month.with_row_index("row").join(members.select("row", "cluster"), on="row")
    cluster_sizes = clustered.group_by(*GROUP, "cluster").agg(
        cluster_size=pl.len().cast(pl.Int64), cluster_accounts=pl.col("account_id").n_unique().cast(pl.Int64)
    )
    clusters = (
        clustered.join(cluster_sizes, on=[*GROUP, "cluster"])
        .sort("published_at", "post_id")
        .with_columns(example_rank=pl.int_range(1, pl.len() + 1).over(*GROUP, "cluster"))
        .with_columns(cluster_id=pl.col("post_id").first().over(*GROUP, "cluster"))
        .filter(pl.col("example_rank") <= EXAMPLES_PER_CLUSTER)
        .select(
            *GROUP,
            "cluster_id",
            "cluster_size",
            "cluster_accounts",
            "example_rank",
            "post_id",
            "account_id",
            "account_name",
            "title",
            "post_url",
            "published_at",
        )
        .sort(
            *GROUP,
            "cluster_size",
            "cluster_id",
            "example_rank",
            descending=[False, False, True, False, False],
        )
    )
    dup_share = (
        month.group_by(GROUP)
        .agg(posts=pl.len())
        .join(clustered.group_by(GROUP).agg(dups=pl.len()), on=GROUP, how="left")
        .with_columns(share=pl.col("dups").fill_null(0) / pl.col("posts"))
    )

    account_rows = updating.account_updating(accounts, posts, first_day, next_first_day)
    cities = updating.city_updating(account_rows)
    in_weeks = pl.col("published_date").is_between(weeks[0], weeks[-1] + timedelta(days=6))
    coord, topics = coordination.coordination(month, posts.filter(in_weeks))
    keywords = con.sql("select cast(city_code as varchar) as city_code, keyword from dim_city_keyword").pl()
    trends = leverage.city_trends(
        con.sql(_TOPICS_SQL, params={"first_day": first_day, "next_first_day": next_first_day}).pl(),
        keywords,
        first_day,
        next_first_day,
    )
    levered = leverage.leverage(trends, posts)
    lev = (
        levered.group_by(GROUP)
        .agg(trends=pl.len(), leveraged=pl.col("leveraged").sum())
        .with_columns(share=pl.col("leveraged") / pl.col("trends"))
    )
    baseline = {"since": next_first_day - timedelta(days=VIRAL_BASELINE_DAYS), "until": params["cutoff_day"]}
    alerts = (
        viral.viral_posts(con, _POST_DAYS_SQL, baseline, first_day, next_first_day)
        .join(accounts, on=["platform", "account_id"], how="left")
        .join(
            posts.select("platform", "post_id", "title", "post_url"), on=["platform", "post_id"], how="left"
        )
    )
    viral_counts = alerts.group_by(GROUP).agg(n=pl.col("post_id").n_unique())

    def on_panel(frame: pl.DataFrame) -> pl.DataFrame:
        return panel.join(frame, on=GROUP, how="left")

    measures = pl.concat(
        [
            _measure(on_panel(per_group), "diag_homogeneity", pl.col("homogeneity")),
            _measure(on_panel(dup_share), "diag_near_duplicate_share", pl.col("share")),
            _measure(on_panel(coord), "diag_active_accounts", pl.col("active_accounts").fill_null(0)),
            _measure(on_panel(cities), "diag_weekly_updated_share", pl.col("weekly_updated_share")),
            _measure(on_panel(cities), "diag_mean_week_share", pl.col("mean_week_share")),
            _measure(on_panel(cities), "diag_longest_gap_days", pl.col("longest_gap_days")),
            _measure(on_panel(coord), "diag_coordination_share", pl.col("coordination_share")),
            _measure(on_panel(lev), "diag_trends", pl.col("trends").fill_null(0)),
            _measure(on_panel(lev), "diag_trend_leverage_share", pl.col("share")),
            _measure(on_panel(viral_counts), "diag_viral_posts", pl.col("n").fill_null(0)),
        ]
    ).with_columns(measure_zh=pl.col("measure").replace_strict(MEASURES_ZH))
    details = {
        "diag_accounts": account_rows.join(accounts, on=updating.ACCOUNT_KEYS, how="left").join(
            per_account_sim.rename({"posts": "captioned_posts"}), on=updating.ACCOUNT_KEYS, how="left"
        ),
        "diag_clusters": clusters,
        "diag_topics": topics,
        "diag_opportunities": levered.filter(~pl.col("leveraged")).drop(
            "answer_post_id", "answered_at", "leveraged"
        ),
        "diag_viral": alerts,
    }
    return measures, details


def write(folder: Path, run_id: str, measures: pl.DataFrame, details: dict[str, pl.DataFrame]) -> None:
    """Write the detail files and append the measures to the folder's eval_supplementary.parquet.

    Only for a run folder still being assembled (before the publishing rename).
    """
    for name, frame in details.items():
        frame.select(pl.lit(run_id).alias("run_id"), pl.all()).write_parquet(folder / f"{name}.parquet")
    path = folder / "eval_supplementary.parquet"
    scored = pl.read_parquet(path)
    rows = measures.with_columns(run_id=pl.lit(run_id)).select(scored.columns).cast(scored.schema)
    pl.concat([scored, rows]).sort("platform", "measure", "city_code").write_parquet(path)
