"""The diagnostics through the real ``evaluate`` on the evaluation fixture warehouse, plus two official
Chengdu Douyin posts that repeat one caption on a trending topic: measures in eval_supplementary,
frozen diag_* files, and the eval_diag_* marts (real dbt, real DuckDB), empty before any run."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.run import evaluate
from citypulse.report.render import render
from citypulse.settings import REPO_ROOT, Settings
from citypulse.superset.bundle import load_assets
from tests.evaluation import serving_fixture
from tests.evaluation.test_runs import build_eval_marts

pytestmark = pytest.mark.slow
PERIOD = "2026-10"
CAPTION = "#成都# 来成都吃火锅吧"


def _add_second_account(serving_db: Path) -> None:
    posts = [  # post_id, account, published (UTC)
        ("p9", "cd1", serving_fixture.local(2026, 10, 31, 21)),
        ("p10", "cd2", serving_fixture.local(2026, 10, 31, 22)),
    ]
    with duckdb.connect(str(serving_db)) as con:
        con.execute(
            "insert into dim_official_account by name select 'douyin' as platform, 'cd2' as account_id, "
            "'成都发布' as account_name, '510100' as city_code, 'official' as account_type, "
            "date '2024-01-01' as valid_from"
        )
        con.execute(
            "insert into fct_account_daily by name select 'douyin' as platform, 'cd2' as account_id, "
            "'510100' as city_code, date '2026-11-07' as date_day, 10 as followers"
        )
        for post_id, account, published in posts:
            con.execute(
                "insert into dim_post by name select $1 as post_id, $1 as post_key, 'douyin' as platform, "
                "$2 as account_id, '510100' as city_code, $3 as published_at, $4 as title, '' as text, "
                "'Eating' as best_theme, 'https://example.invalid/' || $1 as post_url, true as is_official",
                [post_id, account, published, CAPTION],
            )
            con.execute(
                "insert into fct_post_snapshot by name select $1 as post_key, $1 as post_id, 'douyin' as platform, "
                "$2 as account_id, $3 as observed_at, 1000 as views, 10 as likes, 1 as comments, 1 as shares, "
                "12 as engagements, 'fixture' as ingest_id, 1 as source_row, $4 as observed_date",
                [post_id, account, published + timedelta(days=3), (published + timedelta(days=3)).date()],
            )
            con.execute(
                "insert into fct_post_daily by name select $1 as post_key, $1 as post_id, 'douyin' as platform, "
                "$2 as account_id, $3 as date_day, 1000 as views, 12 as engagements, 1000 as views_delta, "
                "12 as engagements_delta, true as carries_prior_accumulation",
                [post_id, account, (published + timedelta(days=3)).date()],
            )
        serving_fixture.add_caption_signatures(
            con,
            pl.DataFrame(
                {"platform": "douyin", "post_id": [p[0] for p in posts], "title": CAPTION, "text": ""}
            ),
        )


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("diag_runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYPULSE_HOME", str(home))
        s = Settings.from_env().ensure()
        serving_fixture.build(s.serving_db)
        _add_second_account(s.serving_db)
        yield s


def _mart(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def test_diagnostics_are_frozen_with_the_run_and_read_by_the_marts(
    settings: Settings, tmp_path: Path
) -> None:
    empty_db = tmp_path / "empty.duckdb"
    build_eval_marts(settings, empty_db)  # no run yet: the diag marts build, empty and typed
    assert _mart(empty_db, "select count(*) as n from eval_diag_clusters")["n"].to_list() == [0]

    run_id = evaluate(settings, PERIOD)
    folder = run_dir(settings.evaluations, run_id)
    for name in ("diag_accounts", "diag_clusters", "diag_topics", "diag_opportunities", "diag_viral"):
        assert (folder / f"{name}.parquet").is_file()
    sup = pl.read_parquet(folder / "eval_supplementary.parquet")
    assert sup.filter(~pl.col("measure").str.starts_with("diag_")).height > 0  # scored rows kept
    cd = {
        r["measure"]: r["value"]
        for r in sup.filter(city_code="510100", platform="douyin").iter_rows(named=True)
    }
    # p1, p2 and the two identical captions: one pair of four agrees fully, the rest barely
    assert 1 / 6 <= cd["diag_homogeneity"] < 0.3
    assert cd["diag_near_duplicate_share"] == 0.5
    assert cd["diag_active_accounts"] == 2
    assert cd["diag_coordination_share"] == 0.5  # p9 and p10 share #成都# in the same week
    assert cd["diag_trends"] == 1 and cd["diag_trend_leverage_share"] == 1.0  # 成都 trended on 31 Oct
    assert cd["diag_weekly_updated_share"] == 0.0
    # Zibo's trend 淄博烧烤 (15 Oct) was not answered: an opportunity
    zb = sup.filter(city_code="370300", platform="douyin", measure="diag_trend_leverage_share")
    assert zb["value"].to_list() == [0.0]
    # a city with one post has no pair: homogeneity unknown, not 0
    xa = sup.filter(city_code="610100", platform="douyin", measure="diag_homogeneity")
    assert xa["value"].to_list() == [None]

    db = tmp_path / "marts.duckdb"
    build_eval_marts(settings, db)
    clusters = _mart(db, "select * from eval_diag_clusters order by example_rank")
    assert clusters["post_id"].to_list() == ["p9", "p10"] and clusters["cluster_size"].to_list() == [2, 2]
    assert clusters["period"].to_list() == [PERIOD, PERIOD]
    opportunities = _mart(db, "select city_code, topic, trend_day from eval_diag_opportunities")
    assert opportunities.rows() == [("370300", "淄博烧烤", date(2026, 10, 15))]
    topics = _mart(db, "select city_code, topic, accounts from eval_diag_topics")
    assert topics.rows() == [("510100", "成都", 2)]
    accounts = _mart(db, "select account_id, week_share from eval_diag_accounts where account_id = 'cd1'")
    # October 2026 has five weeks (1 Oct is a Thursday); cd1 posted in those of 5 and 26 October
    assert accounts["week_share"].to_list() == [2 / 5]
    diag_measures = _mart(db, "select count(*) as n from eval_supplementary where measure like 'diag_%'")
    assert diag_measures["n"].to_list() == [sup.filter(pl.col("measure").str.starts_with("diag_")).height]

    # the report's section 内容诊断 shows the measures, the cluster's example posts and the opportunity
    html = render(settings, PERIOD)
    section = html[html.index("十、内容诊断") :]
    assert "同质化指数" in section and "50.0%" in section  # Chengdu Douyin near-duplicate share
    assert "https://example.invalid/p9" in section and CAPTION in section
    assert "淄博烧烤" in section and "本期无爆款预警" in section

    # the 内容诊断 dashboard's datasets run on the marts
    everything = load_assets(REPO_ROOT / "superset" / "assets")
    datasets = {k: v for k, v in everything["datasets"].items() if v["table_name"].startswith("诊断_")}
    charts = {k: v for k, v in everything["charts"].items() if v["dataset_uuid"] in datasets}
    (dashboard,) = [d for d in everything["dashboards"].values() if d["dashboard_title"] == "内容诊断"]
    assets = {"datasets": datasets, "charts": charts, "dashboards": {"d": dashboard}}
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table dim_city as select * from (values ('510100', '成都市'), ('370300', '淄博市'), "
            "('610100', '西安市')) as t(city_code, city_name_zh)"
        )
        con.execute(
            "create table dim_platform as select * from (values ('douyin', '抖音'), ('youtube', 'YouTube')) "
            "as t(platform, platform_name_zh)"
        )
        for dataset in assets["datasets"].values():
            relation = con.sql(dataset["sql"])
            assert set(relation.columns) == {c["column_name"] for c in dataset["columns"]}, dataset[
                "table_name"
            ]
            rows = relation.aggregate("count(*)").fetchall()[0][0]
            assert rows > 0 or dataset["table_name"] == "诊断_爆款预警", dataset["table_name"]
            for metric in dataset["metrics"]:
                con.execute(f"select {metric['expression']} from ({dataset['sql']}) as t").fetchall()
    assert all(c["dataset_uuid"] in assets["datasets"] for c in assets["charts"].values())
    assert len(datasets) == 4 and charts
    on_dashboard = {v["meta"]["uuid"] for k, v in dashboard["position"].items() if k.startswith("CHART-")}
    assert on_dashboard == set(assets["charts"])
