"""Weibo topics: the project crawler's topic-detail CSV and the raw hot-search JSON.

Topic detail (``话题,阅读量,讨论量,互动量,原创量`` [+ ``话题分类``, ``主持人``]): values carry
``万``/``亿``; ``topic`` drops the ``#`` marks, ``topic_raw`` keeps the cell as written.

Hot search (``https://weibo.com/ajax/side/hotSearch`` saved as is): ``data.realtime`` entries.
``rank`` is 0-based → ``hot_rank = rank + 1``. ``num`` is 热度 (a heat score), not reads, so
``reads`` stays NULL (the raw file keeps ``num``). Ads (``is_ad = 1`` or ``icon_desc = 荐``) are not
hot-search entries: they are refused into ``_rejects`` with that reason. The pinned
``data.hotgov`` item is a government notice without a rank and is not read (it stays in raw/).

Topic-detail API (``m.s.weibo.com/ajax_topic/detail?q=%23<topic>%23`` saved as is, one response
per file or per JSON line): ``data.baseData.sum_all.{r, m, interact, ori_m}`` are reads,
discussions, interactions and originals, each a ``{val, unit}`` pair (``{"val": "12.3", "unit":
"亿"}``); the topic is ``data.baseInfo.topic_ori`` (with its ``#`` marks). Traps: the values are
display-rounded decimals with a unit, read exactly by string arithmetic (12.3 亿 → 1230000000, no
float): a unit other than 万/亿/none, or more decimals than the unit holds (``1.23456万``), is not
an exact count and refuses the row naming the pair; ``category_str``, ``summary`` and the host
(``claim_info``) have no lake column and stay in raw/.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col, src
from citypulse.lake import reasons
from citypulse.parsing.text import is_missing, normalise_header


def _one_based_rank(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(hot_rank=pl.col("hot_rank") + 1)


def _is_ad() -> pl.Expr:
    flag = src("is_ad").str.strip_chars().is_in(["1", "true", "True"])
    return flag


# topic-detail API: lake column → key under data.baseData.sum_all
SUM_ALL = {"reads": "r", "discussions": "m", "interactions": "interact", "originals": "ori_m"}
# decimal digits each unit holds: a value with more is not an exact count
_UNIT_DIGITS = {"": 0, "万": 4, "亿": 8}
NOT_EXACT = "is not an exact count (a unit other than 万 or 亿, or more decimals than the unit holds)"


def _pair(key: str, part: str) -> str:
    return f"data.baseData.sum_all.{key}.{part}"


def _exact(key: str) -> str:
    """The column ``prepare`` writes: the pair's exact integer as text, NULL when not exact."""
    return f"sum_all.{key} exact"


def _exact_counts(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """Each ``{val, unit}`` pair → its exact integer as text, by moving the decimal point in the
    string (``12.3`` + ``亿`` → ``1230000000``); NULL when missing or not exact."""
    names = set(lf.collect_schema().names())
    exprs = []
    for key in SUM_ALL.values():
        val_name, unit_name = normalise_header(_pair(key, "val")), normalise_header(_pair(key, "unit"))
        if val_name not in names:
            continue
        val = pl.col(val_name).str.strip_chars()
        unit = pl.col(unit_name).str.strip_chars().fill_null("") if unit_name in names else pl.lit("")
        parts = val.str.extract_groups(r"^(\d+)(?:\.(\d+))?$")
        whole, fraction = parts.struct.field("1"), parts.struct.field("2").fill_null("")
        digits = pl.lit(None, pl.String)
        for name, places in _UNIT_DIGITS.items():
            fits = (unit == name) & (fraction.str.len_chars() <= places)
            digits = pl.when(fits).then(whole + fraction.str.pad_end(places, "0")).otherwise(digits)
        exprs.append(
            pl.when(is_missing(val)).then(None).otherwise(digits).alias(normalise_header(_exact(key)))
        )
    return lf.with_columns(exprs)


def _not_exact(key: str) -> RowRule:
    val, unit = src(_pair(key, "val")), src(_pair(key, "unit"))

    def when() -> pl.Expr:
        return ~is_missing(val) & src(_exact(key)).is_null()

    def value() -> pl.Expr:
        return pl.format("{}{}", val, unit.fill_null(""))

    return RowRule(
        f"data.baseData.sum_all.{key}", when, NOT_EXACT, value=value, code=reasons.NUMBER_UNPARSEABLE
    )


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
        rules=(
            RowRule(
                "is_ad", _is_ad, "advertisement (is_ad=1), not a hot-search entry", code=reasons.OUT_OF_SCOPE
            ),
        ),
    ),
    Adapter(
        name="weibo_topic_api",
        platform="weibo",
        entity="topic_observations",
        description="m.s.weibo.com/ajax_topic/detail response: a topic's reads, discussions, interactions",
        signature=("data.baseInfo.topic_ori", _pair("r", "val")),
        columns=(
            col("topic", "data.baseInfo.topic_ori", parser="topic"),
            col("topic_raw", "data.baseInfo.topic_ori"),
            *(col(target, _exact(key), parser="count") for target, key in SUM_ALL.items()),
        ),
        formats=frozenset({"json", "jsonl"}),
        constants={"is_hot_search": False},
        prepare=_exact_counts,
        rules=tuple(_not_exact(key) for key in SUM_ALL.values()),
    ),
]
