"""Each diagnostic on constructed cases with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from bench.diagnostics import synthetic_posts
from citypulse.diagnostics import coordination, homogeneity, leverage, updating, viral


def _captioned(groups: list[str], titles: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"g": groups, "title": titles, "text": [None] * len(titles)}, schema_overrides={"text": pl.String}
    )
    return frame.with_columns(caption=homogeneity.normalised_caption(pl.col("title"), pl.col("text")))


def test_identical_captions_are_similarity_one_and_disjoint_near_zero() -> None:
    same = ["成都火锅真好吃，欢迎来成都！"] * 4
    disjoint = ["大熊猫基地一日游", "淄博烧烤夜市人山人海", "Xi'an city wall at night", "重庆洪崖洞灯光秀"]
    result = mean_by_group = homogeneity.mean_pairwise_similarity(
        _captioned(["same"] * 4 + ["disjoint"] * 4, same + disjoint), ["g"]
    )
    values = dict(zip(result["g"], result["homogeneity"], strict=True))
    assert values["same"] == 1.0
    assert values["disjoint"] < 0.05
    assert mean_by_group["posts"].to_list() == [4, 4]


def test_single_post_has_unknown_similarity_not_zero() -> None:
    result = homogeneity.mean_pairwise_similarity(_captioned(["a"], ["只有一条"]), ["g"])
    assert result["homogeneity"].to_list() == [None]


def test_mean_similarity_matches_exact_jaccard_on_average() -> None:
    # two pairs of half-overlapping captions: the MinHash mean estimates the exact mean Jaccard
    titles = ["abcdefghij", "fghijklmno", "ABCDEFGHIJ", "KLMNOPQRST"]
    grams = [{t.lower()[i : i + 3] for i in range(len(t) - 2)} for t in titles]
    exact = (
        sum(len(grams[i] & grams[j]) / len(grams[i] | grams[j]) for i in range(4) for j in range(i + 1, 4))
        / 6
    )
    estimate = homogeneity.mean_pairwise_similarity(_captioned(["x"] * 4, titles), ["g"])["homogeneity"][0]
    assert abs(estimate - exact) < 0.08


def test_agreeing_positions_are_counted_exactly_at_both_levels() -> None:
    # the sort-based count of agreeing positions equals comparing every pair of posts, per city and
    # platform and per account within them (reposts and shared templates make many agree)
    posts = synthetic_posts(1_500).with_columns(
        account_id=pl.format("{}-{}", pl.col("city_code"), pl.int_range(pl.len()) % 4)
    )
    sig = homogeneity.signatures(posts)
    cities, accounts = homogeneity.nested_mean_pairwise_similarity(
        posts, ["city_code", "platform"], ["city_code", "platform", "account_id"], sig
    )

    def brute_force(keys: list[str]) -> dict[tuple[str, ...], float]:
        means = {}
        for key, group in posts.with_row_index("row").group_by(keys):
            rows = group["row"].to_numpy()
            agree = (sig[rows][:, None, :] == sig[rows][None, :, :]).sum(axis=2)
            pairs = len(rows) * (len(rows) - 1) / 2
            means[tuple(key)] = (agree.sum() - agree.trace()) / 2 / (pairs * homogeneity.PERMUTATIONS)
        return means

    for frame, keys in (
        (cities, ["city_code", "platform"]),
        (accounts, ["city_code", "platform", "account_id"]),
    ):
        expected = brute_force(keys)
        assert frame.height == len(expected)
        for *key, _posts, value in frame.iter_rows():
            assert value == pytest.approx(expected[tuple(key)], rel=1e-12)
    assert cities.equals(homogeneity.mean_pairwise_similarity(posts, ["city_code", "platform"], sig))


def test_near_duplicate_clusters_group_reposts_only() -> None:
    titles = [
        "五一来淄博吃烧烤，小饼卷一切！",
        "五一来淄博吃烧烤，小饼卷一切！！",
        "五一来淄博吃烧烤 小饼卷一切",
        "西安大唐不夜城夜景",
    ]
    clusters = homogeneity.near_duplicate_clusters(_captioned(["c"] * 4, titles), ["g"])
    assert clusters["row"].to_list() == [0, 1, 2]
    assert clusters["cluster"].unique().to_list() == [0]


def test_same_caption_in_two_groups_is_two_clusters_and_no_cross_group_pair() -> None:
    repost = "大足石刻千手观音修复十周年，欢迎来看！"
    groups = ["a", "b", "a", "b", "a", "b"]
    titles = [repost, repost, "宝顶山日出", "荷花节开幕", repost, "夜游龙水湖"]
    posts = _captioned(groups, titles)
    clusters = homogeneity.near_duplicate_clusters(posts, ["g"])
    # each group's copies form a cluster of their own, named by its smallest row
    assert clusters.select("g", "row", "cluster").rows() == [("a", 0, 0), ("a", 4, 0)]
    similarity = dict(homogeneity.mean_pairwise_similarity(posts, ["g"]).select("g", "homogeneity").rows())
    # group a: one agreeing pair of three (the reposts); group b's single repost pairs with nothing alike
    assert 0.3 < similarity["a"] < 0.4 and similarity["b"] < 0.1


def test_four_week_month_with_posts_in_three_weeks_is_three_quarters() -> None:
    first, nxt = date(2027, 2, 1), date(2027, 3, 1)  # February 2027 starts on a Monday: four weeks
    assert len(updating.month_weeks(first, nxt)) == 4
    accounts = pl.DataFrame(
        {"city_code": ["c", "c"], "platform": ["douyin"] * 2, "account_id": ["a", "silent"]}
    )
    posts = pl.DataFrame(
        {
            "city_code": "c",
            "platform": "douyin",
            "account_id": "a",
            "published_date": [date(2027, 2, 1), date(2027, 2, 3), date(2027, 2, 9), date(2027, 2, 26)],
        }
    )
    rows = updating.account_updating(accounts, posts, first, nxt)
    a = rows.filter(pl.col("account_id") == "a").row(0, named=True)
    assert a["week_share"] == 0.75 and a["weeks_with_posts"] == 3 and not a["updated_every_week"]
    assert a["longest_gap_days"] == 16  # 10 to 25 February
    silent = rows.filter(pl.col("account_id") == "silent").row(0, named=True)
    assert silent["week_share"] == 0.0 and silent["longest_gap_days"] == 28
    city = updating.city_updating(rows).row(0, named=True)
    assert city["official_accounts"] == 2 and city["weekly_updated_share"] == 0.0


def test_coordination_share_counts_posts_on_topics_two_accounts_shared_in_a_week() -> None:
    titles = ["#成都大运会# 开幕", "#成都大运会 倒计时", "#熊猫# 日常", "#成都大运会# 下周再发", "无话题"]
    posts = pl.DataFrame(
        {
            "city_code": "c",
            "platform": "douyin",
            "account_id": ["a", "b", "a", "c", "b"],
            "post_id": ["1", "2", "3", "4", "5"],
            "published_date": [
                date(2027, 2, 1),
                date(2027, 2, 2),
                date(2027, 2, 3),
                date(2027, 2, 10),
                date(2027, 2, 4),
            ],
            "title": titles,
            "text": [None] * 5,
        },
        schema_overrides={"text": pl.String},
    ).with_columns(topics=coordination.post_topics(pl.col("title"), pl.col("text")))
    per_group, topics = coordination.coordination(posts)
    row = per_group.row(0, named=True)
    assert row["active_accounts"] == 3 and row["posts"] == 5 and row["coordinated_posts"] == 2
    assert row["coordination_share"] == 0.4
    assert topics.select("topic", "accounts", "week").rows() == [("成都大运会", 2, date(2027, 2, 1))]


def test_missed_trend_is_an_opportunity_and_answered_trend_is_not() -> None:
    topic_days = pl.DataFrame(
        {
            "platform": "weibo",
            "topic": ["成都大运会", "淄博烧烤", "成都美食节", "无关话题"],
            "city_code": [None, "370300", None, None],
            "date_day": [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 7)],
            "reads": [10, 5, 7, 1],
            "hot_search_hits": [1, 1, 0, 0],
        },
        schema_overrides={"city_code": pl.String},
    )
    keywords = pl.DataFrame({"city_code": ["510100"], "keyword": ["成都"]})
    trends = leverage.city_trends(topic_days, keywords, date(2027, 2, 1), date(2027, 3, 1))
    assert trends.select("city_code", "topic").rows() == [
        ("370300", "淄博烧烤"),
        ("510100", "成都大运会"),
        ("510100", "成都美食节"),
    ]
    posts = pl.DataFrame(
        {
            "city_code": ["510100", "510100"],
            "platform": "weibo",
            "post_id": ["on-time", "too-late"],
            # 6 Feb 20:00 Shanghai (within the trend day + 24 h); 9 Feb 12:00 (after it)
            "published_at": [datetime(2027, 2, 6, 12, tzinfo=UTC), datetime(2027, 2, 9, 4, tzinfo=UTC)],
            "title": ["#成都大运会# 来了", "#成都美食节# 晚到"],
            "text": [None, None],
        },
        schema_overrides={"text": pl.String},
    )
    result = leverage.leverage(trends, posts)
    status = dict(zip(result["topic"], result["leveraged"], strict=True))
    assert status == {"淄博烧烤": False, "成都大运会": True, "成都美食节": False}
    assert result.filter(pl.col("topic") == "成都大运会")["answer_post_id"].to_list() == ["on-time"]


def _post_days(growth: list[int], first_day_carries_prior: bool = False) -> pl.DataFrame:
    """fct_post_daily rows of one post observed daily from its publication day (2027-01-01)."""
    return pl.DataFrame(
        {
            "post_key": "k",
            "platform": "douyin",
            "account_id": "a",
            "post_id": "p",
            "date_day": [date(2027, 1, 1) + timedelta(days=i) for i in range(len(growth))],
            "views": [sum(growth[: i + 1]) for i in range(len(growth))],
            "views_delta": growth,
            "engagements": [None] * len(growth),
            "engagements_delta": [None] * len(growth),
            "carries_prior_accumulation": [first_day_carries_prior] + [False] * (len(growth) - 1),
        },
        schema_overrides={"engagements": pl.Int64, "engagements_delta": pl.Int64},
    )


def _viral(post_days: pl.DataFrame, since: date | None = None) -> pl.DataFrame:
    with duckdb.connect() as con:
        con.register("post_days", post_days)
        return viral.viral_posts(con, "select * from post_days", {}, since)


def test_viral_flag_at_the_accounts_99th_percentile_of_daily_growth() -> None:
    growth = [100 + (d % 7) for d in range(60)] + [5_000]  # an ordinary two months, then a jump
    flagged = _viral(_post_days(growth))
    assert flagged["date_day"].to_list() == [date(2027, 3, 2)]
    assert flagged["views_growth"].to_list() == [5_000] and flagged["views_viral"].to_list() == [True]
    # the account's 99th percentile, interpolated linearly: position 0.99 × 60 = 59.4 of the sorted 61
    ordered = sorted(growth)
    assert flagged["views_p99"].item() == pytest.approx(ordered[-2] + 0.4 * (ordered[-1] - ordered[-2]))
    # unknown stays unknown: no engagements, no engagement flag
    assert flagged["engagements_growth"].to_list() == [None] and flagged["engagements_viral"].to_list() == [
        False
    ]
    # the days flagged are limited, the baseline is not
    assert _viral(_post_days(growth), since=date(2027, 3, 3)).is_empty()
    # too little history: no alert, not a flag on every ordinary day
    assert _viral(_post_days(growth).head(10)).is_empty()


def test_a_first_look_days_after_publication_is_not_growth() -> None:
    growth = [50_000] + [100 + (d % 7) for d in range(60)]
    # observed from its publication day, the first day grew from zero: a jump
    assert _viral(_post_days(growth))["date_day"].to_list() == [date(2027, 1, 1)]
    # first looked at days later, its delta carries the days before it: unknown, never flagged
    assert _viral(_post_days(growth, first_day_carries_prior=True)).is_empty()


def test_viral_alerts_are_sent_through_a_configured_notifier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    from citypulse.diagnostics.alerts import send_viral_alerts, viral_alerts_on
    from citypulse.notify import Notifier

    growth = [100 + (d % 7) for d in range(60)] + [5_000]
    db = tmp_path / "serving.duckdb"
    with duckdb.connect(str(db)) as con:
        con.register("s", _post_days(growth).to_arrow())
        con.execute("create table fct_post_daily as select * from s")
        con.execute(
            "create table dim_official_account as select 'douyin' as platform, 'a' as account_id, "
            "'510100' as city_code, 'official' as account_type"
        )
        con.execute(
            "create table dim_post as select 'k' as post_key, '成都爆款' as title, "
            "'https://example.invalid/p' as post_url"
        )
    assert viral_alerts_on(db, date(2027, 3, 1)).is_empty()  # an ordinary day
    alerts = viral_alerts_on(db, date(2027, 3, 2))
    assert alerts.select("post_id", "city_code", "views_growth").rows() == [("p", "510100", 5_000)]

    sent: list[object] = []

    class Recorder:
        name = "recorder"

        def send(self, notice: object) -> None:
            sent.append(notice)

    assert send_viral_alerts(alerts, Notifier([Recorder()])) == 1
    assert "成都爆款" in sent[0].title and sent[0].facts["播放/阅读 views"] == "5,000"  # type: ignore[attr-defined]
    assert send_viral_alerts(alerts, Notifier([])) == 0  # no channel configured: nothing sent
