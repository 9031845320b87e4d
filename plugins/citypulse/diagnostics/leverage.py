"""借势 hot-topic leverage: did a city's official accounts ride the trends that concern the city?

A trend is a topic on a hot-search list (``hot_search_hits`` > 0) or among the platform's
``TOP_READS`` topics by reads on a day. It concerns a city when the warehouse mapped the topic to
the city or the topic contains one of the city's keywords. It is *leveraged* when an official
account of the city on that platform posted with the topic (in its title or text) from the start of
the first local trend day to 24 hours after that day ends: the trend lists carry days, not times,
so the 24 hours are counted from the end of the day the trend was seen. The others are the
opportunities (错失热点).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from citypulse.settings import LOCAL_TZ

TOP_READS = 10
RESPONSE_HOURS = 24


def city_trends(
    topic_days: pl.DataFrame, keywords: pl.DataFrame, first_day: date, next_first_day: date
) -> pl.DataFrame:
    """(city_code, platform, topic, trend_day, reads, best_hot_rank): first trend day in the month.

    ``topic_days``: platform, topic, city_code, date_day, reads, hot_search_hits (fct_topic_daily);
    ``keywords``: city_code, keyword (dim_city_keyword, the city_keywords seed).
    """
    days = topic_days.filter(pl.col("date_day").is_between(first_day, next_first_day, closed="left"))
    trending = days.with_columns(
        read_rank=pl.col("reads").rank("ordinal", descending=True).over("platform", "date_day")
    ).filter((pl.col("hot_search_hits").fill_null(0) > 0) | (pl.col("read_rank") <= TOP_READS))
    by_mapping = trending.filter(pl.col("city_code").is_not_null())
    by_keyword = (
        trending.drop("city_code")
        .join(keywords.select(pl.col("city_code").cast(pl.String), "keyword"), how="cross")
        .filter(pl.col("topic").str.contains(pl.col("keyword"), literal=True))
        .drop("keyword")
    )
    return (
        pl.concat([by_mapping.select(by_keyword.columns), by_keyword], how="vertical_relaxed")
        .group_by("city_code", "platform", "topic")
        .agg(
            trend_day=pl.col("date_day").min(),
            reads=pl.col("reads").max(),
            hot_search_hits=pl.col("hot_search_hits").sum(),
        )
        .sort("city_code", "platform", "trend_day", "topic")
    )


def leverage(trends: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """Each trend with ``leveraged`` and the first answering post (post_id, published_at).

    ``posts``: official posts with city_code, platform, post_id, published_at (UTC), title, text.
    """
    window_start = (
        pl.col("trend_day").cast(pl.Datetime("us")).dt.replace_time_zone(LOCAL_TZ).dt.convert_time_zone("UTC")
    )
    windowed = trends.with_columns(
        window_start=window_start,
        window_end=window_start + pl.duration(hours=24 + RESPONSE_HOURS),
    )
    caption = pl.concat_str([pl.col("title").fill_null(""), pl.col("text").fill_null("")], separator=" ")
    answers = (
        windowed.join(
            posts.select("city_code", "platform", "post_id", "published_at", caption=caption),
            on=["city_code", "platform"],
        )
        .filter(
            (pl.col("published_at") >= pl.col("window_start"))
            & (pl.col("published_at") < pl.col("window_end"))
            & pl.col("caption").str.normalize("NFKC").str.contains(pl.col("topic"), literal=True)
        )
        .sort("published_at")
        .group_by("city_code", "platform", "topic")
        .agg(answer_post_id=pl.col("post_id").first(), answered_at=pl.col("published_at").first())
    )
    return (
        windowed.join(answers, on=["city_code", "platform", "topic"], how="left")
        .with_columns(leveraged=pl.col("answer_post_id").is_not_null())
        .drop("window_start", "window_end")
        .sort("city_code", "platform", "trend_day", "topic")
    )
