"""Weibo exports: weibo-crawler posts and users, weiboSpider, MediaCrawler notes, topic pages, hot search.

Traps reproduced (export-formats.md §2): ids written as ``id + "\\t"``; counts as ``1.5万+`` /
``100万+``; ``日期`` ``%Y-%m-%dT%H:%M:%S`` naive local time; ``#话题#`` inline in 正文 and listed in
话题; ragged retweet rows (the 源微博 block has no header); weiboSpider's header re-appended, BOM
and all, on every run (order 转发数 before 评论数); MediaCrawler's ``create_time`` 8 h later than
``create_date_time``; topic values ``12.3亿`` / ``4567万`` and one topic file re-saved by Excel as
GBK; hot-search JSON with 0-based ``rank``, display ``realpos`` and one ad. Bad rows: one
``12,3万`` like count and one row without an id.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import polars as pl

from citypulse.sample.common import accounts, posts_of, primary_accounts, snapshot
from citypulse.sample.douyin import PROVINCE, crawl_times, search_results
from citypulse.sample.files import csv_text, write_account_manifest, write_bytes, write_csv, write_manifest
from citypulse.sample.formatting import local, text, wan, yi_wan
from citypulse.sample.randomness import stream
from citypulse.sample.sink import Sink
from citypulse.sample.world import World, history_posts
from citypulse.settings import LOCAL_TZ

CRAWLER_COLUMNS = [
    "id",
    "bid",
    "正文",
    "头条文章url",
    "原始图片url",
    "视频url",
    "Live Photo视频url",
    "位置",
    "日期",
    "工具",
    "点赞数",
    "评论数",
    "转发数",
    "话题",
    "@用户",
    "完整日期",
    "是否编辑过",
    "编辑次数",
    "是否原创",
]
USERS_COLUMNS = [
    "用户id",
    "昵称",
    "性别",
    "生日",
    "所在地",
    "IP属地",
    "学习经历",
    "公司",
    "注册时间",
    "阳光信用",
    "微博数",
    "粉丝数",
    "关注数",
    "简介",
    "主页",
    "头像",
    "高清头像",
    "微博等级",
    "会员等级",
    "是否认证",
    "认证类型",
    "认证信息",
    "上次记录微博信息",
]
SPIDER_COLUMNS = [
    "微博id",
    "微博正文",
    "头条文章url",
    "原始图片url",
    "微博视频url",
    "发布位置",
    "发布时间",
    "发布工具",
    "点赞数",
    "转发数",
    "评论数",
]
NOTE_COLUMNS = [
    "note_id",
    "content",
    "create_time",
    "create_date_time",
    "liked_count",
    "comments_count",
    "shared_count",
    "last_modify_ts",
    "note_url",
    "ip_location",
    "user_id",
    "nickname",
    "gender",
    "profile_url",
    "avatar",
    "source_keyword",
]
WINDOW = timedelta(days=28)
TOOLS = ["iPhone客户端", "微博视频号", "专业版微博", "HUAWEI Mate 60 Pro", "微博网页版"]


def _weibo_text(frame: pl.DataFrame | pl.LazyFrame) -> pl.Expr:
    return pl.concat_str(
        pl.lit("【"),
        "title",
        pl.lit("】#"),
        "topic1",
        pl.lit("#"),
        "body",
        pl.lit(" #"),
        "topic2",
        pl.lit("#"),
    )


def _crawler_frame(observed: pl.DataFrame) -> pl.DataFrame:
    big = pl.col("u_tpl") % 2 == 0  # half of the large counts carry weibo's "+" (a lower bound)
    return observed.select(
        pl.concat_str("post_id", pl.lit("\t")).alias("id"),
        pl.col("weibo_bid").alias("bid"),
        _weibo_text(observed).alias("正文"),
        pl.lit("").alias("头条文章url"),
        pl.when(pl.col("is_image"))
        .then(pl.concat_str(pl.lit("https://wx1.sinaimg.cn/large/"), "weibo_bid", pl.lit(".jpg")))
        .otherwise(pl.lit(""))
        .alias("原始图片url"),
        pl.when(~pl.col("is_image") & (pl.col("u_tpl") % 3 == 0))
        .then(pl.concat_str(pl.lit("https://f.video.weibocdn.com/o0/"), "weibo_bid", pl.lit(".mp4")))
        .otherwise(pl.lit(""))
        .alias("视频url"),
        pl.lit("").alias("Live Photo视频url"),
        pl.when(pl.col("u_tpl") % 4 == 0).then(pl.col("city_keyword")).otherwise(pl.lit("")).alias("位置"),
        local("published_at", "%Y-%m-%dT%H:%M:%S").alias("日期"),
        pl.lit(pl.Series(TOOLS)).get((pl.col("u_tpl") % len(TOOLS)).cast(pl.Int64)).alias("工具"),
        wan("likes", big).alias("点赞数"),
        wan("comments", big).alias("评论数"),
        wan("shares", big).alias("转发数"),
        pl.concat_str("topic1", pl.lit(","), "topic2").alias("话题"),
        pl.lit("").alias("@用户"),
        local("published_at", "%Y-%m-%d %H:%M:%S").alias("完整日期"),
        pl.when(pl.col("u_tpl") % 13 == 0)
        .then(pl.lit("True"))
        .otherwise(pl.lit("False"))
        .alias("是否编辑过"),
        pl.when(pl.col("u_tpl") % 13 == 0).then(pl.lit("1")).otherwise(pl.lit("0")).alias("编辑次数"),
        pl.lit("True").alias("是否原创"),
    )


def _ragged_csv(frame: pl.DataFrame, retweet: pl.Series) -> str:
    """weibo-crawler text where retweet rows carry the unheaded 源微博 block (ragged rows)."""
    lines = csv_text(frame).splitlines(keepends=True)
    tail = ",False,1920378456,重庆日报,4998877665544332,Qx7aB3cDe,【转发】重庆日报的原微博,,,,,,2026-08-20T09:00:00\n"
    idx = np.flatnonzero(retweet.to_numpy()) + 1  # +1: header line
    for i in idx:  # only the handful of retweet rows are touched, never the whole file
        lines[i] = lines[i].rstrip("\n")[: -len(",True")] + tail
    return "".join(lines)


def write_crawler_posts(world: World, sink: Sink, rows: int | None) -> None:
    officials = accounts(world, "weibo", "official")
    primary = primary_accounts(officials)
    cal = world.calendar
    for n, acc in enumerate(officials):
        uid = acc["account_id"]
        posts = posts_of(world, "weibo", uid)
        times = cal.all_exports if uid in primary else cal.monthly_exports
        for k, at in enumerate(times):
            observed = snapshot(posts, at, at - WINDOW)
            frame = _crawler_frame(observed)
            if n == 0 and k == 2:  # bad rows: an unparseable count and a missing id
                row = pl.int_range(pl.len())
                frame = frame.with_columns(
                    点赞数=pl.when(row == 0).then(pl.lit("12,3万")).otherwise(pl.col("点赞数")),
                    id=pl.when(row == 1).then(pl.lit("")).otherwise(pl.col("id")),
                )
            folder = sink.folder("weibo", uid, at)
            path = folder / f"{uid}.csv"
            if n == 0:
                retweet = pl.Series(range(frame.height)) % 7 == 2  # a few retweets per file
                write_bytes(path, b"\xef\xbb\xbf" + _ragged_csv(frame, retweet).encode("utf-8"))
            else:
                write_csv(path, frame, bom=True)
            sink.record(path, "weibo_crawler_posts", frame.height)
            write_manifest(
                folder,
                observed_at=at,
                timezone=LOCAL_TZ,
                account_id=uid,
                account_name=acc["account_name"],
                city_code=acc["city_code"],
            )
    _write_archive(world, sink, officials[0], rows)


def _write_archive(world: World, sink: Sink, acc: dict[str, str], rows: int | None) -> None:
    """A full-history crawl of the first official account; ``--rows`` sets its size exactly."""
    at = world.calendar.last_export
    period = posts_of(world, "weibo", acc["account_id"])
    target = rows or period.height
    extra = max(target - period.height, 0)
    posts = (
        pl.concat([period, history_posts(world, "weibo", acc["account_id"], extra)], how="diagonal_relaxed")
        if extra
        else period
    )
    frame = _crawler_frame(snapshot(posts, at).head(target))
    folder = sink.folder("weibo", f"{acc['account_id']}_archive", at)
    path = folder / f"{acc['account_id']}.csv"
    sink.record(path, "weibo_crawler_posts", write_csv(path, frame, bom=True))
    write_account_manifest(folder, acc, at, LOCAL_TZ)


def write_crawler_users(world: World, sink: Sink) -> None:
    """users.csv of every weekly crawl: all registered Weibo accounts, followers as of that day."""
    registered = world.registry.accounts.filter(pl.col("platform") == "weibo").sort("account_id")
    cities = world.registry.cities.select("city_code", "city_name_zh", "province_zh")
    for at in world.calendar.weekly_exports:
        day = at.date() - timedelta(days=1)
        follow = world.followers.filter((pl.col("platform") == "weibo") & (pl.col("date") == day))
        counts = world.posts.filter(
            (pl.col("platform") == "weibo")
            & (pl.col("published_at") < pl.lit(at).cast(pl.Datetime("us", "UTC")))
        )
        counts = counts.group_by("account_id").agg(posts=pl.len())
        frame = (
            registered.join(follow.select("account_id", "followers"), on="account_id", how="left")
            .join(counts, on="account_id", how="left")
            .join(cities, on="city_code", how="left")
            .select(
                pl.col("account_id").alias("用户id"),
                pl.col("account_name").alias("昵称"),
                pl.lit("m").alias("性别"),
                pl.lit("").alias("生日"),
                pl.concat_str("province_zh", pl.lit(" "), "city_name_zh").alias("所在地"),
                pl.col("province_zh").str.replace("(省|市)$", "").alias("IP属地"),
                pl.lit("").alias("学习经历"),
                pl.lit("").alias("公司"),
                pl.lit("2012-03-15").alias("注册时间"),
                pl.lit("信用极好").alias("阳光信用"),
                text(pl.col("posts").fill_null(0) + 8000).alias("微博数"),
                text("followers").alias("粉丝数"),
                pl.lit("312").alias("关注数"),
                pl.concat_str("city_name_zh", pl.lit("官方微博")).alias("简介"),
                pl.concat_str(pl.lit("https://m.weibo.cn/u/"), "account_id").alias("主页"),
                pl.concat_str(
                    pl.lit("https://tvax1.sinaimg.cn/crop.0.0.180.180.180/"), "account_id", pl.lit(".jpg")
                ).alias("头像"),
                pl.concat_str(pl.lit("https://wx1.sinaimg.cn/orj480/"), "account_id", pl.lit(".jpg")).alias(
                    "高清头像"
                ),
                pl.lit("36").alias("微博等级"),
                pl.lit("0").alias("会员等级"),
                pl.lit("True").alias("是否认证"),
                pl.when(pl.col("account_type") == "media")
                .then(pl.lit("3"))
                .otherwise(pl.lit("1"))
                .alias("认证类型"),
                pl.concat_str("account_name", pl.lit("官方微博")).alias("认证信息"),
                pl.lit("").alias("上次记录微博信息"),
            )
        )
        folder = sink.folder("weibo", "users", at)
        path = folder / "users.csv"
        sink.record(path, "weibo_crawler_users", write_csv(path, frame, bom=True))
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)


def write_spider(world: World, sink: Sink) -> None:
    """weiboSpider output of one account, appended to by one run per month: the header (with its
    BOM) comes back at every run, and posts still in the crawl window appear once per run."""
    acc = accounts(world, "weibo", "official")[1]
    posts = posts_of(world, "weibo", acc["account_id"])
    chunks = []
    for at in world.calendar.monthly_exports:
        observed = snapshot(posts, at, at - timedelta(days=40))
        frame = observed.select(
            pl.col("post_id").alias("微博id"),
            _weibo_text(observed).alias("微博正文"),
            pl.lit("").alias("头条文章url"),
            pl.lit("无").alias("原始图片url"),
            pl.lit("无").alias("微博视频url"),
            pl.lit("无").alias("发布位置"),
            local("published_at", "%Y-%m-%d %H:%M").alias("发布时间"),
            pl.lit("无").alias("发布工具"),
            text("likes").alias("点赞数"),
            text("shares").alias("转发数"),
            text("comments").alias("评论数"),
        )
        chunks.append("\ufeff" + csv_text(frame))
    at = world.calendar.monthly_exports[-1]
    folder = sink.folder("weibo", f"{acc['account_id']}_weibospider", at)
    path = folder / f"{acc['account_id']}.csv"
    write_bytes(path, "".join(chunks).encode("utf-8"))
    sink.record(path, "weibo_spider_posts", sum(c.count("\n") - 1 for c in chunks))
    write_account_manifest(folder, acc, at, LOCAL_TZ)


def write_mediacrawler_notes(world: World, sink: Sink) -> None:
    keywords = (
        world.registry.city_keywords.filter(~pl.col("is_latin"))
        .group_by("city_code", maintain_order=True)
        .agg(pl.col("keyword").get(1, null_on_oob=True).fill_null(pl.col("keyword").first()))
        .sort("city_code")
    )
    for at in crawl_times(world):
        res = search_results(world, "weibo", keywords, at, "weibo-search")
        created = pl.col("published_at").dt.convert_time_zone(LOCAL_TZ)
        frame = res.select(
            pl.col("post_id").alias("note_id"),
            _weibo_text(res).alias("content"),
            # MediaCrawler's bug: the +08:00 wall clock re-labelled as UTC, i.e. 8 hours late
            text(pl.col("published_at").dt.epoch("s") + 8 * 3600).alias("create_time"),
            pl.concat_str(created.dt.strftime("%Y-%m-%d %H:%M:%S"), pl.lit("+08:00")).alias(
                "create_date_time"
            ),
            text("likes").alias("liked_count"),
            text("comments").alias("comments_count"),
            text("shares").alias("shared_count"),
            text(
                pl.lit(int(at.timestamp() * 1000)) + pl.col("result_rank") * 173 + pl.col("kw_order") * 4001
            ).alias("last_modify_ts"),
            pl.concat_str(pl.lit("https://m.weibo.cn/detail/"), "post_id").alias("note_url"),
            pl.col("city_code").replace_strict(PROVINCE, default="海外").alias("ip_location"),
            pl.col("account_id").alias("user_id"),
            pl.col("account_name").alias("nickname"),
            pl.when(pl.col("u_tpl") % 2 == 0)
            .then(pl.lit("Male"))
            .otherwise(pl.lit("Female"))
            .alias("gender"),
            pl.concat_str(pl.lit("https://m.weibo.cn/u/"), "account_id").alias("profile_url"),
            pl.concat_str(pl.lit("https://tvax1.sinaimg.cn/crop.0.0.180.180.180/"), "account_id").alias(
                "avatar"
            ),
            pl.col("keyword").alias("source_keyword"),
        )
        folder = sink.folder("weibo", "mediacrawler_search", at)
        path = folder / f"search_contents_{at:%Y-%m-%d}.csv"
        sink.record(path, "weibo_mediacrawler_notes", write_csv(path, frame, bom=True))
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)


def write_topics(world: World, sink: Sink) -> None:
    """话题 page numbers copied by an analyst twice a month; the first file re-saved by Excel as GBK."""
    rng = stream(world.seed, "weibo-topics")
    kw = world.registry.city_keywords.filter(~pl.col("is_latin")).sort("city_code", "keyword")
    base = kw.with_columns(
        reads0=pl.Series(rng.lognormal(np.log(3e7), 1.6, kw.height)),
        growth=pl.Series(rng.uniform(0.002, 0.02, kw.height)),
    )
    for k, at in enumerate(crawl_times(world)):
        days = (at.date() - world.calendar.period_start).days
        frame = base.with_columns(reads=(pl.col("reads0") * (1 + pl.col("growth") * days)).floor()).select(
            pl.concat_str(pl.lit("#"), "keyword", pl.lit("#")).alias("话题"),
            yi_wan("reads").alias("阅读量"),
            yi_wan((pl.col("reads") * 0.0011).floor()).alias("讨论量"),
            yi_wan((pl.col("reads") * 0.0042).floor()).alias("互动量"),
            yi_wan((pl.col("reads") * 0.00021).floor()).alias("原创量"),
        )
        folder = sink.folder("weibo", "topics", at)
        path = folder / f"话题数据_{at:%Y%m%d}.csv"
        if k == 0:
            write_csv(path, frame, encoding="gbk", newline="\r\n")
        else:
            write_csv(path, frame, bom=True)
        sink.record(path, "weibo_topic_detail", frame.height)
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)


_HOT_WORDS = [
    "国庆假期出游人次创新高",
    "秋分",
    "多地迎来降温",
    "高铁新线开通",
    "博物馆夜场预约火爆",
    "今年第18号台风",
    "中秋月饼新口味",
    "大学生返校季",
    "奶茶第二杯半价",
    "演唱会门票开抢",
    "手机新品发布会",
    "全运会开幕",
    "银杏叶黄了",
    "早餐吃什么",
    "新剧定档",
    "流感疫苗接种",
    "考研报名开始",
    "外卖骑手",
    "周末天气",
    "电影票房破十亿",
    "城市马拉松开跑",
    "网红景点排队",
    "双十一预售",
    "猫咪的迷惑行为",
    "地铁新线试运营",
    "熬夜的危害",
    "年轻人爱上逛公园",
    "露营装备",
    "秋天的第一杯奶茶",
    "航班调整",
    "退休金上调",
    "世界杯预选赛",
    "国产大飞机",
    "快递涨价",
    "萌宠日常",
    "高考改革",
    "明星同款",
    "春运抢票提醒",
    "非遗手艺人",
    "夜市烟火气",
    "新能源车降价",
    "动物园新来的熊猫",
    "教师节快乐",
    "健身打卡",
    "古镇旅游",
    "科技馆开放",
    "冷空气来袭",
    "年度热词",
]


def write_hot_search(world: World, sink: Sink) -> None:
    """One realtime hot-search capture per weekly slot: about 50 entries, sometimes a city entry, one ad."""
    rng = stream(world.seed, "weibo-hot")
    city_words = world.registry.city_keywords.filter(~pl.col("is_latin"))["keyword"].to_list()
    for at in world.calendar.weekly_exports:
        words = [str(w) for w in rng.permutation(_HOT_WORDS)]
        for j in range(int(rng.integers(0, 3))):  # 0-2 city-related entries at random positions
            words[int(rng.integers(0, 45))] = (
                f"{city_words[int(rng.integers(0, len(city_words)))]}{['火了', '夜游', '文旅局长出镜'][j]}"
            )
        nums = np.sort(rng.lognormal(np.log(300_000), 0.8, len(words)))[::-1].astype(int)
        ad_pos = int(rng.integers(2, 6))
        realtime = []
        for rank, (word, num) in enumerate(zip(words, nums, strict=True)):
            realtime.append(
                {
                    "word": word,
                    "num": int(num),
                    "rank": rank,
                    "realpos": rank + 1 + (rank >= ad_pos),
                    "label_name": ["爆", "热", "新", ""][rank % 4] if rank < 12 else "",
                    "is_ad": 0,
                    "note": word,
                    "word_scheme": f"#{word}#",
                }
            )
        realtime.insert(
            ad_pos,
            {
                "word": "秋季新品限时优惠",
                "num": 0,
                "rank": ad_pos,
                "realpos": ad_pos + 1,
                "label_name": "商",
                "is_ad": 1,
                "note": "秋季新品限时优惠",
                "word_scheme": "#秋季新品限时优惠#",
            },
        )
        doc = {"ok": 1, "data": {"realtime": realtime, "hotgov": {"word": "#国务院常务会议#", "is_gov": 1}}}
        folder = sink.folder("weibo", "hotsearch", at)
        path = folder / f"hot_search_{at:%Y%m%d_%H%M}.json"
        write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
        sink.record(path, "weibo_hot_search", len(realtime))
        write_manifest(folder, observed_at=at, timezone=LOCAL_TZ)
