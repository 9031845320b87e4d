"""The dbt manifest Cosmos renders the warehouse DAG from (LoadMode.DBT_MANIFEST: no dbt at parse time)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.dbt_runner import run_dbt

_SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests")
_SOURCE_FILES = ("dbt_project.yml", "profiles.yml")


def manifest_path(settings: Settings) -> Path:
    return settings.dbt_project / "target" / "manifest.json"


def _newest_source_mtime(project: Path) -> float:
    newest = max((project / name).stat().st_mtime for name in _SOURCE_FILES)
    for folder in _SOURCE_DIRS:
        for path in (project / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def is_stale(settings: Settings) -> bool:
    path = manifest_path(settings)
    return not path.exists() or path.stat().st_mtime < _newest_source_mtime(settings.dbt_project)


def ensure_manifest(settings: Settings) -> Path:
    """``dbt parse`` into target/manifest.json when any project file is newer than the manifest."""
    path = manifest_path(settings)
    if not is_stale(settings):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Parse into a private folder and swap the file in, so a reader never sees half a manifest.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".parse-") as scratch:
        invocation = run_dbt(settings, ["parse", "--no-partial-parse"], target=Path(scratch))
        produced = Path(scratch) / "manifest.json"
        if not invocation.ok or not produced.exists():
            raise CityPulseError(f"dbt parse failed:\n{invocation.output_tail}")
        os.replace(produced, path)
    return path


def adopt_manifest(settings: Settings, produced: Path) -> Path:
    """Install a manifest a dbt build just wrote (same project, so the same nodes) when ours is stale."""
    path = manifest_path(settings)
    if produced.exists() and is_stale(settings):
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".manifest-{os.getpid()}.json")
        staging.write_bytes(produced.read_bytes())
        os.replace(staging, path)
    return path
