"""Measurements 1 and 2: landing one big export against the physical limit and against the usual tool.

Contenders, timed interleaved on the same file:

- ``citypulse_land``: ``land_inbox`` on an inbox holding just that file (and its manifest), into a
  fresh data home each run: raw copy, decoding, header detection, parsing, lake + rejects + ledger,
  and the batch's GX validation — everything ``citypulse land`` does, minus interpreter start-up.
- ``duckdb_scan`` (CSV): DuckDB's bare ``read_csv`` of every column as text — reading and splitting
  the bytes, nothing more: the physical limit of any CSV landing on this machine.
- ``fastexcel_read`` (xlsx): calamine reading the sheet as text — the same limit for a workbook.
- ``pandas_usual`` (CSV): how most teams land it: ``pandas.read_csv``, a plain Python function
  parsing ``万``/``亿`` counts value by value (``Series.map``), ``pd.to_datetime``, ``to_parquet``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from bench.timing import interleaved
from bench.workspace import fresh, settings_for, work_root

_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}
_COUNT_HEADER = re.compile(r"(数|量)$")


def parse_count(value: object) -> int | None:
    """The per-value parser a typical script has: '1.2万' -> 12000, '3,456' -> 3456, '' -> None."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "").rstrip("+")
    if not text or text in ("-", "--", "nan"):
        return None
    unit = _UNITS.get(text[-1], 1)
    if unit != 1:
        text = text[:-1]
    try:
        return int(round(float(text) * unit))
    except ValueError:
        return None


def pandas_usual(csv: Path, out: Path) -> int:
    import pandas as pd

    frame = pd.read_csv(csv, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for column in frame.columns:
        if _COUNT_HEADER.search(str(column)):
            frame[column] = frame[column].map(parse_count).astype("Int64")
    for column in ("完整日期", "日期"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
    frame.to_parquet(out, index=False)
    return len(frame)


def duckdb_scan(csv: Path) -> int:
    import duckdb

    with duckdb.connect() as con:
        row = con.execute(
            "select count(*) from read_csv(?, all_varchar = true, header = true)", [str(csv)]
        ).fetchone()
    return int(row[0]) if row else 0


def fastexcel_read(xlsx: Path) -> int:
    import fastexcel

    reader = fastexcel.read_excel(str(xlsx))
    return sum(
        reader.load_sheet(name, header_row=None, dtypes="string").height for name in reader.sheet_names
    )


def one_file_inbox(export: Path, inbox: Path) -> Path:
    """An inbox holding only ``export`` (hard-linked, not copied) and its folder's manifest."""
    folder = inbox / export.parent.parent.name / export.parent.name
    fresh(inbox)
    folder.mkdir(parents=True)
    for source in [export, export.parent / "_manifest.yaml"]:
        if source.is_file():
            target = folder / source.name
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
    return inbox


def _land(inbox: Path, home: Path) -> dict[str, Any]:
    from citypulse.landing.runner import land_inbox

    result = land_inbox(settings_for(home), inbox)
    files = result.to_json()["files"]
    if not files or any(f["status"] != "landed" for f in files):
        raise RuntimeError(f"bench landing did not land: {files}")
    return files[0]


def measure(export: Path, runs: int, kind: str) -> dict[str, Any]:
    """Time landing ``export`` (kind: csv | xlsx) against its baselines."""
    scratch = work_root() / f"landing-{kind}"
    inbox = one_file_inbox(export, scratch / "inbox")
    home = scratch / "home"
    landed: dict[str, Any] = {}

    def land() -> None:
        landed.update(_land(inbox, home))

    contenders: dict[str, Any] = {"citypulse_land": land}
    if kind == "csv":
        contenders["duckdb_scan"] = lambda: duckdb_scan(export)
        contenders["pandas_usual"] = lambda: pandas_usual(export, scratch / "pandas.parquet")
    else:
        contenders["fastexcel_read"] = lambda: fastexcel_read(export)

    def clean(_: str) -> None:
        shutil.rmtree(home, ignore_errors=True)
        (scratch / "pandas.parquet").unlink(missing_ok=True)

    samples = interleaved(contenders, runs, before_each=clean, after_each=clean)
    summary = {name: s.summary() for name, s in samples.items()}
    land_median = summary["citypulse_land"]["median_s"]
    baseline = "duckdb_scan" if kind == "csv" else "fastexcel_read"
    result: dict[str, Any] = {
        "file": export.name,
        "format": kind,
        "size_bytes": export.stat().st_size,
        "rows_in": landed.get("rows_in"),
        "rows_landed": landed.get("rows_landed"),
        "rows_rejected": landed.get("rows_rejected"),
        "contenders": summary,
        "baseline": baseline,
        "ratio_land_vs_baseline": round(land_median / summary[baseline]["median_s"], 2),
        "target_ratio_vs_baseline_max": 3.0,
        "land_rows_per_s": round((landed.get("rows_in") or 0) / land_median),
    }
    if "pandas_usual" in summary:
        result["speedup_vs_pandas"] = round(summary["pandas_usual"]["median_s"] / land_median, 2)
        result["target_speedup_vs_pandas_min"] = 4.0
    else:
        result["pandas_usual"] = (
            "not measured: pandas.read_excel needs openpyxl or python-calamine, "
            "neither is in the pipeline environment"
        )
    shutil.rmtree(scratch, ignore_errors=True)
    return result
