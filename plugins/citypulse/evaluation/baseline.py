"""Anchored goalposts from a baseline window (index-methods §3.4): a new methodology version.

The goalposts L, U of each platform × indicator are the q_lo / q_hi percentiles (linear, as the
relative mode) of the transformed values x pooled over the official runs of a window of months.
They go into a NEW version: every versioned table of the source version is copied under the new
name with the derived goalposts, so the source version, and every run made with it, stays exactly
reproducible. A pair without enough spread in the window keeps the source version's goalposts and
says so in its ``basis``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import numpy as np
import polars as pl

from citypulse.errors import CityPulseError
from citypulse.evaluation import registry
from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.methodology import TABLES, load_methodology
from citypulse.evaluation.period import Period

_VERSIONED_FILES = [stem for name, stem in TABLES.items() if name != "hot_events"]


@dataclass(frozen=True)
class Baseline:
    version: str  # the new methodology version
    source_version: str
    runs: list[str]  # the official runs pooled
    goalposts: pl.DataFrame  # platform, indicator, lower, upper, basis, values


def periods(start: str, end: str) -> list[str]:
    """Every YYYY-MM from ``start`` to ``end`` inclusive."""
    first, last = Period.parse(start), Period.parse(end)
    if (last.year, last.month) < (first.year, first.month):
        raise CityPulseError(f"baseline window {start}..{end} ends before it starts")
    out, p = [], first
    while (p.year, p.month) <= (last.year, last.month):
        out.append(str(p))
        nxt = p.next_first_day
        p = Period(nxt.year, nxt.month)
    return out


def next_version(version: str) -> str:
    """v2 -> v3; a version without a trailing number gets ``.1``."""
    hit = re.fullmatch(r"(.*?)(\d+)", version)
    return f"{hit.group(1)}{int(hit.group(2)) + 1}" if hit else f"{version}.1"


def derive(
    evaluations: Path,
    directory: Path,
    start: str,
    end: str,
    source_version: str,
    new_version: str | None = None,
) -> Baseline:
    """Pool the window's official runs of ``source_version`` and compute the goalposts (nothing written)."""
    source = load_methodology(directory, source_version)
    version = new_version or next_version(source_version)
    existing = pl.read_csv(directory / f"{TABLES['settings']}.csv", infer_schema=False)
    if version in set(existing["methodology_version"].to_list()):
        raise CityPulseError(
            f"methodology version {version} exists already in {directory}; pick another name"
        )
    window = periods(start, end)
    found = {p: registry.official_run(evaluations, p, source_version) for p in window}
    missing = [p for p, r in found.items() if r is None]
    runs = {p: r for p, r in found.items() if r is not None}
    if missing:
        raise CityPulseError(
            f"no official {source_version} run for {', '.join(missing)}: the baseline pools every month of "
            f"{start}..{end} (evaluate them first, or choose a window of evaluated months)"
        )
    pooled = pl.concat(
        [
            pl.read_parquet(run_dir(evaluations, r) / "eval_indicator_score.parquet").select(
                "platform", "indicator", "x"
            )
            for r in runs.values()
        ]
    ).drop_nulls("x")
    q_lo, q_hi = float(source.setting("q_lo")), float(source.setting("q_hi"))
    rows = []
    for r in source.tables["goalposts"].iter_rows(named=True):
        xs = pooled.filter(platform=r["platform"], indicator=r["indicator"])["x"].to_numpy()
        lower, upper = np.percentile(xs, [100 * q_lo, 100 * q_hi], method="linear") if xs.size else (0.0, 0.0)
        if xs.size and upper > lower:
            basis = (
                f"baseline: P{100 * q_lo:g}/P{100 * q_hi:g} of x pooled over official {source_version} runs "
                f"{start}..{end} ({len(runs)} runs, {xs.size} values)"
            )
            rows.append((r["platform"], r["indicator"], float(lower), float(upper), basis, int(xs.size)))
        else:
            basis = (
                f"as {source_version}: the official {source_version} runs {start}..{end} give "
                f"{xs.size} value(s) and no spread to derive goalposts from"
            )
            rows.append((r["platform"], r["indicator"], r["lower"], r["upper"], basis, int(xs.size)))
    goalposts = pl.DataFrame(
        rows, schema=["platform", "indicator", "lower", "upper", "basis", "values"], orient="row"
    )
    return Baseline(version, source_version, list(runs.values()), goalposts)


def _csv_rows(frame: pl.DataFrame) -> str:
    buffer = StringIO()
    frame.write_csv(buffer, include_header=False, float_precision=9)
    return buffer.getvalue()


def write(directory: Path, baseline: Baseline) -> None:
    """Append the new version's rows to every versioned methodology file (the source rows stay)."""
    for stem in _VERSIONED_FILES:
        path = directory / f"{stem}.csv"
        frame = pl.read_csv(path, infer_schema=False)
        rows = frame.filter(methodology_version=baseline.source_version).with_columns(
            methodology_version=pl.lit(baseline.version)
        )
        if stem == TABLES["goalposts"]:
            derived = baseline.goalposts.select(
                "platform",
                "indicator",
                pl.col("lower").cast(pl.Float64),
                pl.col("upper").cast(pl.Float64),
                "basis",
            )
            rows = (
                rows.select("methodology_version", "platform", "indicator")
                .join(derived, on=["platform", "indicator"], how="left")
                .select(frame.columns)
            )
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + _csv_rows(rows), encoding="utf-8")
    load_methodology(directory, baseline.version)  # the new version must load and validate
