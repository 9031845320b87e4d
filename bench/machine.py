"""The machine a result was measured on: recorded with every result, since numbers mean little without it."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "polars",
    "duckdb",
    "pandas",
    "pyarrow",
    "fastexcel",
    "dbt-core",
    "dbt-duckdb",
    "apache-airflow",
    "great-expectations",
    "astronomer-cosmos",
)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_bytes() -> int | None:
    meminfo = Path("/proc/meminfo")
    if not meminfo.is_file():
        return None
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: a shared machine's noise, recorded beside each measurement."""
    return [round(x, 2) for x in os.getloadavg()]


def describe() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in PACKAGES},
        "load_average_at_start": load_average(),
    }
