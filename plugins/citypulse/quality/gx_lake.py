"""Validate lake rows with their entity's GX suite and turn every expectation result into a row.

Suites live in ``expectations/lake_<entity>.json`` (GX 1.x ``ExpectationSuite`` JSON). They run
over a pandas DataFrame in one ephemeral context per process: GX over DuckDB/SQLAlchemy is broken
in 1.x, and an ephemeral context writes nothing to disk. Importing GX costs seconds, so it is
imported on the first validation only, and the context, data source, assets and suites are built
once per process. Analytics are switched off before GX is imported (a municipal network must not
call out). A failing expectation does not un-land anything: rows that break hard rules were
already refused; GX results are recorded for ``ops_quality_results``.

Which rows are validated together (a landing batch) is :mod:`citypulse.quality.lake_batch`'s job.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from citypulse.lake.schema import QUALITY_RESULTS
from citypulse.quality.suite_columns import columns_read, reads_table

os.environ["GX_ANALYTICS_ENABLED"] = "False"

# Attribute unexpected rows to the file they came from: COMPLETE lists every unexpected row with
# its ingest_id (only failing rows cost anything), so a batch result still says which file failed.
_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["ingest_id"],
    "return_unexpected_index_query": False,
}
_PARTIAL = 20  # unexpected values quoted in details


def suite_path(expectations: Path, entity: str) -> Path:
    return expectations / f"lake_{entity}.json"


def import_gx() -> None:
    """Import GX now (see :func:`citypulse.quality.lake_batch.warm_up`)."""
    import great_expectations  # noqa: F401


@lru_cache(maxsize=1)
def _context() -> Any:
    import great_expectations as gx  # slow import: only when rows are validated
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@lru_cache(maxsize=16)
def _suite_doc(path: Path, mtime: float) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _suite(path: Path, mtime: float) -> Any:
    from great_expectations.core.expectation_suite import ExpectationSuite

    return ExpectationSuite(**_suite_doc(path, mtime))


def columns_checked(expectations: Path, entity: str) -> set[str] | None:
    """The lake columns the entity's suite needs (None: all of them), ``ingest_id`` included: it
    attributes unexpected rows to their files. :mod:`citypulse.quality.lake_batch` reads only
    these back from the lake."""
    path = suite_path(expectations, entity)
    if not path.is_file():
        return None
    listed = _suite_doc(path, path.stat().st_mtime).get("expectations") or []
    return None if reads_table(listed) else columns_read(listed) | {"ingest_id"}


@lru_cache(maxsize=8)
def _batch_definition(entity: str) -> Any:
    context = _context()
    source = (
        context.data_sources.get("lake")
        if "lake" in context.data_sources.all()
        else context.data_sources.add_pandas("lake")
    )
    try:
        asset = source.get_asset(entity)
    except LookupError:
        asset = source.add_dataframe_asset(entity)
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")


def _plain(value: Any) -> Any:
    """numpy scalars (what GX returns from pandas) as JSON-friendly Python values."""
    return value.item() if hasattr(value, "item") else str(value)


def _check_name(config: Any) -> str:
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return f"{config.type}({', '.join(f'{k}={v}' for k, v in sorted(kwargs.items()))})"


def _details(result: dict[str, Any], sample: dict[str, int]) -> str:
    """What a person needs to act on a result: counts, a few bad values, and which files hold them
    (and, for a sample, how many rows were checked out of how many)."""
    details: dict[str, Any] = {k: result[k] for k in ("observed_value", "unexpected_count") if k in result}
    details.update(sample)
    if result.get("unexpected_count"):
        details["partial_unexpected_list"] = (result.get("partial_unexpected_list") or [])[:_PARTIAL]
        per_ingest = Counter(
            row.get("ingest_id") for row in result.get("unexpected_index_list") or [] if isinstance(row, dict)
        )
        details["unexpected_by_ingest"] = dict(sorted(per_ingest.items(), key=lambda kv: str(kv[0])))
    return json.dumps(details, ensure_ascii=False, default=_plain, sort_keys=True)


def _result_rows(result: Any, sample: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for item in result.results:
        config = item.expectation_config
        raised = bool(item.exception_info and item.exception_info.get("raised_exception"))
        severity = (config.meta or {}).get("severity", "error")
        if raised:
            status = "error"
        elif item.success:
            status = "pass"
        else:
            status = "warn" if severity == "warn" else "fail"
        unexpected = (item.result or {}).get("unexpected_count")
        rows.append(
            {
                "check_name": _check_name(config),
                "status": status,
                "failing_rows": int(unexpected) if unexpected is not None else None,
                "details": item.exception_info.get("exception_message")
                if raised
                else _details(item.result, sample),
            }
        )
    return rows


def validate_frame(
    frame: pl.DataFrame, entity: str, run_id: str, expectations: Path, rows_in_batch: int | None = None
) -> pl.DataFrame:
    """One QUALITY_RESULTS row per expectation of the entity's suite (empty if it has none).

    ``rows_in_batch``: how many rows ``frame`` was sampled from (recorded when it is more)."""
    path = suite_path(expectations, entity)
    if not path.is_file():
        return pl.DataFrame(schema=QUALITY_RESULTS)
    checked_at = datetime.now(UTC)
    suite = _suite(path, path.stat().st_mtime)
    try:
        result = (
            _batch_definition(entity)
            .get_batch(batch_parameters={"dataframe": frame.to_pandas(use_pyarrow_extension_array=False)})
            .validate(suite, result_format=_RESULT_FORMAT)
        )
        sample = (
            {"rows_checked": frame.height, "rows_in_batch": rows_in_batch}
            if rows_in_batch is not None and rows_in_batch > frame.height
            else {}
        )
        rows = _result_rows(result, sample)
    except Exception as exc:  # noqa: BLE001 - a broken suite is recorded, it must not stop landing
        rows = [
            {
                "check_name": suite.name,
                "status": "error",
                "failing_rows": None,
                "details": f"{type(exc).__name__}: {exc}",
            }
        ]
    return pl.DataFrame(
        [
            {"run_id": run_id, "check_source": "gx", "suite": path.stem, "checked_at": checked_at, **r}
            for r in rows
        ],
        schema=QUALITY_RESULTS,
    )
