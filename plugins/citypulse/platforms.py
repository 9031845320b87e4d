"""The platforms CityPulse knows and their Chinese names, from one table: the dbt seed
``platforms.csv``, which dbt loads for ``dim_platform`` and the report and the lake read here."""

from __future__ import annotations

import csv

from citypulse.settings import REPO_ROOT

SEED = REPO_ROOT / "dbt_project" / "seeds" / "platforms.csv"


def _read_seed() -> dict[str, str]:
    with SEED.open(encoding="utf-8", newline="") as fh:
        return {row["platform"]: row["platform_name_zh"] for row in csv.DictReader(fh)}


# platform code → the name analysts chose for it, in the seed's order
PLATFORM_ZH: dict[str, str] = _read_seed()
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_ZH)
