"""A real Superset on localhost over the sample warehouse: data, idempotent bootstrap, security, publishing."""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from citypulse.settings import REPO_ROOT, Settings
from citypulse.superset.bootstrap import bootstrap
from citypulse.superset.bundle import load_assets
from citypulse.superset.client import SupersetClient
from citypulse.superset.credentials import superset_credentials
from tests.pipeline import SamplePipeline

pytestmark = pytest.mark.slow

# what the bootstrap imports: one of each asset of the repository's tree, no more
_ASSETS = load_assets(REPO_ROOT / "superset" / "assets")
EXPECTED = {kind: len(_ASSETS[f"{kind}s"]) for kind in ("chart", "dashboard", "dataset", "database")}


def warehouse_id(client: SupersetClient) -> int:
    (database,) = client.list_all("database")
    return int(database["id"])


def sqllab(client: SupersetClient, database_id: int, sql: str) -> tuple[int, dict[str, Any]]:
    response = client.post(
        "/api/v1/sqllab/execute/",
        {
            "database_id": database_id,
            "sql": sql,
            "runAsync": False,
            "schema": "main",
            "tab": "test",
            "client_id": secrets.token_hex(5),
            "queryLimit": 100,
        },
    )
    return response.status_code, response.json()


def test_every_chart_returns_rows(admin: SupersetClient) -> None:
    charts = admin.list_all("chart")
    assert len(charts) == EXPECTED["chart"]
    empty, failed = [], []
    for chart in charts:
        result = admin.chart_data(chart)["result"][0]
        if result.get("error"):
            failed.append((chart["slice_name"], result["error"]))
        elif not result["rowcount"]:
            empty.append(chart["slice_name"])
    assert not failed and not empty, (failed, empty)


def test_bootstrap_twice_leaves_one_copy_of_everything(bootstrapped: Settings, admin: SupersetClient) -> None:
    before = superset_credentials(bootstrapped)
    assert bootstrap(bootstrapped) == 0
    assert superset_credentials(bootstrapped) == before
    counts = {kind: len(admin.list_all(kind)) for kind in EXPECTED}
    assert counts == EXPECTED
    names = [c["slice_name"] for c in admin.list_all("chart")]
    assert len(names) == len(set(names))


SAFE = "select count(*) as n from dim_city"
ATTACKS = [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/hostname')",
    "select * from glob('/etc/*')",
    "COPY (select 1) TO '{tmp}/x.csv'",
    "ATTACH '{tmp}/x.duckdb' as other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "PRAGMA enable_external_access = true",
    "create table pwned (a integer)",
    "insert into dim_city (city_code) values ('999999')",
    "delete from dim_city",
    "select 1; delete from dim_city",
]


def test_analyst_sql_lab_reads_but_cannot_escape(analyst: SupersetClient, tmp_path: Path) -> None:
    database_id = warehouse_id(analyst)
    status, body = sqllab(analyst, database_id, SAFE)
    assert status == 200 and body["data"] == [{"n": 7}]
    let_through = []
    for attack in ATTACKS:
        sql = attack.format(tmp=tmp_path)
        status, body = sqllab(analyst, database_id, sql)
        if status == 200 or body.get("status") == "success":
            let_through.append(sql)
    assert not let_through
    assert not list(tmp_path.iterdir()), "nothing may be written"
    status, body = sqllab(analyst, database_id, SAFE)
    assert body["data"] == [{"n": 7}], "the warehouse is unchanged"


def test_analyst_lists_and_reaches_only_the_published_marts(
    superset_home: Settings, analyst: SupersetClient
) -> None:
    """serving.duckdb holds only schema main; the build database and the lake beside it stay out of reach."""
    database_id = warehouse_id(analyst)
    response = analyst.get(f"/api/v1/database/{database_id}/schemas/")
    assert response.status_code == 200 and response.json()["result"] == ["main"]
    # a build database (with the re-identification table) and a lake file, where production keeps them
    superset_home.build_db.unlink(missing_ok=True)
    with duckdb.connect(str(superset_home.build_db)) as conn:
        conn.execute("create schema intermediate")
        conn.execute(
            "create table intermediate.int_accounts as select 'a1' as account_id, '张三' as account_name"
        )
    lake_file = superset_home.lake / "entity=post_observations" / "part-0.parquet"
    lake_file.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as conn:
        conn.execute(f"copy (select 'a1' as account_id) to '{lake_file}' (format parquet)")
    refused = [
        "select * from staging.stg_post_observations",
        "select * from intermediate.int_accounts",
        f"select * from read_parquet('{lake_file}')",
        f"select * from read_parquet('{superset_home.lake}/**/*.parquet')",
        f"select * from read_csv('{superset_home.dbt_project / 'seeds' / 'accounts.csv'}')",
        f"attach '{superset_home.build_db}' as build (read_only)",
        f"select * from '{superset_home.build_db}'",
    ]
    let_through = []
    for sql in refused:
        status, body = sqllab(analyst, database_id, sql)
        if status == 200 or body.get("status") == "success":
            let_through.append(sql)
    assert not let_through
    for sql in (
        "select distinct table_schema as s from information_schema.tables",
        "select distinct schema_name as s from duckdb_tables()",
    ):
        status, body = sqllab(analyst, database_id, sql)
        assert status == 200 and body["data"] == [{"s": "main"}], sql


def test_sandbox_is_forced_even_when_the_database_extra_is_loosened(
    admin: SupersetClient, analyst: SupersetClient
) -> None:
    database_id = warehouse_id(admin)
    original = admin.get(f"/api/v1/database/{database_id}/connection").json()["result"]["extra"]
    loosened = '{"engine_params": {"connect_args": {}}, "allows_virtual_table_explore": true}'
    assert (
        admin.session.put(
            f"{admin.base_url}/api/v1/database/{database_id}", json={"extra": loosened}, timeout=60
        ).status_code
        == 200
    )
    try:
        status, _ = sqllab(analyst, database_id, "select * from read_csv('/etc/passwd')")
        assert status != 200
        status, body = sqllab(analyst, database_id, "select current_setting('enable_external_access') as v")
        assert status == 200 and body["data"] == [{"v": False}]
    finally:
        admin.session.put(
            f"{admin.base_url}/api/v1/database/{database_id}", json={"extra": original}, timeout=60
        )


def test_no_other_duckdb_file_can_be_connected(admin: SupersetClient, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    response = admin.post(
        "/api/v1/database/test_connection/",
        {"database_name": "other", "sqlalchemy_uri": f"duckdb:///{other}", "extra": "{}"},
    )
    assert response.status_code != 200
    assert not other.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/security/users/",
        "/api/v1/security/roles/",
        "/api/v1/security/permissions/",
        "/users/list/",
        "/roles/list/",
        "/api/v1/log/",
        "/api/v1/assets/export/",
    ],
)
def test_analyst_cannot_reach_admin_endpoints(analyst: SupersetClient, path: str) -> None:
    response = analyst.get(path, allow_redirects=False)
    assert response.status_code in (302, 401, 403, 404, 405), (path, response.status_code)


def test_viewer_sees_dashboards_but_not_sql_lab(viewer: SupersetClient) -> None:
    assert len(viewer.list_all("dashboard")) == EXPECTED["dashboard"]
    chart = viewer.list_all("chart")[0]
    assert viewer.chart_data(chart)["result"][0]["rowcount"] > 0
    status, body = sqllab(viewer, 1, SAFE)
    assert status in (400, 401, 403, 404) and "data" not in body, (status, body)
    page = viewer.get("/sqllab/", allow_redirects=False)
    assert page.status_code != 200 or "sqllab" not in page.text.lower()


def test_dashboards_keep_answering_while_serving_is_republished(
    bootstrapped: Settings, admin: SupersetClient, superset_server: Any, sample_pipeline: SamplePipeline
) -> None:
    charts = admin.list_all("chart")
    clients = [SupersetClient(superset_server.base_url) for _ in range(2)]
    for client in clients:
        client.session.headers.update(admin.session.headers)
        client.session.cookies.update(admin.session.cookies)
    stop = threading.Event()
    outcomes: list[str] = []
    answered = threading.Condition()

    def query_loop(client: SupersetClient, offset: int) -> None:
        i = offset
        while not stop.is_set():
            chart = charts[i % len(charts)]
            i += 1
            try:
                result = client.chart_data(chart)["result"][0]
                outcome = (
                    "ok"
                    if not result.get("error") and result["rowcount"] > 0
                    else f"bad {chart['slice_name']}"
                )
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none may happen
                outcome = f"error {chart['slice_name']}: {exc}"
            with answered:
                outcomes.append(outcome)
                answered.notify_all()

    def answers_after(count: int, more: int) -> None:
        # paced by answers, not by the clock: on a loaded machine each publish still falls between
        # queries that read the old file and queries that read the new one
        with answered:
            assert answered.wait_for(lambda: len(outcomes) >= count + more, timeout=120), (
                f"no chart answered within 120 s ({len(outcomes)} answers so far)"
            )

    threads = [threading.Thread(target=query_loop, args=(c, n * 7)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    staging = bootstrapped.warehouse / "staging"
    try:
        staging.mkdir(parents=True, exist_ok=True)
        for variant in range(1, 11):
            # a new file replaces the open one, as citypulse.warehouse.publish does
            fresh = shutil.copyfile(
                sample_pipeline.settings.serving_db, staging / f"serving-{variant}.duckdb"
            )
            before = len(outcomes)
            os.replace(fresh, bootstrapped.serving_db)
            answers_after(before, 2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    failures = [o for o in outcomes if o != "ok"]
    assert failures == [], failures[:5]
