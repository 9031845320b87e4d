"""GX suites on the marts analysts use (expectations/marts_*.json), run after the dbt build.

GX over DuckDB/SQLAlchemy is broken in 1.x, so each mart is read from build.duckdb (read-only) into
pandas and validated as a dataframe in an ephemeral context. A suite file names its mart in
``meta.table``. A mart past ``CITYPULSE_GX_MAX_ROWS`` rows is validated on every n-th row
(:mod:`citypulse.quality.sampling`; the dbt tests of the same audit read every row); each result's
``details`` then says so.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from citypulse.quality import sampling
from citypulse.quality.suite_columns import columns_read
from citypulse.settings import Settings
from citypulse.warehouse.checks import CheckResult

SUITE_GLOB = "marts_*.json"


def suite_files(settings: Settings) -> list[Path]:
    return sorted(settings.expectations.glob(SUITE_GLOB))


def _describe(kwargs: dict[str, Any]) -> str:
    shown = {k: v for k, v in kwargs.items() if k != "batch_id"}
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def _frame_sql(conn: duckdb.DuckDBPyConnection, table: str, used: set[str], every: int = 1) -> str:
    """Every column of the mart by name, with values only where an expectation reads them; past
    the sample limit only every ``every``-th row (by ``rowid``: the same rows on every re-run).

    Moving unread columns (titles, texts, URLs of a million posts) into pandas was most of the GX
    audit's time; a typed NULL keeps the column present for the table-level expectations.
    """
    described = conn.execute(f'describe main."{table}"').fetchall()
    parts = []
    for name, column_type, *_ in described:
        quoted = '"' + name.replace('"', '""') + '"'
        parts.append(quoted if name in used else f"cast(null as {column_type}) as {quoted}")
    sample = f" where rowid % {every} = 0" if every > 1 else ""
    return f'select {", ".join(parts)} from main."{table}"{sample}'


def _sample_note(checked: int, total: int, every: int) -> str | None:
    if every == 1:
        return None
    return f"sample: {checked:,} of {total:,} rows checked (every {every}th row)"


def run_gx_suites(settings: Settings, run_id: str) -> list[CheckResult]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except (ImportError, AttributeError):  # progress bars only cost noise on stderr
        pass
    source = context.data_sources.add_pandas("marts")
    results: list[CheckResult] = []
    with duckdb.connect(str(settings.build_db), read_only=True) as conn:
        for path in suite_files(settings):
            spec = json.loads(path.read_text(encoding="utf-8"))
            table = spec["meta"]["table"]
            suite = gx.ExpectationSuite(
                name=spec["name"],
                expectations=[
                    ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"]).to_domain_obj()
                    for e in spec["expectations"]
                ],
            )
            counted = conn.execute(f'select count(*) from main."{table}"').fetchone()
            total = int(counted[0]) if counted else 0
            every = sampling.every_nth(total)
            frame = conn.execute(_frame_sql(conn, table, columns_read(spec["expectations"]), every)).df()
            note = _sample_note(len(frame), total, every)
            batch = (
                source.add_dataframe_asset(table)
                .add_batch_definition_whole_dataframe("whole")
                .get_batch(batch_parameters={"dataframe": frame})
            )
            outcome = batch.validate(suite)
            checked_at = datetime.now(UTC)
            for item in outcome.results:
                config = item.expectation_config
                name = f"{config.type}({_describe(config.kwargs)})" if config else "unknown expectation"
                raised = (item.exception_info or {}).get("raised_exception")
                status = "error" if raised else ("pass" if item.success else "fail")
                unexpected = (item.result or {}).get("unexpected_count")
                details = (item.exception_info or {}).get("exception_message") if raised else None
                if status == "fail" and details is None:
                    details = f"{table}: {unexpected} unexpected values; partial list: " + str(
                        (item.result or {}).get("partial_unexpected_list", [])[:5]
                    )
                if note:
                    details = f"{note}; {details}" if details else note
                results.append(
                    CheckResult(
                        run_id=run_id,
                        check_source="gx",
                        suite=spec["name"],
                        check_name=name,
                        status=status,
                        failing_rows=int(unexpected) if unexpected is not None else None,
                        details=details,
                        checked_at=checked_at,
                    )
                )
    return results
