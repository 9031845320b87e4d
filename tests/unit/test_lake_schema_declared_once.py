"""The lake schema is declared once, in ``citypulse.lake.schema``: dbt's lake source and the GX lake
suites must agree with it (a column landing writes but staging never reads is lost to the warehouse)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
import yaml

from citypulse.lake.schema import ENTITIES, full_schema
from citypulse.platforms import PLATFORMS
from citypulse.settings import REPO_ROOT

# how dbt's source declares each polars type landing writes
DBT_TYPES = {
    pl.String: "varchar",
    pl.Int64: "bigint",
    pl.Float64: "double",
    pl.Boolean: "boolean",
    pl.Date: "date",
    pl.Datetime: "timestamptz",
}


def _lake_tables() -> dict[str, list[dict[str, Any]]]:
    staging = yaml.safe_load((REPO_ROOT / "dbt_project" / "models" / "staging" / "_staging.yml").read_text())
    (lake,) = [source for source in staging["sources"] if source["name"] == "lake"]
    return {table["name"]: table.get("columns", []) for table in lake["tables"]}


def _suite(entity: str) -> list[dict[str, Any]]:
    path = REPO_ROOT / "expectations" / f"lake_{entity}.json"
    return json.loads(path.read_text(encoding="utf-8"))["expectations"]


def _columns_named(kwargs: dict[str, Any]) -> set[str]:
    named = {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    return named | set(kwargs.get("column_list", []))


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_dbt_source_declares_the_entity_as_landing_writes_it(entity: str) -> None:
    declared = [(c["name"], c.get("data_type")) for c in _lake_tables()[entity]]
    written = [(name, DBT_TYPES[dtype.base_type()]) for name, dtype in full_schema(entity).items()]
    assert declared == written


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_gx_lake_suite_checks_only_columns_landing_writes(entity: str) -> None:
    columns = set(full_schema(entity))
    for expectation in _suite(entity):
        kwargs = expectation["kwargs"]
        assert _columns_named(kwargs) <= columns, expectation
        if kwargs.get("column") == "platform" and "value_set" in kwargs:
            assert sorted(kwargs["value_set"]) == sorted(PLATFORMS), expectation
