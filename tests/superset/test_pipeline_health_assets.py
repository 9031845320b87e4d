"""数据管道健康 as code: rejects and quarantined files grouped by the Chinese reason category (not
the message text, which quotes rows and values), and failures drawn red whatever the palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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
