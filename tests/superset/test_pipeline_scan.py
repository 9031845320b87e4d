"""PIPL through Superset: 分析员's SQL Lab, on the warehouse the real pipeline published from
``citypulse sample`` (tests/pipeline.py), finds no raw identifier of a pseudonymised account in any
table it can list: the scan of tests/warehouse/test_pseudonymisation_scan.py, run as an analyst
would run it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from citypulse.settings import Settings
from citypulse.superset import server
from citypulse.superset.bootstrap import bootstrap
from citypulse.superset.client import SupersetClient
from citypulse.superset.credentials import superset_credentials
from citypulse.superset.runtime import superset_venv
from tests.pipeline import SamplePipeline
from tests.superset.conftest import login
from tests.superset.test_server import sqllab, warehouse_id
from tests.warehouse.test_pseudonymisation_scan import collect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analyst_on_pipeline(
    sample_pipeline: SamplePipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SupersetClient]:
    """A Superset of its own over a copy of the pipeline's serving.duckdb (the pipeline's data home
    is shared by the session and never written to)."""
    settings = Settings.from_env(tmp_path_factory.mktemp("pipeline_superset")).ensure()
    if not (superset_venv(settings) / "bin" / "superset").exists():
        pytest.skip("Superset environment (.venv-superset) not installed: run `make venv-superset`")
    shutil.copyfile(sample_pipeline.settings.serving_db, settings.serving_db)
    assert bootstrap(settings) == 0
    running = server.start(settings)
    try:
        yield login(running, superset_credentials(settings), "analyst")
    finally:
        server.stop(running)


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
    sample_pipeline: SamplePipeline, analyst_on_pipeline: SupersetClient
) -> None:
    client = analyst_on_pipeline
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
