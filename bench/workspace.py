"""Where the bench keeps its generated inputs and scratch homes, and how it points CityPulse at them.

Inputs are cached by scale (a 1M-row sample takes minutes to generate); scratch homes are removed
after each run. The default folder is git-ignored (``bench/results/tmp/``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from citypulse.settings import REPO_ROOT, Settings

DEFAULT_WORK = REPO_ROOT / "bench" / "results" / "tmp"


def work_root() -> Path:
    root = Path(os.environ.get("CITYPULSE_BENCH_WORK", DEFAULT_WORK))
    root.mkdir(parents=True, exist_ok=True)
    return root


def settings_for(home: Path, repo: Path = REPO_ROOT) -> Settings:
    """Settings for a data home and a code checkout; the environment follows, as the CLI's would."""
    from citypulse.environment import apply

    os.environ["CITYPULSE_HOME"] = str(home)
    os.environ["CITYPULSE_REPO"] = str(repo)
    settings = Settings(home=home.resolve())
    apply(settings)
    return settings.ensure()


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
