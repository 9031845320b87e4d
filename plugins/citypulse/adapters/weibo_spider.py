"""dataabc/weiboSpider CSV (weibo.cn). Header re-appended on every run (refused as repeated header
rows); two optional retweet columns; note ``转发数`` comes before ``评论数``, the reverse of
weibo-crawler (columns are matched by name, so order never matters). ``发布时间`` is minute
precision, relative forms already resolved by the crawler at crawl time."""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import (
    SUPERSEDED_REASON,
    Adapter,
    Context,
    RowRule,
    col,
    src,
    superseded_by_later_append,
)
from citypulse.lake import reasons


def _post_type(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    if "src:是否为原创微博" not in lf.collect_schema().names():
        return lf
    original = src("是否为原创微博").str.strip_chars().str.to_lowercase()
    return lf.with_columns(
        post_type=pl.when(original.is_in(["true", "是", "1"]))
        .then(pl.lit("original"))
        .when(original.is_in(["false", "否", "0"]))
        .then(pl.lit("repost"))
    )


ADAPTERS = [
    Adapter(
        name="weibo_spider_posts",
        platform="weibo",
        entity="post_observations",
        description="dataabc/weiboSpider <user_id>.csv",
        signature=("微博id", "微博正文", "发布时间", "点赞数", "转发数", "评论数"),
        columns=(
            col("post_id", "微博id", parser="id"),
            col("text", "微博正文"),
            col("published_at", "发布时间", parser="datetime"),
            col("likes", "点赞数", parser="count"),
            col("shares", "转发数", parser="count"),
            col("comments", "评论数", parser="count"),
        ),
        formats=frozenset({"csv"}),
        finish=_post_type,
        rules=(
            RowRule(
                "微博id",
                superseded_by_later_append,
                SUPERSEDED_REASON,
                keys=("post_id",),
                code=reasons.DUPLICATE_KEY,
            ),
        ),
    ),
]
