"""Measurement 5: the SQL behind every dashboard chart against the big serving database.

The SQL is built from the dashboards-as-code (``superset/assets``) the way Superset builds it: the
dataset's SQL as a virtual table, the chart's metrics (the dataset's metric expressions), group-bys,
time grain, filters, ordering and row limit. Each query opens ``serving.duckdb`` read-only with the
locked-down configuration Superset's connection uses (design.md), runs, fetches every row and closes,
as Superset's null pool does. Charts are interleaved round by round; p95 per chart.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import duckdb

from bench.timing import Samples, p95
from citypulse.settings import REPO_ROOT

TARGET_P95_S = 0.300
_GRAINS = {"PT1H": "hour", "P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}
_READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _filter(f: dict[str, Any], columns: dict[str, str]) -> str:
    if f.get("expressionType") == "SQL":
        return f"({f['sqlExpression']})"
    col = columns.get(f["subject"], _q(f["subject"]))
    op = f["operator"]
    value = f.get("comparator")
    if op in ("IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"):
        return f"{col} {op}"
    if op in ("IN", "NOT IN"):
        values = value if isinstance(value, list) else [value]
        return f"{col} {op} ({', '.join(_literal(v) for v in values)})"
    return f"{col} {'=' if op == '==' else op} {_literal(value)}"


def _metric(metric: Any, metrics: dict[str, str]) -> tuple[str, str]:
    if isinstance(metric, str):
        return metrics[metric], metric
    label = metric.get("label") or "metric"
    if metric.get("expressionType") == "SQL":
        return metric["sqlExpression"], label
    return f"{metric['aggregate']}({_q(metric['column']['column_name'])})", label


def chart_sql(chart: dict[str, Any], dataset: dict[str, Any]) -> str:
    """The SELECT Superset issues for ``chart`` (viz types of our assets)."""
    params = chart["params"]
    metrics = {m["metric_name"]: m["expression"] for m in dataset.get("metrics") or []}
    columns = {
        c["column_name"]: (c.get("expression") or _q(c["column_name"])) for c in dataset.get("columns") or []
    }
    viz = params["viz_type"]
    where = [
        _filter(f, columns) for f in params.get("adhoc_filters") or [] if f.get("clause", "WHERE") == "WHERE"
    ]
    source = f"(\n{dataset['sql'].rstrip().rstrip(';')}\n) as virtual_table"
    limit = int(params.get("row_limit") or 1000)
    dims: list[tuple[str, str]] = []  # (expression, alias)
    chosen: list[Any] = []
    order = ""
    if viz == "table" and params.get("query_mode") == "raw":
        select = ", ".join(f"{columns.get(c, _q(c))} as {_q(c)}" for c in params["all_columns"])
        orders = [json.loads(o) for o in params.get("order_by_cols") or []]
        order = ", ".join(f"{_q(c)} {'asc' if asc else 'desc'}" for c, asc in orders)
        sql = f"select {select} from {source}"
        if where:
            sql += " where " + " and ".join(where)
        return sql + (f" order by {order}" if order else "") + f" limit {limit}"
    if viz == "big_number_total":
        chosen = [params["metric"]]
    elif viz == "pie":
        dims = [(columns.get(c, _q(c)), c) for c in params.get("groupby") or []]
        chosen = [params["metric"]]
    elif viz == "table":
        dims = [(columns.get(c, _q(c)), c) for c in params.get("groupby") or []]
        chosen = list(params.get("metrics") or [])
    elif viz.startswith("echarts_timeseries"):
        x = params["x_axis"]
        x_expr = columns.get(x, _q(x))
        grain = params.get("time_grain_sqla")
        if grain:
            x_expr = f"date_trunc('{_GRAINS[grain]}', {x_expr})"
        dims = [(x_expr, x)] + [(columns.get(c, _q(c)), c) for c in params.get("groupby") or []]
        chosen = list(params.get("metrics") or [])
    else:
        raise ValueError(f"no SQL builder for viz_type {viz!r}")
    selected = [_metric(m, metrics) for m in chosen]
    select = ", ".join([f"{e} as {_q(a)}" for e, a in dims] + [f"{e} as {_q(a)}" for e, a in selected])
    sql = f"select {select} from {source}"
    if where:
        sql += " where " + " and ".join(where)
    if dims:
        sql += " group by " + ", ".join(e for e, _ in dims)
    order_metric = params.get("timeseries_limit_metric") if viz == "table" else None
    if selected:
        order_expr = _metric(order_metric, metrics)[0] if order_metric else selected[0][0]
        sql += f" order by {order_expr} desc"
    return sql + f" limit {limit}"


def dashboard_queries(assets: Path | None = None) -> dict[str, str]:
    """chart file stem -> SQL, for every chart of the dashboards-as-code."""
    from citypulse.superset.bundle import load_assets

    loaded = load_assets(assets or REPO_ROOT / "superset" / "assets")
    queries = {}
    for chart in loaded["charts"].values():
        dataset = loaded["datasets"][chart["dataset_uuid"]]
        queries[chart["slice_name"]] = chart_sql(chart, dataset)
    return dict(sorted(queries.items()))


def _run(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db), read_only=True, config=dict(_READ_ONLY_CONFIG))
    try:
        return len(con.execute(sql).fetchall())
    finally:
        con.close()


def measure(db: Path, runs: int) -> dict[str, Any]:
    queries = dashboard_queries()
    names = list(queries)
    samples = {name: Samples() for name in names}
    rows: dict[str, int] = {}
    errors: dict[str, str] = {}
    for round_no in range(runs):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            if name in errors:
                continue
            started = time.perf_counter()
            try:
                rows[name] = _run(db, queries[name])
            except duckdb.Error as exc:
                errors[name] = str(exc).splitlines()[0][:300]
                continue
            samples[name].seconds.append(time.perf_counter() - started)
    charts = {name: {**samples[name].summary(), "rows": rows[name]} for name in names if name not in errors}
    worst = max(charts.items(), key=lambda kv: kv[1]["p95_s"]) if charts else None
    return {
        "database": str(db),
        "size_bytes": db.stat().st_size,
        "charts": charts,
        "errors": errors,
        "charts_measured": len(charts),
        "charts_total": len(names),
        "worst_chart": worst[0] if worst else None,
        "worst_p95_s": worst[1]["p95_s"] if worst else None,
        "p95_of_all_queries_s": round(p95([s for n in charts for s in samples[n].seconds]), 4)
        if charts
        else None,
        "target_p95_s_max": TARGET_P95_S,
        "charts_over_target": sorted(n for n, c in charts.items() if c["p95_s"] > TARGET_P95_S),
    }
