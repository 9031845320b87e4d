"""Official runs on the warehouse the real pipeline builds from ``citypulse sample`` (tests/pipeline.py):
the frozen inputs and every score against recomputations written here, independently of the
evaluation's SQL; the manifest, the no-op rerun, the rank change against the previous month, the
published eval_ marts and the rank intervals."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from citypulse.evaluation import registry, robustness
from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.methodology import DEFAULT_VERSION, default_directory, load_methodology
from citypulse.evaluation.run import evaluate
from tests.pipeline import SAMPLE_PERIODS, SamplePipeline

pytestmark = pytest.mark.slow
TOL = 1e-9

# Per city x platform, recomputed from the published marts in one statement: the month's posts of
# registered official accounts (local month), each post's last observation within publish + 7 days
# and before the cutoff (month end + 7 days, local), follower counts at or after the month's start.
INPUTS_SQL = """
with accounts as (
    select platform, cast(account_id as varchar) as account_id, cast(city_code as varchar) as city_code
    from dim_official_account
    where account_type = 'official'
        and (valid_from is null or valid_from < $next_first)
        and (valid_to is null or valid_to >= $first)
),
posts as (
    select accounts.city_code, p.platform, p.post_key, p.published_at
    from dim_post as p
    join accounts on p.platform = accounts.platform and p.account_id = accounts.account_id
    where strftime(timezone('Asia/Shanghai', p.published_at), '%Y-%m') = $period
),
observations as (
    select posts.post_key, s.views, s.likes, s.comments, s.shares, s.saves,
        row_number() over (partition by posts.post_key order by s.observed_at desc) as newest
    from posts
    join fct_post_snapshot as s on s.post_key = posts.post_key
    where s.observed_at <= posts.published_at + interval 7 day
        and timezone('Asia/Shanghai', s.observed_at) < cast($next_first as timestamp) + interval 7 day
),
per_post as (
    select posts.city_code, posts.platform, o.post_key is not null as matured,
        o.views, o.likes, o.comments, o.shares, o.saves
    from posts left join observations as o on o.post_key = posts.post_key and o.newest = 1
),
followers as (
    select accounts.city_code, accounts.platform, accounts.account_id,
        min_by(d.followers, d.date_day) filter (where d.date_day >= $first) as f_start,
        min_by(d.followers, d.date_day) filter (where d.date_day >= $next_first) as f_end
    from accounts
    join fct_account_daily as d on d.platform = accounts.platform and d.account_id = accounts.account_id
    where d.followers is not null and d.date_day < $next_first + interval 7 day
    group by all
)
select
    a.city_code, a.platform, count(distinct a.account_id) as accounts,
    (select count(*) from per_post as p where p.city_code = a.city_code and p.platform = a.platform) as posts,
    (select count(*) filter (where matured) from per_post as p
        where p.city_code = a.city_code and p.platform = a.platform) as posts_with_metrics,
    (select count(views) from per_post as p
        where p.city_code = a.city_code and p.platform = a.platform) as posts_with_views,
    (select sum(views) from per_post as p where p.city_code = a.city_code and p.platform = a.platform) as views,
    (select max(views) from per_post as p where p.city_code = a.city_code and p.platform = a.platform)
        as peak_views,
    (select sum(likes) from per_post as p where p.city_code = a.city_code and p.platform = a.platform) as likes,
    (select sum(comments) from per_post as p
        where p.city_code = a.city_code and p.platform = a.platform) as comments,
    (select sum(f_start) from followers as f where f.city_code = a.city_code and f.platform = a.platform
        and f.f_start is not null and f.f_end is not null) as followers_start,
    (select sum(f_end) from followers as f where f.city_code = a.city_code and f.platform = a.platform
        and f.f_start is not null and f.f_end is not null) as followers_end
from accounts as a
group by a.city_code, a.platform
order by a.city_code, a.platform
"""


def _serving(pipeline: SamplePipeline, sql: str, **params: object) -> pl.DataFrame:
    with duckdb.connect(str(pipeline.settings.serving_db), read_only=True) as con:
        con.execute("set timezone = 'UTC'")
        return con.sql(sql, params=params or None).pl()


def _frozen(pipeline: SamplePipeline, period: str, name: str) -> pl.DataFrame:
    return pl.read_parquet(run_dir(pipeline.settings.evaluations, pipeline.runs[period]) / f"{name}.parquet")


@pytest.mark.parametrize("period", SAMPLE_PERIODS)
def test_frozen_inputs_match_an_independent_recomputation(
    sample_pipeline: SamplePipeline, period: str
) -> None:
    year, month = map(int, period.split("-"))
    first = date(year, month, 1)
    next_first = date(year + month // 12, month % 12 + 1, 1)
    expected = _serving(sample_pipeline, INPUTS_SQL, period=period, first=first, next_first=next_first)
    frozen = _frozen(sample_pipeline, period, "eval_input").filter("has_account")
    columns = expected.columns
    got = frozen.select(columns).sort("city_code", "platform")
    # no post at all is a known zero for the sums; followers stay unknown without both counts
    want = expected.with_columns(
        [pl.when(pl.col("posts") == 0).then(0).otherwise(pl.col(c)).alias(c) for c in ("views", "peak_views")]
        + [pl.when(pl.col("posts") == 0).then(0).otherwise(pl.col(c)).alias(c) for c in ("likes", "comments")]
    ).select([pl.col(c).cast(got.schema[c]) for c in columns])
    assert got.height == want.height > 0
    assert got.equals(want), pl.concat([got, want]).unique(keep="none")
    # the sample is messy: some posts have no observation within publish + 7 days, and some
    # platforms hide views; the run must have met both
    assert (frozen["posts_with_metrics"] < frozen["posts"]).any()
    assert (frozen["posts_with_views"] < frozen["posts_with_metrics"]).any()


def _rescore(pipeline: SamplePipeline, period: str) -> dict[str, pl.DataFrame]:
    """Methodology v2 from the frozen eval_input and config, in polars and numpy (not the dbt SQL)."""
    folder = run_dir(pipeline.settings.evaluations, pipeline.runs[period])
    cfg = {
        n: pl.read_parquet(folder / f"config_{n}.parquet") for n in ("settings", "indicators", "platforms")
    }
    setting = dict(zip(cfg["settings"]["setting"], cfg["settings"]["value"], strict=True))
    theta, q_lo, q_hi = float(setting["min_data_coverage"]), float(setting["q_lo"]), float(setting["q_hi"])
    pind = pl.read_parquet(folder / "config_platform_indicators.parquet").join(
        cfg["indicators"].select("indicator", "weight"), on="indicator"
    )
    rows = []
    for r in (
        pl.read_parquet(folder / "eval_input.parquet")
        .join(cfg["platforms"], on="platform")
        .iter_rows(named=True)
    ):
        if not r["has_account"]:
            continue
        n, d = r["posts"], r["days"]
        no_data = r["accounts_with_data"] == 0 or (n > 0 and r["posts_with_metrics"] == 0)
        known_e = min(
            r[f"posts_with_{c}"]
            for c, on in (("likes", r["engagement_likes"]), ("comments", r["engagement_comments"]))
            + (("shares", r["engagement_shares"]), ("saves", r["engagement_saves"]))
            if on
        )
        v = (
            None
            if n and r["posts_with_views"] < theta * n
            else (r["views"] * n / r["posts_with_views"] if n else 0.0)
        )
        vmax = None if v is None else r["peak_views"]
        e = None if n and known_e < theta * n else (r["engagements"] * n / known_e if n else 0.0)
        fs, fe = r["followers_start"], r["followers_end"]
        if r["er_denominator"] == "views_else_followers" and v:
            q = None if e is None else e / v
        elif n and fs is not None and fe is not None and fs + fe > 0 and e is not None:
            q = e / (n * (fs + fe) / 2)
        else:
            q = None
        g = None if fs is None or fe is None else fe - fs
        t = r["topic_reach"]
        xs = {
            "a": np.log1p(n / d),
            "r": None if v is None else np.log1p(v / d),
            "t": None if t is None else np.log1p(t / d),
            "k": None if vmax is None else np.log1p(vmax),
            "g": None if g is None else np.sign(g) * np.log1p(abs(g)),
            "e": None if e is None else np.log1p(e / d),
            "q": q,
        }
        insufficient = {
            "a": no_data,
            "r": no_data or v is None,
            "k": no_data or v is None,
            "e": no_data or e is None,
            "q": no_data or e is None,
            "t": no_data,
            "g": no_data,
        }
        for k, x in xs.items():
            rows.append((r["city_code"], r["platform"], k, None if insufficient[k] else x, insufficient[k]))
    values = pl.DataFrame(
        rows, schema=["city_code", "platform", "indicator", "x", "insufficient"], orient="row"
    ).join(pind.select("platform", "indicator", "weight"), on=["platform", "indicator"])
    used = values.group_by("platform", "indicator").agg(pl.col("x").is_not_null().any().alias("is_used"))
    scored = []
    for _key, group in values.join(used.filter("is_used"), on=["platform", "indicator"]).group_by(
        "platform", "indicator"
    ):
        xs = group["x"].drop_nulls().to_numpy()
        lo, hi = np.percentile(xs, [100 * q_lo, 100 * q_hi], method="linear")
        s = group.with_columns(
            score=pl.when(pl.col("insufficient"))
            .then(None)
            .when(pl.col("x").is_null())
            .then(0.0)
            .otherwise((100 * ((pl.col("x") - lo) / (hi - lo)).clip(0, 1)) if hi > lo else pl.lit(50.0))
        )
        scored.append(s)
    indicator_scores = pl.concat(scored)
    weighted = (pl.col("weight") * pl.col("score")).sum() / pl.col("weight").filter(
        pl.col("score").is_not_null()
    ).sum()
    platform_scores = indicator_scores.group_by("city_code", "platform").agg(
        pl.when(pl.col("score").is_not_null().any()).then(weighted).alias("score")
    )
    return {"used": used, "indicator": indicator_scores, "platform": platform_scores}


@pytest.mark.parametrize("period", SAMPLE_PERIODS)
def test_scores_match_an_independent_recomputation(sample_pipeline: SamplePipeline, period: str) -> None:
    want = _rescore(sample_pipeline, period)
    availability = _frozen(sample_pipeline, period, "eval_indicator_availability").filter("is_defined")
    got_used = availability.select("platform", "indicator", "is_used").sort("platform", "indicator")
    assert got_used.equals(want["used"].sort("platform", "indicator"))
    # what the issue saw in every run: Weibo has no views, so r and k are left out, not scored 0
    assert set(availability.filter(platform="weibo", is_used=False)["indicator"]) >= {"r", "k"}
    assert set(availability.filter(~pl.col("is_used"))["reason"]) == {"no_value_for_any_city"}

    ind = _frozen(sample_pipeline, period, "eval_indicator_score")
    joined = ind.join(want["indicator"], on=["city_code", "platform", "indicator"], how="full", coalesce=True)
    assert joined.height == ind.height == want["indicator"].height
    assert joined.filter(pl.col("score").is_null() != pl.col("score_right").is_null()).is_empty()
    assert (joined["score"] - joined["score_right"]).abs().max() < TOL
    assert joined.filter(pl.col("score").is_null()).height > 0  # 数据不足 occurs in the sample

    plat = _frozen(sample_pipeline, period, "eval_platform_score").filter("has_account")
    joined = plat.join(want["platform"], on=["city_code", "platform"], how="left")
    assert joined.filter(pl.col("score").is_null() != pl.col("score_right").is_null()).is_empty()
    assert (joined["score"] - joined["score_right"]).abs().max() < TOL


@pytest.mark.parametrize("period", SAMPLE_PERIODS)
def test_composites_renormalise_over_platforms_with_data(
    sample_pipeline: SamplePipeline, period: str
) -> None:
    folder = run_dir(sample_pipeline.settings.evaluations, sample_pipeline.runs[period])
    coverage = _frozen(sample_pipeline, period, "eval_platform_coverage")
    inputs = _frozen(sample_pipeline, period, "eval_input")
    usable = inputs.filter(pl.col("data_status").is_in(["ok", "no_posts"]))
    evaluable = usable["city_code"].n_unique()
    per_platform = usable.group_by("platform").len()
    for row in coverage.iter_rows(named=True):
        with_data = per_platform.filter(platform=row["platform"])["len"].sum()
        assert row["is_covered"] == (with_data / evaluable >= row["min_coverage"]), row
    # Facebook's sample posts never have an observation within publish + 7 days: out, not scored
    assert coverage.filter(platform="facebook")["is_covered"].to_list() == [False]

    weights = pl.read_parquet(folder / "config_composite_weights.parquet").join(
        coverage.filter("is_covered").select("platform"), on="platform"
    )
    platform = _frozen(sample_pipeline, period, "eval_platform_score").filter(
        pl.col("city_code").is_in(usable["city_code"].unique().implode())
    )
    want = (
        platform.join(weights, on="platform")
        .filter(pl.col("score").is_not_null())
        .group_by("composite", "city_code")
        .agg(((pl.col("weight") * pl.col("score")).sum() / pl.col("weight").sum()).alias("want"))
    )
    got = _frozen(sample_pipeline, period, "eval_composite_score").join(
        want, on=["composite", "city_code"], how="full", coalesce=True
    )
    assert got.height == want.height > 0
    assert (got["score"] - got["want"]).abs().max() < TOL
    ranks = got.with_columns(want_rank=pl.col("score").rank("min", descending=True).over("composite"))
    assert ranks["rank"].cast(pl.Int64).to_list() == ranks["want_rank"].cast(pl.Int64).to_list()
    # cities whose registered accounts sent nothing are not ranked on absences
    assert set(got["city_code"]) == set(usable["city_code"])


def test_manifests_record_incomplete_official_runs(sample_pipeline: SamplePipeline) -> None:
    runs = _serving(sample_pipeline, "select * from eval_run order by period")
    assert runs["period"].to_list() == list(SAMPLE_PERIODS)
    assert runs["run_id"].to_list() == [sample_pipeline.runs[p] for p in SAMPLE_PERIODS]
    assert set(runs["methodology_version"]) == {DEFAULT_VERSION}
    assert runs["is_official"].all() and runs["allow_incomplete"].all()
    assert set(runs["status"]) == {"complete_with_missing_data"}
    # the registry's cities the sample does not export are named
    assert all("大连" in m for m in runs["missing_accounts"])
    assert runs["panel_cities"].to_list() == [7, 7]
    m = _frozen(sample_pipeline, "2026-10", "eval_run").row(0, named=True)
    assert len(m["config_sha256"]) == 64 and m["git_commit"] and m["started_at"] <= m["finished_at"]
    # month end (1 Nov 00:00 Shanghai) + 7 days, in UTC
    assert m["input_cutoff"] == datetime(2026, 11, 7, 16, 0, tzinfo=UTC)
    assert (
        m["config_sha256"]
        == load_methodology(default_directory(sample_pipeline.settings), DEFAULT_VERSION).sha256
    )


def test_rerun_is_a_noop(sample_pipeline: SamplePipeline) -> None:
    evaluations = sample_pipeline.settings.evaluations
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in evaluations.rglob("*.parquet")}
    for period in SAMPLE_PERIODS:
        assert (
            evaluate(sample_pipeline.settings, period, allow_incomplete=True) == sample_pipeline.runs[period]
        )
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in evaluations.rglob("*.parquet")}
    assert after == before


def test_rank_change_against_the_previous_official_run(sample_pipeline: SamplePipeline) -> None:
    october = _frozen(sample_pipeline, "2026-10", "eval_composite_score")
    september = _frozen(sample_pipeline, "2026-09", "eval_composite_score").select(
        "composite", "city_code", pl.col("rank").alias("september_rank")
    )
    assert set(october["previous_run_id"]) == {
        registry.official_run(sample_pipeline.settings.evaluations, "2026-09", DEFAULT_VERSION)
    }
    joined = october.join(september, on=["composite", "city_code"], how="left")
    assert joined.height > 0
    assert joined["previous_rank"].to_list() == joined["september_rank"].to_list()
    assert (joined["previous_rank"] - joined["rank"]).to_list() == joined["rank_change"].to_list()


@pytest.mark.parametrize(
    "mart", ["eval_composite_score", "eval_indicator_availability", "eval_rank_robustness", "eval_input"]
)
def test_published_marts_hold_the_frozen_rows(sample_pipeline: SamplePipeline, mart: str) -> None:
    published = _serving(sample_pipeline, f"select * from {mart}")
    for period in SAMPLE_PERIODS:
        frozen = _frozen(sample_pipeline, period, mart)
        rows = published.filter(run_id=sample_pipeline.runs[period])
        assert rows.height == frozen.height > 0, (mart, period)
        assert set(rows["period"]) == {period} and rows["is_official"].all()
        key = [c for c in ("composite", "platform", "indicator", "city_code") if c in frozen.columns]
        same_types = rows.select([pl.col(c).cast(frozen.schema[c]) for c in frozen.columns])
        assert same_types.sort(key).equals(frozen.sort(key)), (mart, period)


def test_rank_intervals_recompute_identically_and_contain_the_rank(sample_pipeline: SamplePipeline) -> None:
    methodology = load_methodology(default_directory(sample_pipeline.settings), DEFAULT_VERSION)
    for period, run_id in sample_pipeline.runs.items():
        folder: Path = run_dir(sample_pipeline.settings.evaluations, run_id)
        frozen = pl.read_parquet(folder / "eval_rank_robustness.parquet")
        again = robustness.compute(folder, run_id, methodology)
        assert again is not None and again.equals(frozen), period
        assert set(frozen["draws"]) == {1000}
        assert (frozen["rank_p5"] <= frozen["median_rank"]).all()
        assert (frozen["median_rank"] <= frozen["rank_p95"]).all()


def test_unperturbed_draw_reproduces_the_composites(sample_pipeline: SamplePipeline) -> None:
    # robustness scores with the run's own rules: with the configured weights and P5/P95 it must
    # give the dbt composites exactly, or its intervals would be about another index
    for period, run_id in sample_pipeline.runs.items():
        folder = run_dir(sample_pipeline.settings.evaluations, run_id)
        s = robustness.load_scores(folder)
        covered = set(
            pl.read_parquet(folder / "eval_platform_coverage.parquet").filter("is_covered")["platform"]
        )
        weights = pl.read_parquet(folder / "config_composite_weights.parquet")
        composites = pl.read_parquet(folder / "eval_composite_score.parquet")
        for composite in sorted(set(composites["composite"])):
            w = dict(zip(*weights.filter(composite=composite).select("platform", "weight"), strict=True))
            pw = np.array([[w.get(p, 0.0) if p in covered else 0.0 for p in s.platforms]])
            got = robustness.composite_scores(s, s.indicator_weights[None, :], pw, np.array([False]))[0]
            want = composites.filter(composite=composite)
            for city, score in zip(want["city_code"], want["score"], strict=True):
                assert abs(got[s.cities.index(city)] - score) < TOL, (period, composite, city)
