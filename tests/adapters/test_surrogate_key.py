"""One surrogate-key definition: the ids landing gives posts without a native id are the warehouse's
keys (the dbt macro ``surrogate_key``) with the ``sk_`` prefix, on awkward inputs as on plain ones."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from citypulse.adapters.keys import with_surrogate_key
from citypulse.settings import Settings
from citypulse.warehouse.dbt_runner import run_dbt

AWKWARD = pl.DataFrame(
    {
        "platform": ["douyin", None, "weibo", "x", "", None],
        "account_id": ["大足文旅", "", None, "a|b", "a", None],
        "published_at": ["2025-09-01T08:00:00Z", None, "2025-09-01", "😀🎉", "|b", None],
        "title": ["宝顶山石刻 🙏", "x'y", None, "tab\there\nline", "", None],
    }
)


def _macro_keys(settings: Settings, frame: pl.DataFrame) -> list[str]:
    """The dbt macro compiled by dbt, run by DuckDB over ``frame``."""
    inline = f"select {{{{ surrogate_key({list(frame.columns)!r}) }}}} as k from awkward"
    compiled = run_dbt(
        settings,
        ["--quiet", "compile", "--inline", inline, "--output", "json"],
        target=settings.warehouse / "dbt_target_inline",
    )
    assert compiled.ok, compiled.output_tail
    with duckdb.connect() as con:
        con.register("awkward", frame.to_arrow())
        return [k for (k,) in con.sql(json.loads(compiled.output_tail)["compiled"]).fetchall()]


def test_landing_ids_are_the_warehouse_keys(home: Settings) -> None:
    warehouse = _macro_keys(home, AWKWARD)
    landed = with_surrogate_key(AWKWARD.lazy(), [pl.col(c) for c in AWKWARD.columns], "post_id").collect()

    assert landed["post_id"].to_list() == ["sk_" + key for key in warehouse]
    assert landed.drop("post_id").equals(AWKWARD), "the frame's rows keep their order and values"
    # a NULL part and an empty part are told apart
    assert len(set(warehouse)) == AWKWARD.height
