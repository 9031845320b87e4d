"""The simulated world every export is written from.

One frame of posts (registered accounts plus unregistered creators found by keyword search) with
each post's lifetime potential and growth speed, and one frame of daily follower counts per
registered account. Writers never invent numbers of their own: they *observe* this world at their
export times (:func:`observe`), so the same post shows consistent, growing numbers in every file.

Model (chosen for realism, all vectorised with numpy/polars):
- posts per account ~ Poisson(rate per week x weeks), published 07:00-23:59 local time;
- lifetime views ~ log-normal (heavy tail) by platform, account type and city;
- cumulative views at age a days = V * (0.85 * (1 - exp(-a / tau)) + 0.15 * min(a / 90, 1)),
  so numbers grow quickly, then slowly, and never decrease;
- likes/comments/shares/saves = views x per-post rates (engagement is a fraction of views);
- followers: a daily walk (gains and losses); the last chosen city loses followers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from citypulse.sample.calendar import LOCAL_ZONE, SampleCalendar
from citypulse.sample.randomness import base62, scramble, stream, token
from citypulse.sample.registry import Registry

UTC_US = pl.Datetime("us", "UTC")

# posts per week by (platform, account_type); unregistered creators only exist on the domestic
# platforms, where keyword-search crawls find them.
POSTS_PER_WEEK = {
    "douyin": {"official": 2.0, "media": 3.0, "influencer": 1.0, "personal": 0.4},
    "weibo": {"official": 2.5, "media": 3.0, "influencer": 1.0, "personal": 0.4},
    "youtube": {"official": 0.8},
    "x": {"official": 2.5},
    "facebook": {"official": 2.0},
    "instagram": {"official": 1.5},
    "tiktok": {"official": 1.5},
}
# log-normal centre (median lifetime views) by platform and account type
MEDIAN_VIEWS = {
    "douyin": {"official": 15_000, "media": 60_000, "influencer": 120_000, "personal": 2_500},
    "weibo": {"official": 8_000, "media": 40_000, "influencer": 50_000, "personal": 1_200},
    "youtube": {"official": 900},
    "x": {"official": 1_800},
    "facebook": {"official": 1_500},
    "instagram": {"official": 1_100},
    "tiktok": {"official": 2_500},
}
SIGMA = 1.35
START_FOLLOWERS = {
    "douyin": 320_000,
    "weibo": 450_000,
    "youtube": 18_000,
    "x": 26_000,
    "facebook": 48_000,
    "instagram": 21_000,
    "tiktok": 15_000,
}
UNREGISTERED_PER_CITY = {
    "douyin": {"influencer": 3, "personal": 4},
    "weibo": {"influencer": 2, "personal": 3},
}
THEME_WEIGHTS = {"BGM": 0.18, "Eating": 0.27, "Scenery": 0.33, "Technology": 0.10}  # rest: no theme
CITY_THEME_BIAS = {
    "370300": "Eating",
    "510100": "Eating",
    "500111": "Scenery",
    "513300": "Scenery",
    "610100": "Technology",
    "410300": "Scenery",
    "210200": "BGM",
}
# how far a city's posts travel (Chengdu and Xi'an are national draws; Garze has 丁真)
CITY_REACH = {
    "500111": 0.8,
    "370300": 1.3,
    "410300": 1.0,
    "610100": 1.8,
    "510100": 2.2,
    "210200": 0.7,
    "513300": 1.5,
}
FOCUS_THEMES = ["自然人文", "美食", "文化", "活动", "设施"]


@dataclass(frozen=True)
class World:
    registry: Registry
    calendar: SampleCalendar
    seed: int
    posts: pl.DataFrame
    followers: pl.DataFrame  # platform, account_id, date (local day), followers, gained, lost
    creators: pl.DataFrame  # every account with posts: registered and unregistered


def build_world(registry: Registry, calendar: SampleCalendar, seed: int) -> World:
    creators = _creators(registry, seed)
    posts = _posts(creators, calendar, seed)
    posts = _with_text(posts, registry, seed)
    followers = _followers(registry, calendar, seed)
    return World(registry, calendar, seed, posts, followers, creators)


# --- accounts -----------------------------------------------------------------------------------

_INFLUENCER_NAMES = [
    "吃遍{c}的阿杰",
    "{c}小胖探店",
    "旅行的猫{c}站",
    "跟着小鹿游{c}",
    "{c}夜游指南",
    "摄影师老周在{c}",
    "背包客阿May",
    "{c}本地通",
]
_PERSONAL_NAMES = ["用户{n}", "快乐的小{n}", "momo{n}", "今天也要开心{n}", "风中的{n}号", "阿{n}同学"]


def _creators(registry: Registry, seed: int) -> pl.DataFrame:
    """Registered accounts plus a deterministic pool of unregistered creators per city."""
    rng = stream(seed, "creators")
    registered = registry.accounts.select(
        "platform", "account_id", "account_name", "city_code", "account_type", registered=pl.lit(True)
    )
    short = dict(
        zip(
            registry.cities["city_code"],
            registry.cities["city_name_zh"].str.replace(r"(市|区|藏族自治州)$", ""),
            strict=True,
        )
    )
    rows = []
    for platform, kinds in UNREGISTERED_PER_CITY.items():
        digits = 11 if platform == "douyin" else 10
        for city in registry.city_codes:
            for kind, count in kinds.items():
                names = _INFLUENCER_NAMES if kind == "influencer" else _PERSONAL_NAMES
                for i in range(count):
                    uid = str(int(rng.integers(10 ** (digits - 1), 10**digits)))
                    name = names[i % len(names)].format(c=short[city], n=int(rng.integers(100, 9999)))
                    rows.append((platform, uid, name, city, kind))
    unregistered = pl.DataFrame(
        rows, schema=["platform", "account_id", "account_name", "city_code", "account_type"], orient="row"
    ).with_columns(registered=pl.lit(False))
    return pl.concat([registered, unregistered]).with_row_index("creator_no")


# --- posts --------------------------------------------------------------------------------------


def _posts(creators: pl.DataFrame, calendar: SampleCalendar, seed: int) -> pl.DataFrame:
    rng = stream(seed, "posts")
    start = datetime.combine(calendar.period_start, datetime.min.time(), LOCAL_ZONE)
    span_days = (calendar.simulation_end - start).total_seconds() / 86400
    rate = np.array(
        [POSTS_PER_WEEK[p][t] for p, t in creators.select("platform", "account_type").iter_rows()]
    )
    counts = rng.poisson(rate * span_days / 7)
    counts = np.maximum(counts, np.where(creators["registered"].to_numpy(), 4, 1))  # every account posts
    return _with_ids(_draw(creators, counts, start, span_days, rng), seed, "ids")


def _draw(
    creators: pl.DataFrame, counts: np.ndarray, start: datetime, span_days: float, rng: np.random.Generator
) -> pl.DataFrame:
    """``counts[i]`` posts for creator i, published uniformly in [start, start + span_days)."""
    owner = np.repeat(np.arange(creators.height), counts)
    n = len(owner)
    # local publishing time: a uniform day, a waking-hours clock time
    day = rng.integers(0, max(int(span_days), 1), n)
    clock = rng.integers(7 * 3600, 24 * 3600, n)
    offset_s = day * 86400 + clock
    median = np.array(
        [MEDIAN_VIEWS[p][t] for p, t in creators.select("platform", "account_type").iter_rows()]
    )
    city_mult = np.array([CITY_REACH.get(c, 1.0) for c in creators["city_code"]])
    views_final = rng.lognormal(np.log(median * city_mult)[owner], SIGMA)
    published = pl.Series([start]).dt.convert_time_zone("UTC").cast(UTC_US)[0]
    frame = pl.DataFrame(
        {
            "creator_no": creators["creator_no"].gather(owner),
            "published_at": pl.Series(offset_s * 1_000_000).cast(pl.Duration("us")) + published,
            "views_final": views_final,
            "like_rate": rng.beta(2, 40, n),
            "comment_rate": rng.beta(1.2, 300, n),
            "share_rate": rng.beta(1.2, 200, n),
            "save_rate": rng.beta(1.5, 150, n),
            "tau_days": rng.gamma(2.0, 0.9, n) + 0.2,
            "is_image": rng.random(n) < 0.12,
            "duration_s": np.round(rng.lognormal(np.log(45), 0.6, n)),
            "u_kw": rng.random(n),
            "u_kw2": rng.random(n),
            "u_theme": rng.random(n),
            "u_tkw": rng.random(n),
            "u_focus": rng.random(n),
            "u_fkw": rng.random(n),
            "u_tpl": rng.integers(0, 1 << 30, n),
        }
    )
    return (
        frame.join(creators, on="creator_no", how="left")
        .sort("platform", "account_id", "published_at")
        .with_row_index("post_no")
    )


def history_posts(world: World, platform: str, account_id: str, n: int, years: int = 3) -> pl.DataFrame:
    """``n`` older posts of one account, published in the ``years`` before the period (archives)."""
    rng = stream(world.seed, f"history/{platform}/{account_id}")
    creator = world.creators.filter((pl.col("platform") == platform) & (pl.col("account_id") == account_id))
    end = datetime.combine(world.calendar.period_start, datetime.min.time(), LOCAL_ZONE)
    start = end - timedelta(days=365 * years)
    posts = _draw(creator, np.array([n]), start, 365 * years, rng)
    # keep ids disjoint from the period's posts
    posts = posts.with_columns(post_no=pl.col("post_no") + world.posts.height + 1)
    return _with_text(_with_ids(posts, world.seed, f"ids/history/{account_id}"), world.registry, world.seed)


def _with_ids(posts: pl.DataFrame, seed: int, name: str) -> pl.DataFrame:
    """Native-looking ids; time-based ones (aweme, Snowflake, Weibo mid) embed the publish time."""
    rng = stream(seed, name)
    n = posts.height
    idx = posts["post_no"].to_numpy().astype(np.uint64)
    unix_s = (posts["published_at"].dt.epoch("s")).to_numpy().astype(np.uint64)
    unix_ms = unix_s * np.uint64(1000) + rng.integers(0, 1000, n).astype(np.uint64)
    aweme = (unix_s << np.uint64(32)) | scramble(idx, 32)
    snowflake = ((unix_ms - np.uint64(1288834974657)) << np.uint64(22)) | scramble(idx, 22)
    mid = np.uint64(4_000_000_000_000_000) + (unix_s - np.uint64(1_600_000_000)) * np.uint64(10_000_000) + idx
    fb = (
        np.uint64(122_100_000_000_000_000)
        + idx * np.uint64(7919)
        + rng.integers(0, 7919, n).astype(np.uint64)
    )
    ig = (
        np.uint64(179_000_000_000_000_000)
        + idx * np.uint64(104_729)
        + rng.integers(0, 104_729, n).astype(np.uint64)
    )
    yt = token(rng, n, 11)
    platform = posts["platform"].to_numpy()
    yt_rows = np.flatnonzero(platform == "youtube")
    if len(yt_rows):  # Studio writes ids starting with '-' with a leading space: make one exist
        yt[yt_rows[0]] = "-" + yt[yt_rows[0]][1:]
    native = np.select(
        [
            platform == "douyin",
            platform == "tiktok",
            platform == "x",
            platform == "weibo",
            platform == "facebook",
            platform == "instagram",
        ],
        [
            aweme.astype(str),
            aweme.astype(str),
            snowflake.astype(str),
            mid.astype(str),
            fb.astype(str),
            ig.astype(str),
        ],
        default=yt,
    )
    return posts.with_columns(
        post_id=pl.Series(native, dtype=pl.String),
        weibo_bid=pl.Series(base62(mid, 9), dtype=pl.String),
        shortcode=pl.Series(token(rng, n, 11), dtype=pl.String),
    )


# --- text ---------------------------------------------------------------------------------------

_ZH_OPEN = ["", "周末打卡", "跟着镜头看", "本地人推荐：", "第一次来", "这个秋天的", "带爸妈逛"]
_ZH_JOIN = ["的", "·", "｜", "，"]
_ZH_CLOSE = ["太绝了", "一定要来一次", "原来这么美", "真的没让我失望", "打卡攻略来了", "值得专程去"]
_ZH_BODY_OPEN = ["这里的", "感受", "满满的", "不一样的", "沉浸式体验"]
_ZH_BODY_CLOSE = [
    "氛围感拉满。",
    "体验超出预期！",
    "一起来感受吧～",
    "欢迎大家来玩。",
    "评论区告诉我你的感受👇",
]
_EN_OPEN = ["Discover", "Exploring", "A day in", "Autumn in", "Why you should visit", "Hidden gems of"]
_EN_JOIN = [" — ", ": ", " | ", ", "]
_EN_CLOSE = [" you have to see", " like never before", " at its best", "", " ✨"]


def _pick(options: list[str], u: pl.Expr, salt: int) -> pl.Expr:
    """Choose one of ``options`` per row from an integer column, without a Python loop over rows."""
    return pl.lit(pl.Series(options)).get(((u // salt) % len(options)).cast(pl.Int64))


def _keyword_choice(posts: pl.DataFrame, keywords: pl.DataFrame, key: str, u: str, out: str) -> pl.DataFrame:
    """Join one keyword per post: rows of ``keywords`` grouped by ``key``, chosen by ``u`` in [0,1)."""
    numbered = keywords.with_columns(k=pl.int_range(pl.len()).over(key), n=pl.len().over(key))
    sizes = numbered.group_by(key).agg(pl.col("n").first())
    return (
        posts.join(sizes, on=key, how="left")
        .with_columns(k=(pl.col(u) * pl.col("n")).floor().cast(pl.UInt32))
        .join(numbered.select(key, "k", pl.col("keyword").alias(out)), on=[key, "k"], how="left")
        .drop("k", "n")
    )


def _with_text(posts: pl.DataFrame, registry: Registry, seed: int) -> pl.DataFrame:
    overseas = ~pl.col("platform").is_in(["douyin", "weibo"])
    posts = posts.with_columns(lang=pl.when(overseas).then(pl.lit("en")).otherwise(pl.lit("zh")))
    ck = registry.city_keywords.with_columns(
        lang=pl.when("is_latin").then(pl.lit("en")).otherwise(pl.lit("zh"))
    )
    ck = ck.with_columns(city_lang=pl.concat_str("city_code", "lang", separator="/"))
    posts = posts.with_columns(city_lang=pl.concat_str("city_code", "lang", separator="/"))
    posts = _keyword_choice(posts, ck, "city_lang", "u_kw", "city_keyword")
    posts = _keyword_choice(posts, ck, "city_lang", "u_kw2", "city_keyword2")
    # BEST theme: city bias doubles its favourite theme; about 12 % of posts carry no theme word
    themes = list(THEME_WEIGHTS)
    bias = pl.col("city_code").replace_strict(CITY_THEME_BIAS, default=None)
    edges = np.cumsum([THEME_WEIGHTS[t] for t in themes])
    base_theme = pl.lit(None, dtype=pl.String)
    for name, edge in reversed(list(zip(themes, edges, strict=True))):
        base_theme = pl.when(pl.col("u_theme") < edge).then(pl.lit(name)).otherwise(base_theme)
    posts = posts.with_columns(
        best_theme=pl.when(pl.col("u_theme") >= 0.88)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("u_theme") < 0.2)
        .then(bias)
        .otherwise(base_theme)
    )
    tk = registry.theme_keywords.filter(pl.col("theme_set") == "BEST").with_columns(
        theme_lang=pl.concat_str(
            "theme", pl.when("is_latin").then(pl.lit("en")).otherwise(pl.lit("zh")), separator="/"
        )
    )
    posts = posts.with_columns(theme_lang=pl.concat_str("best_theme", "lang", separator="/"))
    posts = _keyword_choice(posts, tk, "theme_lang", "u_tkw", "theme_keyword")
    fk = registry.theme_keywords.filter(pl.col("theme_set") == "focus")
    posts = posts.with_columns(
        focus_theme=pl.lit(pl.Series(FOCUS_THEMES)).get(
            (pl.col("u_focus") * len(FOCUS_THEMES)).floor().cast(pl.Int64)
        )
    )
    posts = _keyword_choice(
        posts, fk.rename({"theme": "focus_theme"}), "focus_theme", "u_fkw", "focus_keyword"
    )
    u = pl.col("u_tpl")
    tword_zh = pl.coalesce("theme_keyword", pl.lit("风光"))
    tword_en = pl.coalesce("theme_keyword", pl.lit("views"))
    tag_en = pl.col("city_keyword").str.replace_all(r"[^A-Za-z0-9]", "")
    title_zh = pl.concat_str(
        _pick(_ZH_OPEN, u, 1), "city_keyword", _pick(_ZH_JOIN, u, 7), tword_zh, _pick(_ZH_CLOSE, u, 29)
    )
    body_zh = pl.concat_str(
        _pick(_ZH_BODY_OPEN, u, 181),
        "city_keyword2",
        pl.lit("，"),
        "focus_keyword",
        pl.lit("之旅，"),
        _pick(_ZH_BODY_CLOSE, u, 907),
    )
    title_en = pl.concat_str(
        _pick(_EN_OPEN, u, 1),
        pl.lit(" "),
        "city_keyword",
        _pick(_EN_JOIN, u, 7),
        tword_en,
        _pick(_EN_CLOSE, u, 29),
    )
    body_en = pl.concat_str(
        pl.lit("Plan your trip to "),
        "city_keyword",
        pl.lit(": "),
        tword_en,
        pl.lit(", culture and local life. "),
        pl.lit("#"),
        tag_en,
        pl.lit(" #China #travel"),
    )
    short = registry.cities.select(
        "city_code", city_short=pl.col("city_name_zh").str.replace(r"(市|区|藏族自治州)$", "")
    )
    posts = posts.join(short, on="city_code", how="left")
    return posts.with_columns(
        title=pl.when(pl.col("lang") == "en").then(title_en).otherwise(title_zh),
        body=pl.when(pl.col("lang") == "en").then(body_en).otherwise(body_zh),
        # the topics a post carries (without '#'): a city keyword and the city's 文旅 tag
        topic1=pl.when(pl.col("lang") == "en").then(tag_en).otherwise(pl.col("city_keyword")),
        topic2=pl.when(pl.col("lang") == "en")
        .then(pl.lit("travel"))
        .otherwise(pl.concat_str("city_short", pl.lit("文旅"))),
    ).drop("city_lang", "theme_lang", "u_kw", "u_kw2", "u_theme", "u_tkw", "u_focus", "u_fkw")


# --- observation --------------------------------------------------------------------------------


def observe(posts: pl.DataFrame | pl.LazyFrame, observed_at: pl.Expr | datetime) -> pl.LazyFrame:
    """Cumulative metrics of each post at ``observed_at`` (a datetime or a UTC datetime column).

    Posts not yet published get zeros; writers filter them out (or keep one on purpose as a trap).
    """
    at = pl.lit(observed_at).cast(UTC_US) if isinstance(observed_at, datetime) else observed_at
    age = ((at - pl.col("published_at")).dt.total_seconds() / 86400).clip(lower_bound=0)
    frac = 0.85 * (1 - (-age / pl.col("tau_days")).exp()) + 0.15 * (age / 90).clip(upper_bound=1)
    views = (pl.col("views_final") * frac).floor()
    return posts.lazy().with_columns(
        observed_at=at,
        views=views.cast(pl.Int64),
        likes=(views * pl.col("like_rate")).floor().cast(pl.Int64),
        comments=(views * pl.col("comment_rate")).floor().cast(pl.Int64),
        shares=(views * pl.col("share_rate")).floor().cast(pl.Int64),
        saves=(views * pl.col("save_rate")).floor().cast(pl.Int64),
    )


# --- followers ----------------------------------------------------------------------------------


def _followers(registry: Registry, calendar: SampleCalendar, seed: int) -> pl.DataFrame:
    """Daily follower walk per registered account, from 35 days before the period to "today"."""
    rng = stream(seed, "followers")
    accounts = registry.accounts
    first = calendar.period_start - timedelta(days=35)
    days = (calendar.today - first).days
    start = np.array([START_FOLLOWERS[p] for p in accounts["platform"]]) * rng.lognormal(
        0, 0.6, accounts.height
    )
    losing_city = registry.city_codes[-1]
    losing = (accounts["city_code"] == losing_city).to_numpy()
    gain_rate = np.where(losing, 0.0004, rng.uniform(0.0008, 0.003, accounts.height))
    loss_rate = np.where(losing, 0.0011, rng.uniform(0.0002, 0.0006, accounts.height))
    gained = rng.poisson(
        np.outer(start * gain_rate, np.ones(days)) * rng.lognormal(0, 0.35, (accounts.height, days))
    )
    lost = rng.poisson(np.outer(start * loss_rate, np.ones(days)))
    followers = np.round(start)[:, None] + np.cumsum(gained - lost, axis=1)
    dates = pl.date_range(first, first + timedelta(days=days - 1), eager=True)
    return pl.DataFrame(
        {
            "platform": np.repeat(accounts["platform"].to_numpy(), days),
            "account_id": np.repeat(accounts["account_id"].to_numpy(), days),
            "city_code": np.repeat(accounts["city_code"].to_numpy(), days),
            "date": pl.concat([dates] * accounts.height) if accounts.height else dates.head(0),
            "followers": followers.ravel().astype(np.int64),
            "gained": gained.ravel().astype(np.int64),
            "lost": lost.ravel().astype(np.int64),
        }
    )
