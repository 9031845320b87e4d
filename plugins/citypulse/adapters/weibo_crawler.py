"""dataabc/weibo-crawler CSV output: posts (``<user_id>.csv``) and ``users.csv``.

Traps handled here or by the engine: ids written as ``str(id) + "\\t"`` (the id parser strips
it); ragged rows (retweets carry more cells than originals; cells are never read by position
beyond the header); header rows repeated inside appended files and BOMs mid-file (refused as
"repeated header row" / stripped by the decoder); ``日期`` date-only (before Aug 2023) or
``%Y-%m-%dT%H:%M:%S``; ``完整日期`` preferred when present; counts with ``万``/``亿``/``万+``.

Appended foreign rows: some 2019 files have 14-cell rows ``user_id, nickname, <the 12 post
fields>`` written by a different writer under the 12-column header. They are recognised when
cell 3 is a 16-digit post id and cell 8 a date, shifted back into place, and land with the
user id and nickname they carry (decision in docs/adapters.md); that writer's own header rows
(``uid,用户昵称,id,…``) are refused as repeated header rows.

The account is the manifest's, else the ``<user_id>.csv`` file name (used only after the header
signature identified the format), else the account folder.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import polars as pl

from citypulse.adapters.base import (
    SUPERSEDED_REASON,
    Adapter,
    Context,
    RowRule,
    col,
    superseded_by_later_append,
)
from citypulse.lake import reasons

_SHIFT = 2


def _shift_prefixed_rows(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    names = [n for n in ctx.header if not n.startswith("_col_")]
    extras = [f"_extra_{i}" for i in range(1, _SHIFT + 1)]
    if not set(extras) <= set(lf.collect_schema().names()) or len(names) < 8:
        return lf
    positional = [*names, *extras]
    data_row = pl.col(positional[2]).str.strip_chars().str.contains(r"^\d{16}$") & pl.col(
        positional[7]
    ).str.strip_chars().str.contains(r"^\d{4}-\d{2}-\d{2}")
    # that writer's own header ("uid,用户昵称,id,…") shifts too, then reads as a repeated header
    header_row = (pl.col(positional[0]).str.strip_chars() == "uid") & (
        pl.col(positional[2]).str.strip_chars() == "id"
    )
    shifted = (data_row | header_row).fill_null(False)
    return lf.with_columns(
        *[
            pl.when(shifted).then(pl.col(positional[k + _SHIFT])).otherwise(pl.col(positional[k])).alias(name)
            for k, name in enumerate(names)
        ],
        pl.when(shifted).then(pl.col(positional[0])).alias("_row_user_id"),
        pl.when(shifted).then(pl.col(positional[1])).alias("_row_nickname"),
        *[pl.when(shifted).then(None).otherwise(pl.col(e)).alias(e) for e in extras],
    )


def _account_and_url(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    stem = PurePosixPath(ctx.file_name).stem
    from_name = stem if re.fullmatch(r"\d{5,12}", stem) else None
    lf = lf.with_columns(account_id=pl.coalesce(pl.col("account_id"), pl.lit(from_name, dtype=pl.String)))
    if "src:bid" in lf.collect_schema().names():
        bid = pl.col("src:bid").str.strip_chars()
        lf = lf.with_columns(
            post_url=pl.when(bid.is_not_null() & (bid != "")).then(
                pl.format("https://m.weibo.cn/status/{}", bid)
            )
        )
    return lf


ADAPTERS = [
    Adapter(
        name="weibo_crawler_posts",
        platform="weibo",
        entity="post_observations",
        description="dataabc/weibo-crawler <user_id>.csv (12/14/18+ column generations)",
        signature=("id", "正文", "日期", "点赞数", "评论数", "转发数"),
        columns=(
            col("post_id", "id", parser="id"),
            col("account_id", "_row_user_id", parser="id"),
            col("account_name", "_row_nickname"),
            col("text", "正文"),
            col("published_at", "完整日期", "日期", parser="datetime"),
            col("likes", "点赞数", parser="count"),
            col("comments", "评论数", parser="count"),
            col("shares", "转发数", parser="count"),
        ),
        formats=frozenset({"csv"}),
        prepare=_shift_prefixed_rows,
        rules=(
            RowRule(
                "id",
                superseded_by_later_append,
                SUPERSEDED_REASON,
                keys=("post_id",),
                code=reasons.DUPLICATE_KEY,
            ),
        ),
        finish=_account_and_url,
    ),
    Adapter(
        name="weibo_crawler_users",
        platform="weibo",
        entity="account_observations",
        description="dataabc/weibo-crawler users.csv (one row per crawled user)",
        signature=("用户id", "昵称", "微博数", "粉丝数", "关注数"),
        columns=(
            col("account_id", "用户id", parser="id"),
            col("account_name", "昵称"),
            col("verified", "是否认证", parser="bool"),
            col("verified_type", "认证类型"),
            col("followers", "粉丝数", parser="count"),
            col("following", "关注数", parser="count"),
            col("posts_count", "微博数", parser="count"),
            col("description", "简介"),
            col("location", "所在地", "IP属地"),
        ),
        formats=frozenset({"csv"}),
    ),
]
