"""A checkout whose dbt seeds hold the bench registry (e.g. 138 cities), for the bench only.

The committed seeds (dbt_project/seeds/) stay as they are: the bench points ``CITYPULSE_REPO`` at a
folder that links everything to the real checkout except ``dbt_project/seeds``, a copy with
``cities.csv``, ``accounts.csv`` and ``city_keywords.csv`` replaced. dbt, the audit and the
evaluation then read the bench registry through their ordinary ``Settings.repo`` paths.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.scale_lake import write_registry
from bench.workspace import work_root
from citypulse.settings import REPO_ROOT

_LINKED = ("config", "dags", "plugins", "expectations", "superset", "pyproject.toml")


def linked_checkout(repo: Path) -> Path:
    """``repo``: links to this checkout except ``dbt_project/seeds``, a copy that may be edited."""
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    for name in _LINKED:
        (repo / name).symlink_to(REPO_ROOT / name)
    project = repo / "dbt_project"
    project.mkdir()
    for entry in (REPO_ROOT / "dbt_project").iterdir():
        if entry.name in ("seeds", "target", "logs", "dbt_packages"):
            continue
        (project / entry.name).symlink_to(entry)
    shutil.copytree(REPO_ROOT / "dbt_project" / "seeds", project / "seeds")
    return repo


def bench_repo(cities: int) -> Path:
    repo = work_root() / f"repo-{cities}-cities"
    if (repo / ".complete").is_file():
        return repo
    linked_checkout(repo)
    registry = write_registry(work_root() / f"registry-{cities}", cities)
    for path in registry.values():
        shutil.copyfile(path, repo / "dbt_project" / "seeds" / path.name)
    (repo / ".complete").touch()
    return repo
