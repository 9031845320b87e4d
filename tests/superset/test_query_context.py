"""The saved query context is the frontend's buildQuery for each viz type the assets use."""

from __future__ import annotations

from typing import Any

import pytest

from citypulse.settings import REPO_ROOT
from citypulse.superset.bundle import load_assets
from citypulse.superset.query_context import UnsupportedChart, build_query_context

CHARTS = sorted(
    load_assets(REPO_ROOT / "superset" / "assets")["charts"].values(), key=lambda c: c["slice_name"]
)


@pytest.mark.parametrize("chart", CHARTS, ids=[c["slice_name"] for c in CHARTS])
def test_every_chart_gets_a_context_of_its_params(chart: dict[str, Any]) -> None:
    params = chart["params"]
    context = build_query_context(params, 7)
    (query,) = context["queries"]
    assert context["datasource"] == {"id": 7, "type": "table"}
    assert context["form_data"]["datasource"] == "7__table"
    assert context["form_data"]["viz_type"] == chart["viz_type"]
    assert query["row_limit"] == params["row_limit"]
    simple = [f for f in params.get("adhoc_filters", []) if f["expressionType"] == "SIMPLE"]
    assert [f["col"] for f in query["filters"]] == [f["subject"] for f in simple]
    if params.get("query_mode") == "raw":
        assert query["columns"] == params["all_columns"] and query["metrics"] == []
    elif chart["viz_type"].startswith("echarts_timeseries"):
        assert query["series_columns"] == params.get("groupby", [])
        assert query["post_processing"][0]["operation"] == "pivot"
        assert query["post_processing"][-1] == {"operation": "flatten"}
    else:
        assert query["columns"] == params.get("groupby", [])
        assert query["metrics"] == [
            *params.get("metrics", []),
            *([params["metric"]] if "metric" in params else []),
        ]


def test_a_weekly_line_is_what_explore_sends() -> None:
    """Superset 6's echarts timeseries buildQuery, normalizeTimeColumn and operators, by hand."""
    params = {
        "viz_type": "echarts_timeseries_line",
        "adhoc_filters": [
            {"clause": "WHERE", "expressionType": "SIMPLE", "subject": "is_official", "operator": "IS TRUE"},
            {"clause": "WHERE", "expressionType": "SQL", "sqlExpression": "score > 0"},
        ],
        "row_limit": 10000,
        "x_axis": "date_day",
        "time_grain_sqla": "P1W",
        "metrics": ["views"],
        "groupby": ["city_name_zh"],
        "truncate_metric": True,
        "resample_method": "zerofill",
        "resample_rule": "7D",
    }
    (query,) = build_query_context(params, 3)["queries"]
    assert query == {
        "filters": [{"col": "is_official", "op": "IS TRUE"}],
        "extras": {"having": "", "where": "(score > 0)", "time_grain_sqla": "P1W"},
        "applied_time_extras": {},
        "columns": [
            {
                "timeGrain": "P1W",
                "columnType": "BASE_AXIS",
                "sqlExpression": "date_day",
                "label": "date_day",
                "expressionType": "SQL",
                "isColumnReference": True,
            },
            "city_name_zh",
        ],
        "metrics": ["views"],
        "orderby": [["views", False]],
        "annotation_layers": [],
        "series_columns": ["city_name_zh"],
        "series_limit": 0,
        "group_others_when_limit_reached": False,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "row_limit": 10000,
        "time_offsets": [],
        "post_processing": [
            {
                "operation": "pivot",
                "options": {
                    "index": ["date_day"],
                    "columns": ["city_name_zh"],
                    "aggregates": {"views": {"operator": "mean"}},
                    "drop_missing_columns": True,
                },
            },
            {"operation": "resample", "options": {"method": "asfreq", "rule": "7D", "fill_value": 0}},
            {"operation": "rename", "options": {"columns": {"views": None}, "level": 0, "inplace": True}},
            {"operation": "flatten"},
        ],
    }


def test_an_aggregate_table_orders_by_its_sort_metric() -> None:
    params = {
        "viz_type": "table",
        "query_mode": "aggregate",
        "groupby": ["topic"],
        "metrics": ["topic_reads", "topic_discussions"],
        "timeseries_limit_metric": "topic_reads",
        "order_desc": True,
        "row_limit": 50,
    }
    (query,) = build_query_context(params, 1)["queries"]
    assert query["orderby"] == [["topic_reads", False]]
    assert query["columns"] == ["topic"] and query["post_processing"] == []


def test_an_unknown_viz_type_is_refused() -> None:
    with pytest.raises(UnsupportedChart):
        build_query_context({"viz_type": "deck_arc"}, 1)
