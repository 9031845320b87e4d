"""矩阵协同 matrix coordination: do a city's official accounts on a platform act as a matrix?

Per city and platform: active official accounts (at least one post in the month) and the share of
official posts carrying a topic that at least two of the city's official accounts on that platform
used in the same ISO week. The topics that drove it are returned with their week and accounts.
Topics are the post's hashtags (``#话题#`` or ``#话题``), normalised like ``dim_topic``: NFKC, no marks.
"""

from __future__ import annotations

import polars as pl

GROUP = ["city_code", "platform"]
_HASHTAG = r"#([^#\s]+)"


def post_topics(title: pl.Expr, text: pl.Expr) -> pl.Expr:
    """The distinct hashtags of a post's title and text (list of strings, possibly empty)."""
    joined = pl.concat_str([title.fill_null(""), text.fill_null("")], separator=" ").str.normalize("NFKC")
    return joined.str.extract_all(_HASHTAG).list.eval(pl.element().str.strip_chars("#")).list.unique()


def coordinated_topics(posts: pl.DataFrame) -> pl.DataFrame:
    """(city_code, platform, week, topic, accounts, posts) used by >= 2 official accounts in a week.

    ``posts`` needs city_code, platform, account_id, post_id, published_date and ``topics``.
    """
    return (
        posts.with_columns(week=pl.col("published_date").dt.truncate("1w"))
        .explode("topics")
        .drop_nulls("topics")
        .rename({"topics": "topic"})
        .group_by([*GROUP, "week", "topic"])
        .agg(
            accounts=pl.col("account_id").n_unique().cast(pl.Int64),
            posts=pl.col("post_id").n_unique().cast(pl.Int64),
        )
        .filter(pl.col("accounts") >= 2)
        .sort([*GROUP, "week", "accounts", "topic"], descending=[False, False, False, True, False])
    )


def coordination(
    posts: pl.DataFrame, week_posts: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per city and platform (active_accounts, posts, coordinated_posts, coordination_share), and
    the coordinated topics behind it.

    Shares count ``posts`` (the month's); co-use is found in ``week_posts`` (default ``posts``), the
    posts of the month's whole weeks, so a week straddling the month edge is seen entire.
    """
    topics = coordinated_topics(posts if week_posts is None else week_posts)
    with_week = posts.with_columns(week=pl.col("published_date").dt.truncate("1w"))
    coordinated = (
        with_week.explode("topics")
        .rename({"topics": "topic"})
        .join(topics.select(*GROUP, "week", "topic"), on=[*GROUP, "week", "topic"], how="semi")
        .select(*GROUP, "post_id")
        .unique()
        .group_by(GROUP)
        .agg(coordinated_posts=pl.len().cast(pl.Int64))
    )
    per_group = (
        posts.group_by(GROUP)
        .agg(
            active_accounts=pl.col("account_id").n_unique().cast(pl.Int64),
            posts=pl.col("post_id").n_unique().cast(pl.Int64),
        )
        .join(coordinated, on=GROUP, how="left")
        .with_columns(coordinated_posts=pl.col("coordinated_posts").fill_null(0))
        .with_columns(coordination_share=pl.col("coordinated_posts") / pl.col("posts"))
        .sort(GROUP)
    )
    return per_group, topics
