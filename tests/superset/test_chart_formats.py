"""Every number on a dashboard reads like a report: each chart's params name a number format for
every metric and numeric column, of the metric's kind (count, score, rate), and dates show no time."""

from __future__ import annotations

import re
from typing import Any

import pytest

from citypulse.settings import REPO_ROOT
from citypulse.superset.bundle import load_assets

ASSETS = REPO_ROOT / "superset" / "assets"
NUMERIC_TYPES = re.compile(r"^(BIGINT|INTEGER|INT|SMALLINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL.*|NUMERIC.*)$")
TEMPORAL_TYPES = re.compile(r"^(DATE|TIMESTAMP.*|DATETIME)$")
# SI prefixes (4M, 50k) and Superset's adaptive formats are what the report must not show
UNREADABLE = {"SMART_NUMBER", "~s", ".3s", ",.3s", None, ""}


def kind(d3format: str) -> str:
    """The kind of number a d3 format prints: rate (percent), integer count, or decimal."""
    if "%" in d3format:
        return "rate"
    if re.search(r"[dD]$", d3format) or re.search(r"\.0f$", d3format):
        return "count"
    return "decimal"


def _charts() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    assets = load_assets(ASSETS)
    return [(chart, assets["datasets"][chart["dataset_uuid"]]) for chart in assets["charts"].values()]


CHARTS = _charts()


def _metric_format(dataset: dict[str, Any], metric: str) -> str:
    (saved,) = [m for m in dataset["metrics"] if m["metric_name"] == metric]
    assert saved.get("d3format"), f"{dataset['table_name']}.{metric}: saved metric without d3format"
    return str(saved["d3format"])


def saved_metric(dataset: dict[str, Any], metric: Any) -> str | None:
    """The saved metric a chart metric is: by name, or an ad-hoc SQL metric with a saved expression."""
    if isinstance(metric, str):
        return metric
    expression = " ".join(str(metric.get("sqlExpression", "")).split()).lower()
    for saved in dataset["metrics"]:
        if " ".join(saved["expression"].split()).lower() == expression:
            return str(saved["metric_name"])
    return None


def problems(chart: dict[str, Any], dataset: dict[str, Any]) -> list[str]:
    """What in a chart's params would print an unformatted number or a date with a time."""
    params = chart["params"]
    viz = params["viz_type"]
    columns = {c["column_name"]: c for c in dataset["columns"]}
    column_config = params.get("column_config") or {}
    found: list[str] = []

    def check(label: str, chosen: str | None, expected: str) -> None:
        if chosen in UNREADABLE:
            found.append(f"{label}: no readable number format ({chosen!r})")
        elif kind(str(chosen)) != kind(expected):
            found.append(
                f"{label}: format {chosen!r} is a {kind(str(chosen))}, the metric a {kind(expected)}"
            )

    metrics = [*params.get("metrics", []), *([params["metric"]] if params.get("metric") else [])]
    saved = [saved_metric(dataset, m) for m in metrics]
    if None in saved:
        found.append("ad-hoc metric that is no saved metric (its d3format is the number's contract)")
    saved = [m for m in saved if m]
    if viz == "big_number_total" or viz.startswith("echarts_timeseries"):
        for metric in saved:
            check(metric, params.get("y_axis_format"), _metric_format(dataset, metric))
    elif viz == "pie":
        for metric in saved:
            check(metric, params.get("number_format"), _metric_format(dataset, metric))
    elif viz == "table":
        for metric in saved:
            check(
                metric,
                (column_config.get(metric) or {}).get("d3NumberFormat"),
                _metric_format(dataset, metric),
            )
        shown = (
            params.get("all_columns", []) if params.get("query_mode") == "raw" else params.get("groupby", [])
        )
        for name in shown:
            column_type = str(columns[name].get("type") or "")
            if NUMERIC_TYPES.match(column_type):
                chosen = (column_config.get(name) or {}).get("d3NumberFormat")
                if chosen in UNREADABLE:
                    found.append(f"column {name}: no number format")
            if TEMPORAL_TYPES.match(column_type):
                stamp = params.get("table_timestamp_format")
                if not stamp or stamp == "smart_date":
                    found.append(f"column {name}: no timestamp format")
                elif column_type == "DATE" and "%H" in stamp:
                    found.append(f"column {name}: a day shown with a time ({stamp})")
    else:
        found.append(f"viz_type {viz}: not covered by this test")
    if viz.startswith("echarts_timeseries"):
        x_axis = params.get("x_axis")
        if x_axis in columns and columns[x_axis].get("is_dttm"):
            time_format = params.get("x_axis_time_format")
            if not time_format or "%H" in time_format or time_format == "smart_date":
                found.append(f"x axis {x_axis}: day or month format needed, not {time_format!r}")
    if viz == "echarts_timeseries_line" and not params.get("markerEnabled"):
        found.append("line chart without point markers")
    return found


def test_the_check_catches_what_it_should() -> None:
    """The rule fails on the charts as they used to be (SI numbers, no markers, bare dates)."""
    chart = {
        "params": {
            "viz_type": "echarts_timeseries_line",
            "metrics": ["views"],
            "x_axis": "date_day",
            "y_axis_format": "SMART_NUMBER",
            "x_axis_time_format": "smart_date",
        }
    }
    dataset = {
        "table_name": "t",
        "metrics": [{"metric_name": "views", "d3format": ",d"}],
        "columns": [{"column_name": "date_day", "type": "DATE", "is_dttm": True}],
    }
    assert len(problems(chart, dataset)) == 3
    chart["params"].update(y_axis_format=".1%", x_axis_time_format="%Y-%m-%d", markerEnabled=True)
    assert problems(chart, dataset) == ["views: format '.1%' is a rate, the metric a count"]


@pytest.mark.parametrize(("chart", "dataset"), CHARTS, ids=[c["slice_name"] for c, _ in CHARTS])
def test_every_number_has_a_format_of_its_kind(chart: dict[str, Any], dataset: dict[str, Any]) -> None:
    assert problems(chart, dataset) == []
