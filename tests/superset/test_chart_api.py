"""Every chart answers the API as 分析员 would call it, from the query context saved with the chart."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

from citypulse.superset.client import SupersetClient
from citypulse.superset.query_context import build_query_context
from tests.superset.test_server import sqllab, warehouse_id

pytestmark = pytest.mark.slow

LINK = re.compile(r'^<a href="(https?://[^"<>]+)" target="_blank" rel="noopener noreferrer">([^<>]+)</a>$')


def test_every_chart_answers_get_chart_data_from_its_saved_query_context(analyst: SupersetClient) -> None:
    charts = analyst.list_all("chart")
    assert len(charts) >= 30
    failed, empty = [], []
    for chart in charts:
        response = analyst.saved_chart_data(chart["id"])
        if response.status_code != 200:
            failed.append((chart["slice_name"], response.status_code, response.text[:200]))
            continue
        result = response.json()["result"][0]
        if result.get("error"):
            failed.append((chart["slice_name"], 200, result["error"]))
        elif not result["data"]:
            empty.append(chart["slice_name"])
    assert not failed and not empty, (failed, empty)


def test_saved_query_context_is_built_from_the_charts_params(admin: SupersetClient) -> None:
    """What the import saved is what the builder makes of the params now (no stale, hand-edited copy)."""
    for row in admin.list_all("chart"):
        chart = admin.get(f"/api/v1/chart/{row['id']}").json()["result"]
        saved = json.loads(chart["query_context"])
        params = json.loads(chart["params"])
        datasource = saved["datasource"]
        assert datasource["type"] == "table"
        assert params["datasource"] == f"{datasource['id']}__table"
        assert saved == build_query_context(params, datasource["id"]), chart["slice_name"]


def test_sql_lab_honours_the_users_limit(analyst: SupersetClient) -> None:
    database_id = warehouse_id(analyst)
    status, body = sqllab(analyst, database_id, "select count(*) as n from dim_post")
    assert status == 200 and body["data"][0]["n"] > 10
    for sql, rows in (
        ("select post_id from dim_post limit 10", 10),
        ("select post_id from dim_post order by post_id limit 3", 3),
        ("select post_id from dim_post\nLIMIT 10;", 10),
    ):
        status, body = sqllab(analyst, database_id, sql)
        assert status == 200, body
        assert len(body["data"]) == rows, (sql, len(body["data"]), body.get("query", {}).get("executedSql"))


def _top_posts(analyst: SupersetClient) -> dict[str, Any]:
    (chart,) = [c for c in analyst.list_all("chart") if c["slice_name"] == "热门内容 TOP 20"]
    return analyst.chart_data({**analyst.get(f"/api/v1/chart/{chart['id']}").json()["result"]})


def test_top_posts_show_every_title_and_link_only_web_addresses(analyst: SupersetClient) -> None:
    database_id = warehouse_id(analyst)
    status, body = sqllab(
        analyst,
        database_id,
        "select count(*) as n from fct_post_latest where post_url is null and title is not null",
    )
    assert status == 200 and body["data"][0]["n"] > 0, "the sample should hold posts without a link"
    status, body = sqllab(
        analyst,
        database_id,
        "select post_link, post_url, title from ("
        + _dataset_sql(analyst, "内容_帖子排行")
        + ") as t where post_url is null and title is not null limit 5",
    )
    assert status == 200 and body["data"], body
    for row in body["data"]:
        assert row["post_link"] and "<a" not in row["post_link"], row
    rows = _top_posts(analyst)["result"][0]["data"]
    assert len(rows) == 20
    for row in rows:
        link = row["post_link"]
        assert link and link != "N/A", row
        match = LINK.match(link)
        assert match or not re.search(r"<[a-z]", link), link


def _dataset_sql(client: SupersetClient, name: str) -> str:
    (dataset,) = [d for d in client.list_all("dataset") if d["table_name"] == name]
    return str(client.get(f"/api/v1/dataset/{dataset['id']}").json()["result"]["sql"])


# Cells a spreadsheet would run as formulas, each with what the analyst's CSV export must hold.
FORMULA_CELLS = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "+1+1": "'+1+1",
    "-1+1": "'-1+1",
    "@SUM(1)": "'@SUM(1)",
    "\t=1+1": "'\t=1+1",
    "-12": "-12",  # a negative number stays a number
    "成都": "成都",
}


def test_csv_export_neutralises_cells_a_spreadsheet_would_run(analyst: SupersetClient) -> None:
    """An analyst's CSV export of a chart: text starting like a formula is prefixed with a quote."""
    (chart,) = [c for c in analyst.list_all("chart") if c["slice_name"] == "热门内容 TOP 20"]
    context = json.loads(analyst.get(f"/api/v1/chart/{chart['id']}").json()["result"]["query_context"])
    query = context["queries"][0]
    literals = [("'" + value.replace("'", "''") + "'", f"c{n}") for n, value in enumerate(FORMULA_CELLS)]
    query["columns"] = [
        {"expressionType": "SQL", "sqlExpression": sql, "label": label} for sql, label in literals
    ]
    query.update(metrics=[], orderby=[], row_limit=1)
    context.update(
        result_format="csv", result_type="full", form_data={**context["form_data"], "query_mode": "raw"}
    )
    response = analyst.post("/api/v1/chart/data", context)
    assert response.status_code == 200, response.text[:300]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [label for _, label in literals], rows[0]
    assert rows[1] == list(FORMULA_CELLS.values()), rows[1]
