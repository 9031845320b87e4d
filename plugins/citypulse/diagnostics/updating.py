"""定期更新 regular updating: per official account, the share of the month's weeks with a post and
the longest silent gap; per city and platform, the share of accounts updated every week.

A month's weeks are the ISO weeks (Monday–Sunday) whose Thursday falls in the month, so every week
belongs to exactly one month (February 2027, starting on a Monday, has exactly four). A post counts
for its week even when it falls on that week's days in the neighbouring month.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

ACCOUNT_KEYS = ["city_code", "platform", "account_id"]


def month_weeks(first_day: date, next_first_day: date) -> list[date]:
    """The Mondays of the ISO weeks whose Thursday lies in [first_day, next_first_day)."""
    monday = first_day - timedelta(days=first_day.weekday())
    weeks = []
    while monday < next_first_day:
        if first_day <= monday + timedelta(days=3) < next_first_day:
            weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def account_updating(
    accounts: pl.DataFrame, posts: pl.DataFrame, first_day: date, next_first_day: date
) -> pl.DataFrame:
    """Per account of ``accounts`` (city_code, platform, account_id): weeks, weeks_with_posts,
    week_share, longest_gap_days (days of the month without a post, longest run), updated_every_week.

    ``posts`` needs the account keys and ``published_date`` (local day).
    """
    weeks = month_weeks(first_day, next_first_day)
    week_of = pl.col("published_date").dt.truncate("1w")
    weekly = (
        posts.filter(week_of.is_in(weeks))
        .group_by(ACCOUNT_KEYS)
        .agg(weeks_with_posts=week_of.n_unique().cast(pl.Int64))
    )
    # silent gaps: the days between consecutive posting days, with the month's edges as sentinels
    in_month = posts.filter(pl.col("published_date").is_between(first_day, next_first_day, closed="left"))
    edges = accounts.select(ACCOUNT_KEYS).join(
        pl.DataFrame({"published_date": [first_day - timedelta(days=1), next_first_day]}), how="cross"
    )
    gaps = (
        pl.concat([in_month.select(*ACCOUNT_KEYS, "published_date"), edges], how="vertical_relaxed")
        .unique()
        .sort([*ACCOUNT_KEYS, "published_date"])
        .group_by(ACCOUNT_KEYS, maintain_order=True)
        .agg(longest_gap_days=(pl.col("published_date").diff().dt.total_days() - 1).max().cast(pl.Int64))
    )
    return (
        accounts.select(ACCOUNT_KEYS)
        .unique()
        .join(weekly, on=ACCOUNT_KEYS, how="left")
        .join(gaps, on=ACCOUNT_KEYS, how="left")
        .with_columns(
            weeks=pl.lit(len(weeks), pl.Int64),
            weeks_with_posts=pl.col("weeks_with_posts").fill_null(0),  # no post: a count, truly 0
        )
        .with_columns(
            week_share=pl.col("weeks_with_posts") / pl.col("weeks"),
            updated_every_week=pl.col("weeks_with_posts") == pl.col("weeks"),
        )
        .select(
            *ACCOUNT_KEYS, "weeks", "weeks_with_posts", "week_share", "longest_gap_days", "updated_every_week"
        )
        .sort(ACCOUNT_KEYS)
    )


def city_updating(account_rows: pl.DataFrame) -> pl.DataFrame:
    """Per city and platform: official accounts, share updated every week, mean week share."""
    return (
        account_rows.group_by("city_code", "platform")
        .agg(
            official_accounts=pl.len().cast(pl.Int64),
            weekly_updated_share=pl.col("updated_every_week").cast(pl.Float64).mean(),
            mean_week_share=pl.col("week_share").mean(),
            longest_gap_days=pl.col("longest_gap_days").max(),
        )
        .sort("city_code", "platform")
    )
