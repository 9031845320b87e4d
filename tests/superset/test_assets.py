"""The dashboards-as-code tree and the config, checked without a running Superset."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from citypulse.settings import REPO_ROOT, Settings
from citypulse.superset.bundle import load_assets, render_bundle
from citypulse.superset.credentials import secret_key, superset_credentials
from citypulse.superset.runtime import assets_dir, config_path, superset_venv
from tests.pipeline import SamplePipeline

ASSETS = REPO_ROOT / "superset" / "assets"
REQUIRED_METRICS = {
    "发帖数",
    "播放量",
    "点赞量",
    "评论量",
    "分享量",
    "互动量",
    "互动率",
    "粉丝净增",
    "话题阅读量",
}
DASHBOARD_TITLES = {"城市传播力月度评估", "账号与内容表现", "话题与主题", "数据管道健康", "内容诊断"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def assets() -> dict[str, dict[str, dict]]:
    return load_assets(ASSETS)


@pytest.fixture(scope="module")
def sample_db(sample_pipeline: SamplePipeline) -> Path:
    """The serving warehouse the real pipeline published from ``citypulse sample`` (read only)."""
    return sample_pipeline.settings.serving_db


def test_references_resolve_and_uuids_are_unique(assets: dict[str, dict[str, dict]]) -> None:
    all_uuids = [u for kind in assets.values() for u in kind]
    assert len(all_uuids) == len(set(all_uuids))
    (database_uuid,) = assets["databases"]
    assert all(d["database_uuid"] == database_uuid for d in assets["datasets"].values())
    assert all(c["dataset_uuid"] in assets["datasets"] for c in assets["charts"].values())
    on_dashboards = set()
    for dashboard in assets["dashboards"].values():
        charts = [
            n["meta"]["uuid"]
            for n in dashboard["position"].values()
            if isinstance(n, dict) and n.get("type") == "CHART"
        ]
        assert charts and set(charts) <= set(assets["charts"])
        on_dashboards |= set(charts)
        for native in dashboard["metadata"]["native_filter_configuration"]:
            assert all(t["datasetUuid"] in assets["datasets"] for t in native["targets"])
    assert on_dashboards == set(assets["charts"]), "every chart is on a dashboard"


def test_dashboards_are_chinese_with_city_platform_month_filters(assets: dict[str, dict[str, dict]]) -> None:
    titles = {d["dashboard_title"] for d in assets["dashboards"].values()}
    assert titles == DASHBOARD_TITLES
    for dashboard in assets["dashboards"].values():
        names = {f["name"] for f in dashboard["metadata"]["native_filter_configuration"]}
        assert dashboard["metadata"]["cross_filters_enabled"] is True
        expected = {"平台"} if dashboard["dashboard_title"] == "数据管道健康" else {"城市", "平台", "月份"}
        assert names == expected
    assert all(HAN.search(c["slice_name"]) for c in assets["charts"].values())


def test_datasets_have_chinese_labels_descriptions_and_required_metrics(
    assets: dict[str, dict[str, dict]],
) -> None:
    metric_names = set()
    for dataset in assets["datasets"].values():
        assert (
            dataset["description"].startswith("每行代表")
            and "Each record represents" in dataset["description"]
        )
        for column in dataset["columns"]:
            assert column["verbose_name"] and HAN.search(column["verbose_name"]), column["column_name"]
            assert column["description"], column["column_name"]
        metric_names |= {m["verbose_name"] for m in dataset["metrics"]}
    assert REQUIRED_METRICS <= metric_names
    rate = [m for d in assets["datasets"].values() for m in d["metrics"] if m["verbose_name"] == "互动率"]
    assert rate and all("NULLIF" in m["expression"] for m in rate)


def test_charts_show_names_not_codes(assets: dict[str, dict[str, dict]]) -> None:
    """A column a chart shows or groups by is the Chinese name, never the code beside it
    (``douyin``, ``510100``); codes stay in the datasets for filters and joins."""
    names = {"platform": "platform_name_zh", "city_code": "city_name_zh"}
    shown_keys = ("all_columns", "groupby", "columns", "series", "entity", "x_axis")
    codes_shown = []
    for chart in assets["charts"].values():
        params = chart["params"]
        shown = [
            column
            for key in shown_keys
            for column in ([params[key]] if isinstance(params.get(key), str) else params.get(key) or [])
            if isinstance(column, str)
        ]
        codes_shown += [f"{chart['slice_name']}: {column}" for column in shown if column in names]
    assert not codes_shown, codes_shown


def test_dataset_sql_runs_on_the_pipeline_warehouse_with_the_declared_columns(
    assets: dict[str, dict[str, dict]], sample_db: Path
) -> None:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for dataset in assets["datasets"].values():
            relation = con.sql(dataset["sql"])
            assert set(relation.columns) == {c["column_name"] for c in dataset["columns"]}, dataset[
                "table_name"
            ]
            assert relation.aggregate("count(*)").fetchall()[0][0] > 0, dataset["table_name"]
            for metric in dataset["metrics"]:
                con.execute(f"select {metric['expression']} from ({dataset['sql']}) as t").fetchall()


def test_indicator_names_are_the_methodology_names(
    assets: dict[str, dict[str, dict]], sample_db: Path
) -> None:
    """指标取舍 names each indicator as the run's methodology does (its frozen config), not by code."""
    dataset = next(d for d in assets["datasets"].values() if d["table_name"] == "评估_指标取舍")
    seed = REPO_ROOT / "dbt_project" / "seeds" / "methodology" / "methodology_indicators.csv"
    with duckdb.connect(str(sample_db), read_only=True) as con:
        shown = con.execute(
            f"select distinct methodology_version, indicator, indicator_zh from ({dataset['sql']}) as t"
        ).fetchall()
        named = {
            (version, indicator): name
            for version, indicator, name in con.execute(
                f"select methodology_version, indicator, indicator_zh from read_csv('{seed}', all_varchar = true)"
            ).fetchall()
        }
    assert shown and all(name == named[(version, code)] for version, code, name in shown), shown


def test_engagement_rate_is_null_safe(sample_db: Path, assets: dict[str, dict[str, dict]]) -> None:
    dataset = next(d for d in assets["datasets"].values() if d["table_name"] == "内容_每日表现")
    rate = next(m["expression"] for m in dataset["metrics"] if m["verbose_name"] == "互动率")
    with duckdb.connect(str(sample_db), read_only=True) as con:
        no_views = con.execute(
            f"select {rate} from ({dataset['sql']}) as t where views_delta is null"
        ).fetchall()[0][0]
        assert no_views is None  # unknown views: unknown rate, not 0 and not an error


def test_bundle_templates_the_serving_uri(tmp_path: Path) -> None:
    serving = tmp_path / "home" / "warehouse" / "serving.duckdb"
    bundle = render_bundle(ASSETS, tmp_path / "b.zip", {"CITYPULSE_SERVING_DB": str(serving)})
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        database = yaml.safe_load(zf.read(next(n for n in names if "/databases/" in n)))
    assert any(n.endswith("metadata.yaml") for n in names)
    assert database["sqlalchemy_uri"] == f"duckdb:///{serving}"
    assert database["allow_dml"] is False and database["allow_file_upload"] is False
    config = database["extra"]["engine_params"]["connect_args"]
    assert config == {
        "read_only": True,
        "config": {
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "lock_configuration": True,
        },
    }


def test_credentials_are_private_merged_and_stable(home: Settings) -> None:
    home.credentials_file.write_text(json.dumps({"airflow": {"admin_password": "kept"}}), encoding="utf-8")
    first = superset_credentials(home)
    again = superset_credentials(home)
    stored = json.loads(home.credentials_file.read_text(encoding="utf-8"))
    assert first == again == stored["superset"]
    assert stored["airflow"] == {"admin_password": "kept"}
    assert stat.S_IMODE(home.credentials_file.stat().st_mode) == 0o600
    assert len({first["admin_password"], first["analyst_password"], first["viewer_password"]}) == 3
    assert all(len(first[f"{u}_password"]) >= 20 for u in ("admin", "analyst", "viewer"))


def test_secret_key_generated_once_and_private(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPERSET_SECRET_KEY", raising=False)
    key = secret_key(home)
    assert key == secret_key(home) and len(key) >= 48
    assert stat.S_IMODE((home.superset_home / "secret_key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("key", "refused"),
    [
        (None, True),
        ("CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", True),
        ("thisISaSECRET_1234", True),
        ("short-key", True),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", True),
        ("9xQ2-vLr7TkP0s_WbN4mZcY8aHdE3fGjU6iK1oRq", False),
    ],
)
def test_config_refuses_missing_or_weak_secret_key(home: Settings, key: str | None, refused: bool) -> None:
    python = superset_venv(home) / "bin" / "python"
    if not python.exists():
        pytest.skip("Superset environment not installed")
    env = {k: v for k, v in os.environ.items() if k != "SUPERSET_SECRET_KEY"}
    env["CITYPULSE_HOME"] = str(home.home)
    if key is not None:
        env["SUPERSET_SECRET_KEY"] = key
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('c', sys.argv[1]); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        "print(m.BABEL_DEFAULT_LOCALE, sorted(m.LANGUAGES), m.PREVENT_UNSAFE_DB_CONNECTIONS, m.SQLALCHEMY_DATABASE_URI)"
    )
    done = subprocess.run(
        [str(python), "-c", code, str(config_path(home))], env=env, capture_output=True, text=True
    )
    assert (done.returncode != 0) is refused, done.stderr[-500:]
    if not refused:
        assert done.stdout.split()[:4] == ["zh", "['en',", "'zh']", "True"]
        assert str(home.superset_home) in done.stdout


def test_zh_translations_ship_with_the_wheel(home: Settings) -> None:
    site = next(
        (superset_venv(home) / "lib").glob("python3*/site-packages/superset/translations/zh/LC_MESSAGES"),
        None,
    )
    if site is None:
        pytest.skip("Superset environment not installed")
    assert (site / "messages.mo").stat().st_size > 100_000
    assert (site / "messages.json").stat().st_size > 100_000


def test_dataset_columns_match_the_dbt_marts_when_they_exist(assets: dict[str, dict[str, dict]]) -> None:
    marts = [
        p
        for p in (REPO_ROOT / "dbt_project" / "models").rglob("*.sql")
        if p.stem.startswith(("dim_", "fct_", "eval_", "ops_"))
    ]
    if not marts:
        pytest.skip(
            "dbt marts not written yet: datasets are checked against the contract sample warehouse only"
        )
    sql_text = {p.stem: p.read_text(encoding="utf-8") for p in marts}
    referenced = set()
    for dataset in assets["datasets"].values():
        referenced |= set(re.findall(r"\b(?:from|join)\s+((?:dim|fct|eval|ops)_\w+)", dataset["sql"]))
    missing = sorted(referenced - set(sql_text))
    assert not missing, f"datasets read marts that dbt does not build: {missing}"


def test_assets_dir_is_the_repository_tree(home: Settings) -> None:
    assert assets_dir(home) == ASSETS
