"""Views of the simulated world that several writers share."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from citypulse.sample.calendar import LOCAL_ZONE
from citypulse.sample.world import UTC_US, World, observe
from citypulse.settings import LOCAL_TZ


def accounts(world: World, platform: str, account_type: str | None = None) -> list[dict[str, str]]:
    """Registered accounts of a platform (optionally of one type), in a stable order."""
    frame = world.registry.accounts.filter(pl.col("platform") == platform)
    if account_type is not None:
        frame = frame.filter(pl.col("account_type") == account_type)
    return frame.sort("city_code", "account_id").to_dicts()


def primary_accounts(rows: list[dict[str, str]]) -> set[str]:
    """The first registered account of each city (in registry order): the city's main account."""
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(row["city_code"], row["account_id"])
    return set(seen.values())


def posts_of(world: World, platform: str, account_id: str) -> pl.DataFrame:
    return world.posts.filter((pl.col("platform") == platform) & (pl.col("account_id") == account_id))


def snapshot(posts: pl.DataFrame, at: datetime, since: datetime | None = None) -> pl.DataFrame:
    """Posts published in [since, at), with their cumulative metrics at ``at``, newest first."""
    at_utc = pl.lit(at).cast(UTC_US)
    keep = pl.col("published_at") < at_utc
    if since is not None:
        keep &= pl.col("published_at") >= pl.lit(since).cast(UTC_US)
    return observe(posts.filter(keep), at).sort("published_at", "post_no", descending=True).collect()


def local_midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=LOCAL_ZONE)


def daily_metrics(world: World, platform: str, account_id: str, first: date, last: date) -> pl.DataFrame:
    """Per local day of one account: the day's views/likes/comments/shares (growth of its posts)
    and its followers (end of day), gained and lost."""
    days = pl.DataFrame({"date": pl.date_range(first - timedelta(days=1), last, eager=True)})
    ends = days.with_columns(
        day_end=(pl.col("date").cast(pl.Datetime("us")) + pl.duration(days=1))
        .dt.replace_time_zone(LOCAL_TZ)
        .dt.convert_time_zone("UTC")
    )
    posts = posts_of(world, platform, account_id)
    grid = observe(posts.join(ends, how="cross"), pl.col("day_end")).with_columns(
        published=pl.col("published_at") < pl.col("day_end")
    )
    metrics = ["views", "likes", "comments", "shares"]
    cumulative = (
        grid.group_by("date")
        .agg([(pl.col(m) * pl.col("published")).sum().alias(m) for m in metrics])
        .sort("date")
        .collect()
    )
    cumulative = days.join(cumulative, on="date", how="left").fill_null(0)
    daily = cumulative.with_columns([pl.col(m).diff().clip(lower_bound=0).alias(m) for m in metrics]).slice(1)
    follow = world.followers.filter((pl.col("platform") == platform) & (pl.col("account_id") == account_id))
    return daily.join(follow.select("date", "followers", "gained", "lost"), on="date", how="left")
