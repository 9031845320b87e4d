"""A small Superset REST client: log in, call the API, and ask a saved chart for its data.

Used by the tests and the demo to check dashboards from outside, the way a browser or script would.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from citypulse.errors import CityPulseError


class SupersetClient:
    def __init__(self, base_url: str, timeout_s: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.session = requests.Session()

    def login(self, username: str, password: str) -> SupersetClient:
        response = self.session.post(
            f"{self.base_url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": False},
            timeout=self.timeout_s,
        )
        if response.status_code != 200:
            raise CityPulseError(
                f"Superset login as {username} failed: HTTP {response.status_code} {response.text[:200]}"
            )
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        csrf = self.session.get(f"{self.base_url}/api/v1/security/csrf_token/", timeout=self.timeout_s)
        if csrf.status_code == 200:
            self.session.headers["X-CSRFToken"] = csrf.json()["result"]
            self.session.headers["Referer"] = self.base_url
        return self

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.base_url}{path}", timeout=self.timeout_s, **kwargs)

    def post(self, path: str, payload: dict[str, Any], **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.base_url}{path}", json=payload, timeout=self.timeout_s, **kwargs)

    def list_all(self, resource: str) -> list[dict[str, Any]]:
        """Every row of /api/v1/<resource>/ (paged)."""
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            query = f"(page:{page},page_size:100)"
            response = self.get(f"/api/v1/{resource}/", params={"q": query})
            if response.status_code != 200:
                raise CityPulseError(
                    f"GET /api/v1/{resource}/: HTTP {response.status_code} {response.text[:200]}"
                )
            batch = response.json()["result"]
            rows.extend(batch)
            if len(batch) < 100:
                return rows
            page += 1

    def chart_data(self, chart: dict[str, Any], force: bool = True) -> dict[str, Any]:
        """POST /api/v1/chart/data for a chart (as returned by GET /api/v1/chart/<id>); raises on HTTP errors."""
        response = self.post("/api/v1/chart/data", query_context(chart, force=force))
        if response.status_code != 200:
            raise CityPulseError(
                f"chart {chart.get('slice_name')!r}: HTTP {response.status_code} {response.text[:300]}"
            )
        return response.json()


def _filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"col": f["subject"], "op": f["operator"], **({"val": f["comparator"]} if "comparator" in f else {})}
        for f in params.get("adhoc_filters", [])
        if f.get("expressionType") == "SIMPLE" and f.get("clause", "WHERE") == "WHERE"
    ]


def _query(params: dict[str, Any]) -> dict[str, Any]:
    """The query object the frontend's buildQuery would send for the viz types our assets use."""
    viz = params["viz_type"]
    base: dict[str, Any] = {
        "filters": _filters(params),
        "extras": {"having": "", "where": ""},
        "row_limit": params.get("row_limit", 1000),
    }
    if viz == "table" and params.get("query_mode") == "raw":
        order = [json.loads(o) for o in params.get("order_by_cols", [])]
        return {**base, "columns": params["all_columns"], "metrics": [], "orderby": order}
    if viz == "table":
        order_metric = params.get("timeseries_limit_metric") or params["metrics"][0]
        return {
            **base,
            "columns": params["groupby"],
            "metrics": params["metrics"],
            "orderby": [[order_metric, False]],
        }
    if viz == "big_number_total":
        return {**base, "columns": [], "metrics": [params["metric"]]}
    if viz == "pie":
        return {
            **base,
            "columns": params["groupby"],
            "metrics": [params["metric"]],
            "orderby": [[params["metric"], False]],
        }
    if viz.startswith("echarts_timeseries"):
        x_axis: Any = params["x_axis"]
        if params.get("time_grain_sqla"):
            x_axis = {
                "columnType": "BASE_AXIS",
                "sqlExpression": x_axis,
                "label": x_axis,
                "expressionType": "SQL",
                "timeGrain": params["time_grain_sqla"],
            }
        return {
            **base,
            "columns": [x_axis, *params.get("groupby", [])],
            "metrics": params["metrics"],
            "orderby": [[params["metrics"][0], False]],
            "series_columns": params.get("groupby", []),
        }
    raise CityPulseError(f"no query builder for viz_type {viz!r}")


def query_context(chart: dict[str, Any], force: bool = True) -> dict[str, Any]:
    """Chart data request body for a chart from GET /api/v1/chart/<id> (its params and datasource)."""
    params = chart["params"] if isinstance(chart["params"], dict) else json.loads(chart["params"])
    return {
        "datasource": {"id": chart["datasource_id"], "type": chart.get("datasource_type", "table")},
        "force": force,
        "queries": [_query(params)],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
