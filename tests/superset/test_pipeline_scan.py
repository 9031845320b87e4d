"""PIPL through Superset: 分析员's SQL Lab, on the warehouse the real pipeline published from
``citypulse sample`` (tests/pipeline.py), finds no raw identifier of a pseudonymised account in any
table it can list: the scan of tests/warehouse/test_pseudonymisation_scan.py, run as an analyst
would run it."""

from __future__ import annotations

import re

import pytest

from citypulse.superset.client import SupersetClient
from tests.pipeline import SamplePipeline
from tests.superset.test_server import sqllab, warehouse_id
from tests.warehouse.test_pseudonymisation_scan import collect

pytestmark = pytest.mark.slow


def _tables_with(
    client: SupersetClient, database_id: int, tables: list[str], needles: list[str]
) -> list[str]:
    """The tables whose rows, as text, hold any of ``needles`` (one RE2 alternation per query)."""
    pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)).replace("'", "''")
    found = []
    for table in tables:
        status, body = sqllab(
            client,
            database_id,
            f"select count(*) as hits from main.\"{table}\" as r where regexp_matches(cast(r as varchar), '{pattern}')",
        )
        assert status == 200, (table, body)
        if body["data"][0]["hits"]:
            found.append(table)
    return found


def test_analyst_sql_lab_finds_no_raw_identifier(
    sample_pipeline: SamplePipeline, analyst: SupersetClient
) -> None:
    """The session Superset serves a copy of the pipeline's serving.duckdb (tests/superset/conftest.py)."""
    client = analyst
    database_id = warehouse_id(client)
    status, body = sqllab(
        client,
        database_id,
        "select table_schema, table_name from information_schema.tables order by 1, 2",
    )
    assert status == 200, body
    listed = [(row["table_schema"], row["table_name"]) for row in body["data"]]
    assert {schema for schema, _ in listed} == {"main"}
    tables = [name for _, name in listed]
    assert {"dim_post", "dim_account", "fct_post_snapshot", "ops_rejects"} <= set(tables)

    needles = list(collect(sample_pipeline).needles)
    assert len(needles) > 50
    assert _tables_with(client, database_id, tables, needles) == []
    # the same scan does find what serving shows: a pseudonymous post id, in the post marts
    status, body = sqllab(
        client,
        database_id,
        "select post_id from dim_post where post_url is null and post_id like 'p_%' limit 1",
    )
    assert status == 200 and body["data"], body
    assert "dim_post" in _tables_with(client, database_id, tables, [body["data"][0]["post_id"]])
