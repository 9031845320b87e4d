"""One place that knows where everything lives.

Every path is derived from the data home (``CITYPULSE_HOME``, default ``./data``) so that a
deployment moves by changing one variable, and tests isolate themselves with a temporary home.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    home: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Settings:
        raw = home if home is not None else os.environ.get("CITYPULSE_HOME", "./data")
        return cls(home=Path(raw).expanduser().resolve())

    # --- zones of the data home (see docs/decisions.md and design.md "Data flow") ---
    @cached_property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @cached_property
    def raw(self) -> Path:
        return self.home / "raw"

    @cached_property
    def lake(self) -> Path:
        return self.home / "lake"

    @cached_property
    def ingests(self) -> Path:
        return self.lake / "_ingests"

    @cached_property
    def rejects(self) -> Path:
        return self.lake / "_rejects"

    @cached_property
    def quality(self) -> Path:
        return self.lake / "_quality"

    @cached_property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @cached_property
    def warehouse(self) -> Path:
        return self.home / "warehouse"

    @cached_property
    def build_db(self) -> Path:
        return self.warehouse / "build.duckdb"

    @cached_property
    def serving_db(self) -> Path:
        return self.warehouse / "serving.duckdb"

    @cached_property
    def evaluations(self) -> Path:
        return self.home / "evaluations"

    @cached_property
    def reports(self) -> Path:
        return self.home / "reports"

    @cached_property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @cached_property
    def superset_home(self) -> Path:
        return self.home / "superset"

    @cached_property
    def credentials_file(self) -> Path:
        return self.home / "credentials.json"

    # --- code locations (the repository, or the installed package's neighbours) ---
    @cached_property
    def repo(self) -> Path:
        return Path(os.environ.get("CITYPULSE_REPO", REPO_ROOT))

    @cached_property
    def dbt_project(self) -> Path:
        return self.repo / "dbt_project"

    @cached_property
    def expectations(self) -> Path:
        return self.repo / "expectations"

    @cached_property
    def user_adapters(self) -> Path:
        """YAML adapters written by data engineers (no code needed)."""
        return Path(os.environ.get("CITYPULSE_ADAPTERS", self.home / "adapters"))

    def ensure(self) -> Settings:
        for p in (
            self.inbox,
            self.raw,
            self.lake,
            self.ingests,
            self.rejects,
            self.quality,
            self.quarantine,
            self.warehouse,
            self.evaluations,
            self.reports,
        ):
            p.mkdir(parents=True, exist_ok=True)
        return self


def get_settings() -> Settings:
    return Settings.from_env()
