"""The committed process environment (``config/citypulse.env``) as a dict.

make exports the same file, so a subprocess started from Python (dbt, airflow, superset) sees
exactly what it would see when started from make: telemetry off, paths under the data home.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from citypulse.settings import Settings

_REF = re.compile(r"\$\{(\w+)\}")


def committed_env(settings: Settings) -> dict[str, str]:
    base = {"CITYPULSE_HOME": str(settings.home), "CITYPULSE_REPO": str(settings.repo)}
    out: dict[str, str] = {}
    path = settings.repo / "config" / "citypulse.env"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out[key] = _REF.sub(lambda m: base.get(m.group(1), os.environ.get(m.group(1), "")), value)
    return {**base, **out}


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """os.environ overlaid with the committed environment (the committed values win) and ``extra``."""
    env = dict(os.environ)
    env.update(committed_env(settings))
    env.update(extra)
    return env


def apply(settings: Settings) -> None:
    """Set the committed environment in this process (for in-process dbt/GX/Airflow calls)."""
    for key, value in committed_env(settings).items():
        os.environ[key] = value
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
