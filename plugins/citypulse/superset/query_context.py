"""A chart's ``query_context``: the chart-data request Superset's explore view saves with a chart.

Superset answers ``GET /api/v1/chart/<id>/data/`` (the API, Alerts & Reports, cache warm-up) only
from the saved query context; the browser builds the same request itself from the chart's params
with the viz plugin's ``buildQuery``. This module is that ``buildQuery`` for the viz types the
assets use, ported from Superset 6's frontend (``buildQueryContext``/``buildQueryObject`` in
superset-ui-core, ``buildQuery.ts`` of the table, pie, big number and ECharts timeseries plugins),
so the saved context is the one explore would have saved.

Standard library only: ``provision.py`` loads this file by path inside Superset's interpreter at
asset-import time, and the pipeline's client uses it to query charts with dashboard filters.
"""

from __future__ import annotations

import json
from typing import Any

DTTM_ALIAS = "__timestamp"
TIMESERIES_VIZ = ("echarts_timeseries", "echarts_timeseries_line", "echarts_timeseries_bar")
SUPPORTED_VIZ = ("table", "pie", "big_number_total", *TIMESERIES_VIZ)


class UnsupportedChart(ValueError):
    """A chart whose viz type has no ported buildQuery: refuse rather than save a wrong context."""


def _metric_label(metric: Any) -> str:
    if isinstance(metric, str):
        return metric
    return str(metric.get("label") or metric.get("sqlExpression") or metric["column"]["column_name"])


def _column_label(column: Any) -> str:
    return column if isinstance(column, str) else str(column.get("label") or column["sqlExpression"])


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _filters(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str, str]:
    """processFilters: simple WHERE filters become ``filters``; SQL ones join ``extras.where``/``having``."""
    simple: list[dict[str, Any]] = []
    where: list[str] = []
    having: list[str] = []
    for adhoc in params.get("adhoc_filters") or []:
        clause = adhoc.get("clause", "WHERE")
        if adhoc.get("expressionType") == "SIMPLE":
            item = {"col": adhoc["subject"], "op": adhoc["operator"]}
            if "comparator" in adhoc and adhoc["comparator"] is not None:
                item["val"] = adhoc["comparator"]
            if clause == "WHERE":
                simple.append(item)
        elif adhoc.get("sqlExpression"):
            (where if clause == "WHERE" else having).append(f"({adhoc['sqlExpression']})")
    return simple, " AND ".join(where), " AND ".join(having)


def _query_fields(params: dict[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """extractQueryFields: columns, metrics and orderby by the query mode (raw vs. aggregate)."""
    raw = params.get("query_mode") == "raw"
    if raw:
        columns = _as_list(params.get("all_columns")) or _as_list(params.get("columns"))
        orderby = [json.loads(o) if isinstance(o, str) else o for o in _as_list(params.get("order_by_cols"))]
        return columns, [], orderby
    columns = _as_list(params.get("groupby"))
    metrics = _as_list(params.get("metrics")) + _as_list(params.get("metric"))
    return columns, metrics, []


def base_query_object(params: dict[str, Any]) -> dict[str, Any]:
    """buildQueryObject: the query fields every viz starts from."""
    filters, where, having = _filters(params)
    columns, metrics, orderby = _query_fields(params)
    extras: dict[str, Any] = {"having": having, "where": where}
    if params.get("time_grain_sqla"):
        extras["time_grain_sqla"] = params["time_grain_sqla"]
    query: dict[str, Any] = {
        "filters": filters,
        "extras": extras,
        "applied_time_extras": {},
        "columns": columns,
        "metrics": metrics,
        "orderby": orderby,
        "annotation_layers": [],
        "series_columns": [],
        "series_limit": int(params.get("series_limit") or 0),
        "group_others_when_limit_reached": bool(params.get("group_others_when_limit_reached", False)),
        "order_desc": params.get("order_desc", True),
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if params.get("time_range"):
        query["time_range"] = params["time_range"]
    if params.get("row_limit") not in (None, ""):
        query["row_limit"] = int(params["row_limit"])
    if params.get("series_limit_metric"):
        query["series_limit_metric"] = params["series_limit_metric"]
    return query


def _x_axis_column(params: dict[str, Any], time_grain: str | None) -> Any:
    """normalizeTimeColumn: the x axis as a BASE_AXIS column reference carrying the time grain."""
    x_axis = params["x_axis"]
    if not isinstance(x_axis, str):
        return {**({"timeGrain": time_grain} if time_grain else {}), "columnType": "BASE_AXIS", **x_axis}
    return {
        **({"timeGrain": time_grain} if time_grain else {}),
        "columnType": "BASE_AXIS",
        "sqlExpression": x_axis,
        "label": x_axis,
        "expressionType": "SQL",
        "isColumnReference": True,
    }


def _timeseries(params: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    groupby = _as_list(params.get("groupby"))
    metric_labels = [_metric_label(m) for m in base["metrics"]]
    x_label = params.get("x_axis") if isinstance(params.get("x_axis"), str) else DTTM_ALIAS
    orderby = base["orderby"] or ([[base["metrics"][0], not base["order_desc"]]] if base["metrics"] else [])
    post: list[dict[str, Any]] = [
        {
            "operation": "pivot",
            "options": {
                "index": [x_label],
                "columns": [_column_label(c) for c in groupby],
                "aggregates": {label: {"operator": "mean"} for label in metric_labels},
                "drop_missing_columns": not params.get("show_empty_columns", False),
            },
        }
    ]
    method, rule = params.get("resample_method"), params.get("resample_rule")
    if method and rule:
        zero_fill = method == "zerofill"
        post.append(
            {
                "operation": "resample",
                "options": {
                    "method": "asfreq" if zero_fill else method,
                    "rule": rule,
                    "fill_value": 0 if zero_fill else None,
                },
            }
        )
    if len(metric_labels) == 1 and groupby and params.get("truncate_metric"):
        post.append(
            {
                "operation": "rename",
                "options": {"columns": {metric_labels[0]: None}, "level": 0, "inplace": True},
            }
        )
    sort_key, ascending = params.get("x_axis_sort"), params.get("x_axis_sort_asc")
    if (
        sort_key is not None
        and ascending is not None
        and not groupby
        and sort_key in (x_label, *metric_labels)
    ):
        options = {"is_sort_index": True} if sort_key == x_label else {"by": sort_key}
        post.append({"operation": "sort", "options": {**options, "ascending": ascending}})
    post.append({"operation": "flatten"})
    return {
        **base,
        "columns": [_x_axis_column(params, base["extras"].get("time_grain_sqla")), *groupby],
        "series_columns": groupby,
        "orderby": orderby,
        "time_offsets": [],
        "post_processing": post,
    }


def _table(params: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    if params.get("query_mode") == "raw":
        return {**base, "post_processing": [], "time_offsets": []}
    metrics = base["metrics"]
    sort_by = _as_list(params.get("timeseries_limit_metric"))
    if sort_by:
        orderby = [[sort_by[0], not params.get("order_desc", False)]]
    elif metrics:
        orderby = [[metrics[0], False]]
    else:
        orderby = base["orderby"]
    return {**base, "orderby": orderby, "post_processing": [], "time_offsets": []}


def _pie(params: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    query = dict(base)
    if params.get("sort_by_metric"):
        query["orderby"] = [[params["metric"], False]]
    return query


def build_query(params: dict[str, Any]) -> dict[str, Any]:
    """The one query object the viz's buildQuery sends for these params."""
    viz = params.get("viz_type")
    base = base_query_object(params)
    if viz in TIMESERIES_VIZ:
        return _timeseries(params, base)
    if viz == "table":
        return _table(params, base)
    if viz == "pie":
        return _pie(params, base)
    if viz == "big_number_total":
        return base
    raise UnsupportedChart(f"no buildQuery for viz_type {viz!r} (supported: {', '.join(SUPPORTED_VIZ)})")


def build_query_context(
    params: dict[str, Any], datasource_id: int, datasource_type: str = "table"
) -> dict[str, Any]:
    """buildQueryContext: the body explore saves as the chart's ``query_context``."""
    form_data = {**params, "datasource": f"{datasource_id}__{datasource_type}"}
    return {
        "datasource": {"id": datasource_id, "type": datasource_type},
        "force": False,
        "queries": [build_query(form_data)],
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }
