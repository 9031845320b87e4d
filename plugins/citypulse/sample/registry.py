"""The analyst seeds the sample is generated from: cities, the account registry and keywords.

The generator must produce data for exactly the registered accounts, so it reads the same CSV
seeds that dbt loads (dbt_project/seeds/) instead of keeping its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from citypulse.settings import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Registry:
    cities: pl.DataFrame  # city_code, city_name_zh, city_name_en, ...
    accounts: pl.DataFrame  # current version of each registered account
    city_keywords: pl.DataFrame  # city_code, keyword, is_latin
    theme_keywords: pl.DataFrame  # theme_set, theme, keyword, is_latin

    @property
    def city_codes(self) -> list[str]:
        return self.cities["city_code"].to_list()


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _is_latin(col: str) -> pl.Expr:
    return pl.col(col).str.contains(r"^[\x00-\x7F]+$")


def load_registry(cities: int, seeds_dir: Path = SEEDS_DIR) -> Registry:
    """The first ``cities`` cities of cities.csv (file order) and everything registered to them.

    Accounts come as their current SCD2 version (open ``valid_to``): a registry row that was
    closed only tells the warehouse how the account was classified in the past.
    """
    all_cities = _read(seeds_dir / "cities.csv")
    if not 1 <= cities <= all_cities.height:
        raise ValueError(f"cities must be between 1 and {all_cities.height} (cities.csv), got {cities}")
    chosen = all_cities.head(cities)
    codes = chosen["city_code"].implode()
    accounts = (
        _read(seeds_dir / "accounts.csv")
        .filter(pl.col("city_code").is_in(codes) & pl.col("valid_to").is_null())
        .sort("platform", "account_type", "city_code", "account_id")
    )
    city_keywords = (
        _read(seeds_dir / "city_keywords.csv")
        .filter(pl.col("city_code").is_in(codes))
        .with_columns(is_latin=_is_latin("keyword"))
    )
    theme_keywords = _read(seeds_dir / "theme_keywords.csv").with_columns(is_latin=_is_latin("keyword"))
    return Registry(chosen, accounts, city_keywords, theme_keywords)
