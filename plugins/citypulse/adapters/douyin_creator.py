"""Douyin creator center (抖音创作者中心) exports: the works list and the account overview.

The works export (投稿作品 → 投稿列表 → 导出数据, xlsx, 16 columns) has no post id: ``作品名称`` is
the title, a space and the whole body. Posts get a deterministic surrogate id from platform,
account, publish time and title (decision: docs/adapters.md). Exports do not name their account:
``account_id``/``account_name`` come from the folder's ``_manifest.yaml``.

Traps seen in a real export (real-exports/douyin/creator-center-works-architect-2025-09.xlsx):
every cell is text, numbers included; rates are 0–1 fractions with six decimals; ``-`` is "no
value" (NULL, never 0); ``体裁`` is spelled three ways (``1min-视频``, ``1-3min视频``,
``5min+视频``) and kept as written; a ``作品名称`` holds newlines (the title is its first line);
``发布时间`` is Beijing time without a zone. ``审核状态`` ``自见`` (visible to the author only)
works show ``播放量`` 0 beside non-zero rates whose denominators are plays (``2s跳出率``
0.391304 = 9/23): that 0 is not the number of plays, so ``views`` is NULL (unknown) for them.
``主页访问量`` (profile visits from the work) and ``平均播放时长`` have no ``post_observations``
column and stay in raw/.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col, src
from citypulse.adapters.keys import with_surrogate_key


def _title_and_surrogate_id(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    # the title is the first line of 作品名称; the whole cell stays in `text`
    lf = lf.with_columns(title=pl.col("text").str.split("\n").list.first().str.strip_chars())
    if "src:审核状态" in lf.collect_schema().names():
        private = src("审核状态").str.strip_chars() == "自见"
        lf = lf.with_columns(
            views=pl.when(private & (pl.col("views") == 0)).then(None).otherwise(pl.col("views"))
        )
    lf = with_surrogate_key(
        lf,
        [
            pl.col("platform"),
            pl.col("account_id").fill_null(pl.lit(ctx.account_folder)),
            pl.col("published_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            pl.col("title"),
        ],
        alias="post_id",
    )
    return lf.with_columns(
        post_id=pl.when(pl.col("published_at").is_null() | pl.col("title").is_null())
        .then(None)
        .otherwise(pl.col("post_id"))
    )


ADAPTERS = [
    Adapter(
        name="douyin_creator_works",
        platform="douyin",
        entity="post_observations",
        description="抖音创作者中心 投稿列表 export (xlsx, one row per work, lifetime totals)",
        signature=("作品名称", "发布时间", "播放量"),
        columns=(
            col("text", "作品名称"),
            col("published_at", "发布时间", parser="datetime"),
            col("post_type", "体裁"),
            col("views", "播放量", parser="count"),
            col("completion_rate", "完播率", parser="rate"),
            col("likes", "点赞量", "点赞", parser="count"),
            col("shares", "分享量", "分享", parser="count"),
            col("comments", "评论量", "评论", parser="count"),
            col("saves", "收藏量", "收藏", parser="count"),
            col("followers_gained", "粉丝增量", parser="count"),
        ),
        signed=("followers_gained",),  # a work can lose its author followers
        finish=_title_and_surrogate_id,
    ),
    Adapter(
        name="douyin_account_overview",
        platform="douyin",
        entity="account_daily",
        description="抖音 账号总览 daily export (format inferred; tolerant of 主页访问/总粉丝 variants)",
        signature=("日期", "播放量"),
        columns=(
            col("date", "日期", parser="date"),
            col("views", "播放量", parser="count"),
            col("profile_views", "主页访问量", "主页访问", parser="count"),
            col("likes", "作品点赞", "点赞量", parser="count"),
            col("comments", "作品评论", "评论量", parser="count"),
            col("shares", "作品分享", "分享量", parser="count"),
            col("followers_gained", "新增粉丝", parser="count"),
            col("followers_lost", "取关粉丝", parser="count"),
            col("followers", "总粉丝量", "总粉丝", "粉丝总量", parser="count"),
        ),
    ),
]
