"""Metric truth: what the chart API answers equals an independent SQL over the marts.

For every chart metric on a dashboard, the chart's saved query context is asked for its total (no
grouping), once under the dashboard's default filters (none are preset) and once narrowed the way
the dashboard's native filters narrow it (城市 and 平台 where the filter is in scope of the chart and
its dataset has the column). The expected value is computed here from dim_/fct_/eval_/ops_ tables,
not from the datasets' SQL. The KPI charts are also read as API clients read them: GET
/api/v1/chart/<id>/data/ with nothing but the saved context.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest

from citypulse.settings import REPO_ROOT, Settings
from citypulse.superset.bundle import load_assets
from citypulse.superset.client import SupersetClient, with_filters
from tests.superset.test_chart_formats import saved_metric

pytestmark = pytest.mark.slow

PLATFORM = "抖音"
PREFERRED_CITY = "成都"

# {where} narrows by c.city_name_zh / pl.platform_name_zh; c and pl join dim_city and dim_platform.
_POSTS = "from dim_post p left join dim_city c using (city_code) left join dim_platform pl using (platform)"
_DAILY = (
    "from fct_post_daily f left join dim_city c using (city_code) left join dim_platform pl using (platform)"
)
_FOLLOWERS = "from fct_account_daily f left join dim_city c using (city_code) left join dim_platform pl using (platform)"
_TOPICS = (
    "from fct_topic_daily t left join dim_city c using (city_code) left join dim_platform pl using (platform)"
)
_OFFICIAL = "join eval_run r on r.run_id = s.run_id and r.is_official"
# Shannon evenness of the four BEST themes per city, platform and month, averaged over the groups
_THEME_BALANCE = f"""
with counts as (
    select p.city_code, p.platform, strftime(p.published_date, '%Y-%m') as month, lower(p.best_theme) as theme,
        count(*) as n
    {_POSTS}
    where lower(p.best_theme) in ('bgm', 'eating', 'scenery', 'technology') and {{where}}
    group by all
),
shares as (
    select city_code, platform, month, n * 1.0 / sum(n) over (partition by city_code, platform, month) as s
    from counts
)
select avg(h) from (
    select -sum(s * ln(s)) / ln(4) as h from shares group by city_code, platform, month
)
"""

EXPECTED: dict[tuple[str, str], str] = {
    # 账号与内容表现
    ("发帖数", "post_count"): f"select count(*) {_POSTS} where p.published_date is not null and {{where}}",
    (
        "分城市、平台发帖数",
        "post_count",
    ): f"select count(*) {_POSTS} where p.published_date is not null and {{where}}",
    ("播放量", "views"): f"select sum(f.views_delta) {_DAILY} where {{where}}",
    ("互动量", "engagements"): f"select sum(f.engagements_delta) {_DAILY} where {{where}}",
    ("互动率", "engagement_rate"): (
        "select sum(case when f.views_delta is not null then f.engagements_delta end) * 1.0"
        f" / nullif(sum(f.views_delta), 0) {_DAILY} where {{where}}"
    ),
    ("播放量与互动量趋势", "views"): f"select sum(f.views_delta) {_DAILY} where {{where}}",
    ("播放量与互动量趋势", "engagements"): f"select sum(f.engagements_delta) {_DAILY} where {{where}}",
    ("分账号类型互动率", "engagement_rate"): (
        "select sum(case when f.views_delta is not null then f.engagements_delta end) * 1.0"
        f" / nullif(sum(f.views_delta), 0) {_DAILY} where {{where}}"
    ),
    ("互动构成（点赞 / 评论 / 分享）", "likes"): f"select sum(f.likes_delta) {_DAILY} where {{where}}",
    ("互动构成（点赞 / 评论 / 分享）", "comments"): f"select sum(f.comments_delta) {_DAILY} where {{where}}",
    ("互动构成（点赞 / 评论 / 分享）", "shares"): f"select sum(f.shares_delta) {_DAILY} where {{where}}",
    ("粉丝净增趋势", "followers_net"): (
        f"select sum(f.followers_gained - f.followers_lost) {_FOLLOWERS} where {{where}}"
    ),
    ("海外受众地区分布", "audience_views"): (
        "select sum(a.value) from fct_account_audience a left join dim_city c using (city_code)"
        " left join dim_platform pl using (platform)"
        " where a.metric = 'views' and a.dimension in ('country', 'city') and pl.region = 'overseas' and {where}"
    ),
    # 城市传播力月度评估
    ("综合传播力趋势", "composite_score"): (
        f"select avg(s.score) from eval_composite_score s {_OFFICIAL} left join dim_city c using (city_code)"
        " where s.composite = 'overall' and {where}"
    ),
    ("平台得分趋势", "platform_score"): (
        f"select avg(s.score) from eval_platform_score s {_OFFICIAL} left join dim_city c using (city_code)"
        " left join dim_platform pl using (platform) where {where}"
    ),
    ("维度得分对比", "dimension_score"): (
        f"select avg(s.score) from eval_dimension_score s {_OFFICIAL} left join dim_city c using (city_code)"
        " left join dim_platform pl using (platform) where {where}"
    ),
    # 话题与主题
    ("BEST 主题构成", "post_count"): f"select count(*) {_POSTS} where {{where}}",
    ("分城市主题构成", "post_count"): f"select count(*) {_POSTS} where {{where}}",
    ("主题均衡度", "theme_balance"): _THEME_BALANCE,
    ("话题阅读量趋势", "topic_reads"): f"select max(t.reads) {_TOPICS} where {{where}}",
    ("话题排行（阅读量 / 讨论量）", "topic_reads"): f"select max(t.reads) {_TOPICS} where {{where}}",
    (
        "话题排行（阅读量 / 讨论量）",
        "topic_discussions",
    ): f"select max(t.discussions) {_TOPICS} where {{where}}",
    ("热搜上榜情况", "hot_days"): (
        f"select count(distinct t.date_day) {_TOPICS} where t.hot_search_hits > 0 and {{where}}"
    ),
    (
        "热搜上榜情况",
        "hot_search_hits",
    ): f"select sum(t.hot_search_hits) {_TOPICS} where t.hot_search_hits > 0 and {{where}}",
    (
        "热搜上榜情况",
        "best_hot_rank",
    ): f"select min(t.best_hot_rank) {_TOPICS} where t.hot_search_hits > 0 and {{where}}",
    # 内容诊断
    ("内容诊断指标", "diag_value"): (
        "select avg(s.value) from eval_supplementary s join eval_run r using (run_id)"
        " left join dim_city c using (city_code) left join dim_platform pl using (platform)"
        " where s.measure like 'diag_%' and {where}"
    ),
    # 数据管道健康
    (
        "每日落地文件数",
        "files",
    ): "select count(*) from ops_ingests i left join dim_platform pl using (platform) where {where}",
    (
        "文件落地结果",
        "files",
    ): "select count(*) from ops_ingests i left join dim_platform pl using (platform) where {where}",
    ("隔离文件（按原因）", "files"): (
        "select count(*) from ops_ingests i left join dim_platform pl using (platform)"
        " where i.status = 'quarantined' and {where}"
    ),
    ("拒收行（按原因）", "rejected_rows"): (
        "select count(*) from ops_rejects x left join dim_platform pl using (platform) where {where}"
    ),
    ("质量检查结果", "checks"): "select count(*) from ops_quality_results where {where}",
}
KPI_CHARTS = {"发帖数", "播放量", "互动量", "互动率"}


def _chart_metrics(chart: dict[str, Any], dataset: dict[str, Any]) -> list[tuple[str, Any]]:
    """(saved metric name, the metric as the chart asks for it) for every metric of a chart."""
    params = chart["params"]
    metrics = [*params.get("metrics", []), *([params["metric"]] if params.get("metric") else [])]
    return [(str(saved_metric(dataset, m)), m) for m in metrics]


def _cases() -> list[tuple[str, str, str, Any]]:
    """(dashboard, chart, saved metric, metric as asked) for every metric a dashboard chart shows."""
    assets = load_assets(REPO_ROOT / "superset" / "assets")
    cases = []
    for dashboard in assets["dashboards"].values():
        for node in dashboard["position"].values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                chart = assets["charts"][node["meta"]["uuid"]]
                dataset = assets["datasets"][chart["dataset_uuid"]]
                cases += [
                    (dashboard["dashboard_title"], chart["slice_name"], name, metric)
                    for name, metric in _chart_metrics(chart, dataset)
                ]
    return cases


CASES = _cases()


def test_every_dashboard_metric_has_an_independent_expectation() -> None:
    assert {(chart, metric) for _, chart, metric, _ in CASES} == set(EXPECTED)


@pytest.fixture(scope="module")
def charts(analyst: SupersetClient) -> dict[str, dict[str, Any]]:
    """Chart name → GET /api/v1/chart/<id> result (params, saved query context, datasource)."""
    out = {}
    for row in analyst.list_all("chart"):
        response = analyst.get(f"/api/v1/chart/{row['id']}")
        assert response.status_code == 200, response.text[:200]
        out[row["slice_name"]] = {**response.json()["result"], "id": row["id"]}
    return out


@pytest.fixture(scope="module")
def dashboards(analyst: SupersetClient) -> dict[str, dict[str, Any]]:
    """Dashboard title → its metadata (native filters) and the chart names on it by position id."""
    assets = load_assets(REPO_ROOT / "superset" / "assets")
    out = {}
    for dashboard in assets["dashboards"].values():
        chart_ids = {
            node["meta"]["chartId"]: assets["charts"][node["meta"]["uuid"]]["slice_name"]
            for node in dashboard["position"].values()
            if isinstance(node, dict) and node.get("type") == "CHART"
        }
        out[dashboard["dashboard_title"]] = {"metadata": dashboard["metadata"], "chart_ids": chart_ids}
    return out


@pytest.fixture(scope="module")
def dataset_columns() -> dict[int, set[str]]:
    """Dataset id → its column names, filled as the charts are checked."""
    return {}


@pytest.fixture(scope="module")
def warehouse(superset_home: Settings) -> Path:
    return superset_home.serving_db


@pytest.fixture(scope="module")
def city(warehouse: Path) -> str:
    """成都 when the sample has its posts, otherwise the city with the most posts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select c.city_name_zh from dim_post p join dim_city c using (city_code)"
            " group by 1 order by (c.city_name_zh = ?) desc, count(*) desc limit 1",
            [PREFERRED_CITY],
        ).fetchall()
    assert rows, "the sample warehouse has no post with a known city"
    return str(rows[0][0])


def _dataset_columns(analyst: SupersetClient, chart: dict[str, Any], cache: dict[int, set[str]]) -> set[str]:
    dataset_id = chart["query_context_parsed"]["datasource"]["id"]
    if dataset_id not in cache:
        response = analyst.get(f"/api/v1/dataset/{dataset_id}")
        assert response.status_code == 200, response.text[:200]
        cache[dataset_id] = {c["column_name"] for c in response.json()["result"]["columns"]}
    return cache[dataset_id]


def _native_filters(
    dashboard: dict[str, Any], chart_name: str, columns: set[str], city: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The filters the dashboard's 城市/平台 filters send to this chart, and the SQL conditions they mean."""
    values = {"城市": (city, "c.city_name_zh"), "平台": (PLATFORM, "pl.platform_name_zh")}
    by_name = {v: k for k, v in dashboard["chart_ids"].items()}
    filters, conditions = [], []
    for native in dashboard["metadata"]["native_filter_configuration"]:
        if native["name"] not in values:
            continue
        column = native["targets"][0]["column"]["name"]
        if by_name[chart_name] in native["scope"].get("excluded", []) or column not in columns:
            continue
        value, sql_column = values[native["name"]]
        filters.append({"col": column, "op": "IN", "val": [value]})
        conditions.append(f"{sql_column} = '{value}'")
    return filters, conditions


def _total(analyst: SupersetClient, chart: dict[str, Any], metric: Any, filters: list[dict[str, Any]]) -> Any:
    """The chart's saved query, asked for one metric's total (no grouping, no post-processing)."""
    context = chart["query_context_parsed"]
    query = {
        **context["queries"][0],
        "columns": [],
        "series_columns": [],
        "metrics": [metric],
        "orderby": [],
        "post_processing": [],
        "row_limit": 1,
    }
    body = with_filters({**context, "queries": [query], "force": True}, filters)
    result = analyst.post_chart_data(body, chart["slice_name"])["result"][0]
    assert not result.get("error"), result["error"]
    label = metric if isinstance(metric, str) else metric["label"]
    return result["data"][0][label] if result["data"] else None


def _expected(warehouse: Path, chart: str, metric: str, conditions: list[str]) -> Any:
    sql = EXPECTED[(chart, metric)].replace("{where}", " and ".join(conditions) or "true")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()[0][0]


def _same(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(
    ("dashboard", "chart", "metric", "asked"), CASES, ids=[f"{c}-{m}" for _, c, m, _ in CASES]
)
def test_chart_metric_equals_independent_sql(
    analyst: SupersetClient,
    charts: dict[str, dict[str, Any]],
    dashboards: dict[str, dict[str, Any]],
    warehouse: Path,
    city: str,
    dataset_columns: dict[int, set[str]],
    dashboard: str,
    chart: str,
    metric: str,
    asked: Any,
) -> None:
    saved = charts[chart]
    saved["query_context_parsed"] = json.loads(saved["query_context"])
    columns = _dataset_columns(analyst, saved, dataset_columns)
    default = _total(analyst, saved, asked, [])
    assert _same(default, _expected(warehouse, chart, metric, [])), (default, "unfiltered")
    assert default is not None, "the sample warehouse should give every dashboard metric a value"
    filters, conditions = _native_filters(dashboards[dashboard], chart, columns, city)
    narrowed = _total(analyst, saved, asked, filters)
    assert _same(narrowed, _expected(warehouse, chart, metric, conditions)), (narrowed, filters)


@pytest.mark.parametrize("chart", sorted(KPI_CHARTS))
def test_kpi_saved_query_answers_the_independent_value(
    analyst: SupersetClient, charts: dict[str, dict[str, Any]], warehouse: Path, chart: str
) -> None:
    saved = charts[chart]
    response = analyst.saved_chart_data(saved["id"])
    assert response.status_code == 200, response.text[:300]
    (row,) = response.json()["result"][0]["data"]
    (value,) = row.values()
    metric = saved["params"] if isinstance(saved["params"], dict) else json.loads(saved["params"])
    assert _same(value, _expected(warehouse, chart, metric["metric"], []))
