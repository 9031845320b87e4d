"""Measurement 3: peak RSS of ``citypulse land`` on a big CSV, in a child process of its own.

The child is the real CLI (``python -m citypulse.cli land``) into a fresh data home; its peak RSS
comes from ``wait4`` (exactly that child's rusage). The ratio peak/file size says whether landing
streams (ratio well below 1) or holds the file, decoded, several times (ratio above 1).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from bench.landing import one_file_inbox
from bench.timing import run_child
from bench.workspace import work_root
from citypulse.environment import process_env
from citypulse.settings import REPO_ROOT, Settings

TARGET_PEAK_BYTES = int(1.5 * 1024**3)


def peak_rss_landing(csv: Path) -> dict[str, Any]:
    home = work_root() / "memory-home"
    shutil.rmtree(home, ignore_errors=True)
    inbox = one_file_inbox(csv, work_root() / "memory-inbox")
    settings = Settings(home=home)
    env = process_env(settings, CITYPULSE_HOME=str(home), CITYPULSE_REPO=str(REPO_ROOT))
    child = run_child([sys.executable, "-m", "citypulse.cli", "land", "--inbox", str(inbox)], env=env)
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(inbox, ignore_errors=True)
    if child.returncode != 0:
        raise RuntimeError(f"citypulse land exited {child.returncode}: {child.stderr[-2000:]}")
    size = csv.stat().st_size
    return {
        "file": csv.name,
        "size_bytes": size,
        "seconds": round(child.seconds, 2),
        "peak_rss_bytes": child.max_rss_bytes,
        "peak_rss_per_file_byte": round(child.max_rss_bytes / size, 2),
        "target_peak_rss_bytes_max": TARGET_PEAK_BYTES,
        "meets_target": child.max_rss_bytes <= TARGET_PEAK_BYTES,
    }


def measure(files: list[Path]) -> dict[str, Any]:
    """Peak RSS for each file (small to big), so the growth with file size is visible."""
    points = [peak_rss_landing(f) for f in files]
    return {"points": points, "largest": points[-1]}
