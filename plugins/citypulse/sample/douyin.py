"""Douyin exports: creator-centre works list and account overview (xlsx), MediaCrawler search crawls.

Traps reproduced (export-formats.md §1): 作品名称 = title + space + body (newline, #话题 tags); no
post id; rates as 0-1 decimals, in one account's files as ``16.42%`` strings; ``-`` for 封面点击率 of
图文 posts; every cell a text cell; MediaCrawler's literal ``"None"``, seconds ``create_time`` beside
milliseconds ``last_modify_ts``, ``utf-8-sig`` CSV (older user_id shape) and JSONL (newer
creator_hash shape); search results in rank order, one block per source_keyword. Bad rows: one
negative 点赞量 and one post published after the export time. The single bad file of the whole
sample is a truncated re-download of a works export (``douyin/*/data(1).xlsx``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from citypulse.sample.common import accounts, daily_metrics, posts_of, primary_accounts, snapshot
from citypulse.sample.files import write_account_manifest, write_bytes, write_csv, write_manifest, write_xlsx
from citypulse.sample.formatting import fraction, local, percent, text
from citypulse.sample.randomness import stream
from citypulse.sample.sink import Sink
from citypulse.sample.world import World, history_posts, observe
from citypulse.settings import LOCAL_TZ

WORKS_COLUMNS = [
    "作品名称",
    "发布时间",
    "体裁",
    "审核状态",
    "播放量",
    "完播率",
    "5s完播率",
    "封面点击率",
    "2s跳出率",
    "平均播放时长",
    "点赞量",
    "分享量",
    "评论量",
    "收藏量",
    "主页访问量",
    "粉丝增量",
]
OVERVIEW_COLUMNS = [
    "日期",
    "播放量",
    "主页访问量",
    "作品点赞",
    "作品评论",
    "作品分享",
    "新增粉丝",
    "取关粉丝",
    "净增粉丝",
    "总粉丝量",
]
WINDOW = timedelta(days=21)
XLSX_ROW_CAP = 100_000  # xlsx is slow to write and the creator centre caps its own exports


def _caption(posts: pl.DataFrame | pl.LazyFrame) -> pl.Expr:
    return pl.concat_str("title", pl.lit(" "), "body", pl.lit("\n#"), "topic1", pl.lit(" #"), "topic2")


def _works_frame(observed: pl.DataFrame, as_percent: bool, minute_precision: bool) -> pl.DataFrame:
    rate = percent if as_percent else fraction
    completion = (
        pl.when(pl.col("is_image")).then(0.13 + pl.col("like_rate") * 2).otherwise(0.02 + pl.col("like_rate"))
    )
    return observed.select(
        _caption(observed).alias("作品名称"),
        local("published_at", "%Y-%m-%d %H:%M" if minute_precision else "%Y-%m-%d %H:%M:%S").alias(
            "发布时间"
        ),
        pl.when(pl.col("is_image"))
        .then(pl.lit("图文"))
        .when(pl.col("duration_s") < 60)
        .then(pl.lit("1min以内视频"))
        .when(pl.col("duration_s") < 180)
        .then(pl.lit("1-3min视频"))
        .otherwise(pl.lit("3min以上视频"))
        .alias("体裁"),
        pl.lit("公开").alias("审核状态"),
        text("views").alias("播放量"),
        rate(completion).alias("完播率"),
        rate((completion * 3.5).clip(upper_bound=0.95)).alias("5s完播率"),
        pl.when(pl.col("is_image"))
        .then(pl.lit("-"))
        .otherwise(rate(0.01 + pl.col("share_rate") * 4))
        .alias("封面点击率"),
        rate(0.25 + pl.col("save_rate") * 8).alias("2s跳出率"),
        pl.when(pl.col("is_image"))
        .then(pl.lit("0.0"))
        .otherwise((pl.col("duration_s") * completion * 3).round(1).cast(pl.String))
        .alias("平均播放时长"),
        text("likes").alias("点赞量"),
        text("shares").alias("分享量"),
        text("comments").alias("评论量"),
        text("saves").alias("收藏量"),
        text((pl.col("views") * 0.004).floor().cast(pl.Int64)).alias("主页访问量"),
        text((pl.col("views") * 0.0008).floor().cast(pl.Int64)).alias("粉丝增量"),
    )


def write_creator_works(world: World, sink: Sink, rows: int | None) -> None:
    officials = accounts(world, "douyin", "official")
    primary = primary_accounts(officials)
    cal = world.calendar
    for n, acc in enumerate(officials):
        posts = posts_of(world, "douyin", acc["account_id"])
        # the city's main account exports weekly; the others once a month (on the 7th)
        times = cal.all_exports if acc["account_id"] in primary else cal.monthly_exports
        for at in times:
            since = _month_start_before(at) if at in cal.monthly_exports else at - WINDOW
            observed = snapshot(posts, at, since)
            frame = _works_frame(observed, as_percent=n == 1, minute_precision=n == 2)
            if n == 0 and at == cal.monthly_exports[0]:
                frame = _with_bad_rows(world, posts, frame, at)
            folder = sink.folder("douyin", acc["account_id"], at)
            path = folder / f"data_{acc['account_id']}_{at:%Y%m%d}.xlsx"
            sink.record(path, "douyin_creator_works", write_xlsx(path, frame))
            write_account_manifest(folder, acc, at, LOCAL_TZ)
            if n == 0 and at == cal.all_exports[1]:
                broken = folder / "data(1).xlsx"  # an interrupted browser download of the same export
                write_bytes(broken, path.read_bytes()[: path.stat().st_size * 3 // 5])
                sink.record(broken, "bad_file", 0)
                sink.record_bad(broken)
    _write_archive(world, sink, officials[0], rows)


def _month_start_before(at: datetime) -> datetime:
    first = at.replace(day=1, hour=0, minute=0)
    return (first - timedelta(days=1)).replace(day=1)


def _with_bad_rows(world: World, posts: pl.DataFrame, frame: pl.DataFrame, at: datetime) -> pl.DataFrame:
    """One negative like count and one post that was published after the export time."""
    frame = frame.with_columns(
        点赞量=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("-3")).otherwise(pl.col("点赞量"))
    )
    later = posts.filter(pl.col("published_at") > pl.lit(at).cast(pl.Datetime("us", "UTC"))).head(1)
    if later.height:
        future = observe(later, later["published_at"][0] + timedelta(days=1)).collect()
        frame = pl.concat([_works_frame(future, False, False), frame])
    return frame


def _write_archive(world: World, sink: Sink, acc: dict[str, str], rows: int | None) -> None:
    """A full-history export of the first official account: ``--rows`` scales it (xlsx capped)."""
    at = world.calendar.last_export
    period = posts_of(world, "douyin", acc["account_id"])
    target = min(rows, XLSX_ROW_CAP) if rows else period.height
    extra = max(target - period.height, 0)
    posts = (
        pl.concat([period, history_posts(world, "douyin", acc["account_id"], extra)], how="diagonal_relaxed")
        if extra
        else period
    )
    observed = snapshot(posts, at).head(target)
    frame = _works_frame(observed, as_percent=False, minute_precision=False)
    folder = sink.folder("douyin", f"{acc['account_id']}_archive", at)
    path = folder / f"data_{acc['account_id']}_all.xlsx"
    sink.record(path, "douyin_creator_works", write_xlsx(path, frame))
    write_account_manifest(folder, acc, at, LOCAL_TZ)


def write_account_overview(world: World, sink: Sink) -> None:
    """账号总览 daily export (近30日) on the 7th of each month, for every official account."""
    for acc in accounts(world, "douyin", "official"):
        for at in world.calendar.monthly_exports:
            last = at.date() - timedelta(days=1)
            daily = daily_metrics(world, "douyin", acc["account_id"], last - timedelta(days=29), last)
            frame = daily.select(
                pl.col("date").dt.strftime("%Y-%m-%d").alias("日期"),
                text("views").alias("播放量"),
                text((pl.col("views") * 0.004).floor().cast(pl.Int64)).alias("主页访问量"),
                text("likes").alias("作品点赞"),
                text("comments").alias("作品评论"),
                text("shares").alias("作品分享"),
                text("gained").alias("新增粉丝"),
                text("lost").alias("取关粉丝"),
                text(pl.col("gained") - pl.col("lost")).alias("净增粉丝"),
                text("followers").alias("总粉丝量"),
            )
            folder = sink.folder("douyin", f"{acc['account_id']}_overview", at)
            path = folder / f"daily_{acc['account_id']}_{at:%Y%m%d}.xlsx"
            sink.record(path, "douyin_account_overview", write_xlsx(path, frame))
            write_account_manifest(folder, acc, at, LOCAL_TZ)


# --- MediaCrawler keyword search ----------------------------------------------------------------

OLD_CONTENT_KEYS = [
    "aweme_id",
    "aweme_type",
    "title",
    "desc",
    "create_time",
    "user_id",
    "sec_uid",
    "short_user_id",
    "user_unique_id",
    "user_signature",
    "nickname",
    "avatar",
    "liked_count",
    "collected_count",
    "comment_count",
    "share_count",
    "ip_location",
    "last_modify_ts",
    "aweme_url",
    "cover_url",
    "video_download_url",
    "music_download_url",
    "note_download_url",
    "source_keyword",
]
NEW_CONTENT_KEYS = [
    "aweme_id",
    "aweme_type",
    "title",
    "desc",
    "create_time",
    "creator_hash",
    "nickname",
    "liked_count",
    "collected_count",
    "comment_count",
    "share_count",
    "last_modify_ts",
    "aweme_url",
    "cover_url",
    "video_download_url",
    "music_download_url",
    "note_download_url",
    "source_keyword",
]
TOP_N = 20
PROVINCE = {
    "500111": "重庆",
    "370300": "山东",
    "410300": "河南",
    "610100": "陕西",
    "510100": "四川",
    "210200": "辽宁",
    "513300": "四川",
}


def crawl_times(world: World) -> list[datetime]:
    """Search crawls run twice a month (the weekly slots falling on days 8-14 and 22-28)."""
    first = world.calendar.period_start + timedelta(days=20)  # enough posts exist to fill a page
    return [
        t
        for t in world.calendar.weekly_exports
        if (8 <= t.day <= 14 or 22 <= t.day <= 28) and t.date() >= first
    ]


def search_results(
    world: World,
    platform: str,
    keywords: pl.DataFrame,
    at: datetime,
    seed_name: str,
    registered_only: bool | None = None,
) -> pl.DataFrame:
    """Top-N search results per keyword at ``at``: the city's posts of the last 60 days ranked by
    popularity with noise, official accounts boosted by a per-city amount (so official share varies).
    Rows come out in result order, keyword blocks in keyword order."""
    rng = stream(world.seed, f"{seed_name}/{at:%Y%m%d}")
    candidates = world.posts.filter(pl.col("platform") == platform)
    if registered_only is not None:
        candidates = candidates.filter(pl.col("registered") == registered_only)
    observed = snapshot(candidates, at, at - timedelta(days=60))
    pairs = keywords.with_row_index("kw_order").join(observed, on="city_code", how="inner")
    boost = pl.col("city_code").replace_strict(
        {
            c: float(b)
            for c, b in zip(
                world.registry.city_codes, np.linspace(2.5, -0.5, len(world.registry.city_codes)), strict=True
            )
        },
        default=0.0,
    )
    noise = pl.Series("noise", rng.gumbel(0, 1.0, pairs.height))
    return (
        pairs.with_columns(noise)
        .with_columns(
            score=(pl.col("views") + 1).log() * 0.6
            + pl.col("noise")
            + pl.when(pl.col("account_type") == "official").then(boost).otherwise(0.0)
        )
        .with_columns(result_rank=pl.col("score").rank("ordinal", descending=True).over("kw_order"))
        .filter(pl.col("result_rank") <= TOP_N)
        .sort("kw_order", "result_rank")
    )


def _search_keywords(world: World, picks: list[int]) -> pl.DataFrame:
    zh = world.registry.city_keywords.filter(~pl.col("is_latin"))
    numbered = zh.with_columns(k=pl.int_range(pl.len()).over("city_code"))
    return numbered.filter(pl.col("k").is_in(picks)).sort("city_code", "k").select("city_code", "keyword")


def _sec_uid(col: str) -> pl.Expr:
    return pl.concat_str(
        pl.lit("MS4wLjABAAAA"),
        pl.col(col).hash(7).cast(pl.String).str.slice(0, 12),
        pl.col(col).str.reverse(),
    )


def write_mediacrawler_search(world: World, sink: Sink) -> None:
    keywords = _search_keywords(world, [0, 1])
    for at in crawl_times(world):
        res = search_results(world, "douyin", keywords, at, "douyin-search")
        none = pl.col("u_tpl") % 11 == 0
        frame = res.select(
            pl.col("post_id").alias("aweme_id"),
            pl.when(pl.col("is_image")).then(pl.lit("68")).otherwise(pl.lit("0")).alias("aweme_type"),
            _caption(res).alias("title"),
            _caption(res).alias("desc"),
            text(pl.col("published_at").dt.epoch("s")).alias("create_time"),
            pl.col("account_id").alias("user_id"),
            _sec_uid("account_id").alias("sec_uid"),
            pl.lit("None").alias("short_user_id"),
            pl.lit("None").alias("user_unique_id"),
            pl.when(pl.col("account_type") == "official")
            .then(pl.concat_str("account_name", pl.lit("官方账号")))
            .otherwise(pl.lit("None"))
            .alias("user_signature"),
            pl.col("account_name").alias("nickname"),
            pl.concat_str(
                pl.lit("https://p3-pc.douyinpic.com/aweme/100x100/"), "account_id", pl.lit(".jpeg")
            ).alias("avatar"),
            text("likes").alias("liked_count"),
            pl.when(none).then(pl.lit("None")).otherwise(text("saves")).alias("collected_count"),
            text("comments").alias("comment_count"),
            text("shares").alias("share_count"),
            pl.col("city_code").replace_strict(PROVINCE, default="未知").alias("ip_location"),
            text(
                pl.lit(int(at.timestamp() * 1000)) + pl.col("result_rank") * 137 + pl.col("kw_order") * 3001
            ).alias("last_modify_ts"),
            pl.concat_str(pl.lit("https://www.douyin.com/video/"), "post_id").alias("aweme_url"),
            pl.concat_str(pl.lit("https://p3-pc-sign.douyinpic.com/obj/cover/"), "post_id").alias(
                "cover_url"
            ),
            pl.when(pl.col("is_image"))
            .then(pl.lit(""))
            .otherwise(pl.concat_str(pl.lit("https://www.douyin.com/aweme/v1/play/?video_id="), "post_id"))
            .alias("video_download_url"),
            pl.lit("").alias("music_download_url"),
            pl.when(pl.col("is_image"))
            .then(
                pl.concat_str(
                    pl.lit("https://p3-pc-sign.douyinpic.com/img/"),
                    "post_id",
                    pl.lit("_1.webp,https://p3-pc-sign.douyinpic.com/img/"),
                    "post_id",
                    pl.lit("_2.webp"),
                )
            )
            .otherwise(pl.lit(""))
            .alias("note_download_url"),
            pl.col("keyword").alias("source_keyword"),
        )
        folder = sink.folder("douyin", "mediacrawler_search", at)
        path = folder / f"search_contents_{at:%Y-%m-%d}.csv"
        sink.record(path, "douyin_mediacrawler_search_csv", write_csv(path, frame, bom=True))
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)


def write_mediacrawler_search_jsonl(world: World, sink: Sink) -> None:
    """The anonymised MediaCrawler (after 2026-07): creator_hash and a masked nickname.

    Only unregistered creators' posts appear here, so a post never carries two different account
    ids (uid in the older shape, hash in this one) across the sample.
    """
    keywords = _search_keywords(world, [1, 2])
    for at in world.calendar.monthly_exports:
        res = search_results(world, "douyin", keywords, at, "douyin-search-jsonl", registered_only=False)
        frame = res.select(
            pl.col("post_id").alias("aweme_id"),
            pl.when(pl.col("is_image")).then(pl.lit("68")).otherwise(pl.lit("0")).alias("aweme_type"),
            _caption(res).alias("title"),
            _caption(res).alias("desc"),
            pl.col("published_at").dt.epoch("s").alias("create_time"),
            pl.col("account_id").replace_strict(_creator_hashes(res["account_id"])).alias("creator_hash"),
            pl.concat_str(
                pl.col("account_name").str.slice(0, 1), pl.lit("***"), pl.col("account_name").str.slice(-1, 1)
            ).alias("nickname"),
            text("likes").alias("liked_count"),
            pl.when(pl.col("u_tpl") % 9 == 0)
            .then(pl.lit("None"))
            .otherwise(text("saves"))
            .alias("collected_count"),
            text("comments").alias("comment_count"),
            text("shares").alias("share_count"),
            (pl.lit(int(at.timestamp() * 1000)) + pl.col("result_rank") * 211).alias("last_modify_ts"),
            pl.concat_str(pl.lit("https://www.douyin.com/video/"), "post_id").alias("aweme_url"),
            pl.concat_str(pl.lit("https://p3-pc-sign.douyinpic.com/obj/cover/"), "post_id").alias(
                "cover_url"
            ),
            pl.concat_str(pl.lit("https://www.douyin.com/aweme/v1/play/?video_id="), "post_id").alias(
                "video_download_url"
            ),
            pl.lit("").alias("music_download_url"),
            pl.lit("").alias("note_download_url"),
            pl.col("keyword").alias("source_keyword"),
        )
        folder = sink.folder("douyin", "mediacrawler_search_v2", at)
        path = folder / f"search_contents_{at:%Y-%m-%d}.jsonl"
        write_bytes(path, frame.write_ndjson(None).encode("utf-8"))
        sink.record(path, "douyin_mediacrawler_search_jsonl", frame.height)
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)


def _creator_hashes(uids: pl.Series) -> dict[str, str]:
    """MediaCrawler's anonymised creator key: one hash per distinct creator (not per row)."""
    return {uid: hashlib.sha256(f"douyin:{uid}".encode()).hexdigest()[:16] for uid in uids.unique().sort()}
