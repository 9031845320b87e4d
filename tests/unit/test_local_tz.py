"""The local calendar is one fact: dbt's ``local_tz`` var, the evaluation's SQL and the newest
methodologies all cut days at ``settings.LOCAL_TZ``'s midnight."""

from __future__ import annotations

import re
from importlib import resources

import polars as pl
import yaml

from citypulse.settings import LOCAL_TZ, REPO_ROOT


def test_dbt_reads_the_settings_time_zone() -> None:
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["local_tz"] == LOCAL_TZ


def test_no_sql_names_a_time_zone_of_its_own() -> None:
    zone = re.compile(r"'[A-Z][a-z]+/[A-Za-z_]+'")
    sql_files = [
        *resources.files("citypulse.evaluation").joinpath("sql").iterdir(),
        *(REPO_ROOT / "dbt_project").glob("models/**/*.sql"),
        *(REPO_ROOT / "dbt_project").glob("macros/**/*.sql"),
    ]
    named = {
        str(f): zone.findall(f.read_text(encoding="utf-8")) for f in sql_files if str(f).endswith(".sql")
    }
    assert len(named) > 50
    assert {f: zones for f, zones in named.items() if zones} == {}


def test_every_shipped_methodology_uses_the_settings_time_zone() -> None:
    settings = pl.read_csv(REPO_ROOT / "dbt_project" / "seeds" / "methodology" / "methodology_settings.csv")
    zones = settings.filter(pl.col("setting") == "timezone")
    assert zones.height == settings.get_column("methodology_version").n_unique() >= 2
    assert set(zones.get_column("value")) == {LOCAL_TZ}
