"""Deterministic surrogate keys for exports without native ids (e.g. Douyin's creator export).

The key is ``sk_`` + the first 20 hex digits of sha256 over the parts joined by U+001F. sha256
(computed by DuckDB, column-wise) is stable across library versions, unlike polars' ``hash``.
"""

from __future__ import annotations

import duckdb
import polars as pl

_SEP = "\u001f"


def with_surrogate_key(
    lf: pl.LazyFrame, parts: list[pl.Expr], alias: str, prefix: str = "sk_"
) -> pl.LazyFrame:
    """Add ``alias`` = prefix + sha256(parts); NULL parts hash as empty strings."""
    frame = lf.collect()
    keys = frame.select(
        pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator=_SEP).alias("k")
    )
    con = duckdb.connect()
    try:
        con.register("keys", keys.to_arrow())
        hashed = con.sql(f"select '{prefix}' || left(sha256(k), 20) as h from keys").pl()
    finally:
        con.close()
    # DuckDB keeps the row order of a plain scan of a registered table
    return frame.with_columns(hashed.get_column("h").alias(alias)).lazy()
