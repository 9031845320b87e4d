"""Weibo topics: the project crawler's topic-detail CSV and the raw hot-search JSON.

Topic detail (``话题,阅读量,讨论量,互动量,原创量`` [+ ``话题分类``, ``主持人``]): values carry
``万``/``亿``; ``topic`` drops the ``#`` marks, ``topic_raw`` keeps the cell as written.

Hot search (``https://weibo.com/ajax/side/hotSearch`` saved as is): ``data.realtime`` entries.
``rank`` is 0-based → ``hot_rank = rank + 1``. ``num`` is 热度 (a heat score), not reads, so
``reads`` stays NULL (the raw file keeps ``num``). Ads (``is_ad = 1`` or ``icon_desc = 荐``) are not
hot-search entries: they are refused into ``_rejects`` with that reason. The pinned
``data.hotgov`` item is a government notice without a rank and is not read (it stays in raw/).
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col, src


def _one_based_rank(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(hot_rank=pl.col("hot_rank") + 1)


def _is_ad() -> pl.Expr:
    flag = src("is_ad").str.strip_chars().is_in(["1", "true", "True"])
    return flag


ADAPTERS = [
    Adapter(
        name="weibo_topic_detail",
        platform="weibo",
        entity="topic_observations",
        description="topic detail crawl: 阅读量/讨论量/互动量/原创量 per #话题#",
        signature=("话题", "阅读量", "讨论量"),
        columns=(
            col("topic", "话题", parser="topic"),
            col("topic_raw", "话题"),
            col("reads", "阅读量", "阅读", parser="count"),
            col("discussions", "讨论量", "讨论", parser="count"),
            col("interactions", "互动量", parser="count"),
            col("originals", "原创量", "原创人数", parser="count"),
        ),
        constants={"is_hot_search": False},
    ),
    Adapter(
        name="weibo_hot_search",
        platform="weibo",
        entity="topic_observations",
        description="weibo.com/ajax/side/hotSearch response (data.realtime)",
        signature=("word", "num", "rank", "realpos"),
        columns=(
            col("topic", "word", parser="topic"),
            col("topic_raw", "word_scheme", "word"),
            col("hot_rank", "rank", parser="count"),
        ),
        formats=frozenset({"json", "jsonl"}),
        constants={"is_hot_search": True},
        finish=_one_based_rank,
        rules=(RowRule("is_ad", _is_ad, "advertisement (is_ad=1), not a hot-search entry"),),
    ),
]
