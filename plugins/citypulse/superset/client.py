"""A small Superset REST client: log in, call the API, and ask a saved chart for its data.

Used by the tests and the demo to check dashboards from outside, the way a browser or script would.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from citypulse.errors import CityPulseError
from citypulse.superset.query_context import build_query_context


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
        return self.post_chart_data(query_context(chart, force=force), str(chart.get("slice_name")))

    def post_chart_data(self, context: dict[str, Any], label: str = "chart") -> dict[str, Any]:
        """POST /api/v1/chart/data with a query context; raises on HTTP errors."""
        response = self.post("/api/v1/chart/data", context)
        if response.status_code != 200:
            raise CityPulseError(f"{label}: HTTP {response.status_code} {response.text[:300]}")
        return response.json()

    def saved_chart_data(self, chart_id: int, force: bool = True) -> requests.Response:
        """GET /api/v1/chart/<id>/data/: the chart's saved query context, as API clients and reports use it."""
        return self.get(f"/api/v1/chart/{chart_id}/data/", params={"force": "true" if force else "false"})


def query_context(chart: dict[str, Any], force: bool = True) -> dict[str, Any]:
    """Chart data request body for a chart from GET /api/v1/chart/<id> (its params and datasource),
    built as the chart's own saved query context is (citypulse.superset.query_context)."""
    params = chart["params"] if isinstance(chart["params"], dict) else json.loads(chart["params"])
    body = build_query_context(params, chart["datasource_id"], chart.get("datasource_type") or "table")
    return {**body, "force": force}


def with_filters(context: dict[str, Any], filters: list[dict[str, Any]]) -> dict[str, Any]:
    """A query context narrowed the way a dashboard's native filters narrow a chart: their
    ``extra_form_data.filters`` are appended to every query's filters."""
    return {
        **context,
        "queries": [
            {**query, "filters": [*query.get("filters", []), *filters]} for query in context["queries"]
        ],
    }
