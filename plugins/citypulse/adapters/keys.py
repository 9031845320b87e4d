"""Surrogate ids for exports without native ids (e.g. Douyin's creator export).

The project has one surrogate-key definition, the dbt macro ``surrogate_key`` (macros/keys.sql):
md5 hex of the parts as text, a NULL part as '∅', joined by '|'. A lake id is that key with the
``sk_`` prefix. DuckDB computes it here, column-wise, as it does in the warehouse.
"""

from __future__ import annotations

import duckdb
import polars as pl

NULL_PART = "\u2205"
SEPARATOR = "|"


def with_surrogate_key(
    lf: pl.LazyFrame, parts: list[pl.Expr], alias: str, prefix: str = "sk_"
) -> pl.LazyFrame:
    """Add ``alias`` = prefix + surrogate_key(parts), as the dbt macro computes it."""
    frame = lf.collect()
    natural = frame.select(
        pl.concat_str([p.cast(pl.String).fill_null(NULL_PART) for p in parts], separator=SEPARATOR).alias(
            "natural_key"
        )
    )
    with duckdb.connect() as con:
        con.register("natural_keys", natural.to_arrow())
        # a plain scan of a registered table keeps its row order
        keys = con.sql(f"select '{prefix}' || md5(natural_key) from natural_keys").pl().to_series()
    return frame.with_columns(keys.alias(alias)).lazy()
