"""数据管道健康 as code: rejects and quarantined files grouped by the Chinese reason category (not
the message text, which quotes rows and values), and failures drawn red whatever the palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

from citypulse.lake import integrity
from tests.pipeline import SamplePipeline

ASSETS = Path(__file__).resolve().parents[2] / "superset" / "assets"


def _load(kind: str, name: str) -> dict[str, Any]:
    return yaml.safe_load((ASSETS / kind / f"{name}.yaml").read_text(encoding="utf-8"))


def _red(colour: str) -> bool:
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return r > 150 and r > 2 * g and r > 2 * b


def test_reasons_are_grouped_by_their_chinese_category() -> None:
    rejects = _load("charts", "ops_rejects_by_reason")["params"]
    assert rejects["x_axis"] == "reason_label"
    quarantined = _load("charts", "ops_quarantine_by_reason")["params"]
    assert quarantined["groupby"][0] == "reason_label" and "error" in quarantined["groupby"]
    for dataset in ("ops_rejects", "ops_ingests"):
        spec = _load("datasets/citypulse_warehouse", dataset)
        columns = {c["column_name"]: c for c in spec["columns"]}
        assert {"reason_code", "reason_label"} <= set(columns), dataset
        assert "reason_label" in spec["sql"] and "reason_code" in spec["sql"], dataset
        assert not columns["reason_label"]["verbose_name"].isascii()


def test_failed_checks_are_red() -> None:
    dashboard = _load("dashboards", "pipeline_health")
    colours = dashboard["metadata"]["label_colors"]
    for failure in ("失败", "错误", "已隔离"):
        assert _red(colours[failure]), (failure, colours[failure])
    assert not _red(colours["通过"]) and not _red(colours["已落地"])


def test_integrity_rows_are_the_ledger_audit_of_the_pipeline(sample_pipeline: SamplePipeline) -> None:
    """The dashboard's 台账完整性检查 rows (its dataset's SQL over the published warehouse) are what
    citypulse.lake.integrity finds in the sample pipeline's data home now."""
    settings = sample_pipeline.settings
    dataset = _load("datasets/citypulse_warehouse", "ops_integrity_checks")
    with duckdb.connect(str(settings.serving_db), read_only=True) as conn:
        shown = conn.execute(
            f"select check_name, ok, ok_zh, findings, detail, deep from ({dataset['sql']}) as t order by 1"
        ).fetchall()
    expected = sorted(integrity.summarise(integrity.audit(settings), deep=False), key=lambda c: c.name)
    assert shown == [(c.name, c.ok, "是" if c.ok else "否", c.findings, c.detail, False) for c in expected]
    assert [c.name for c in expected] == [integrity.ORPHANS, integrity.RAW_COPIES]
    chart = _load("charts", "ops_integrity_checks")
    assert chart["dataset_uuid"] == dataset["uuid"]
    labels = {c["column_name"]: c["verbose_name"] for c in dataset["columns"]}
    assert [labels[c] for c in chart["params"]["all_columns"]] == [
        "检查项",
        "通过",
        "发现数",
        "详情",
        "检查时间",
    ]
