"""Measurement 3: peak RSS of ``citypulse land`` on a big CSV, in a child process of its own.

The child is the real CLI (``citypulse.cli land``) into a fresh data home; its peak RSS is the
kernel's high-water mark of the child's own address space (``VmHWM``), which the child writes on
exit. Not ``wait4``'s ``ru_maxrss``: Linux carries the pre-exec image's peak across ``execve``, so a
child of a big bench process (after the in-process landing runs) reports at least the parent's RSS.
The ratio peak/file size says whether landing streams (ratio well below 1) or holds the file,
decoded, several times (ratio above 1).
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

# `python -c _REPORTING_CLI <report file> <citypulse args…>`: the CLI, then its VmHWM (bytes) to the file.
_REPORTING_CLI = """
import atexit, runpy, sys
report = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(report, "w") as out:
        out.write(str(kib * 1024))
atexit.register(write_peak)
runpy.run_module("citypulse.cli", run_name="__main__", alter_sys=True)
"""


def peak_rss_landing(csv: Path) -> dict[str, Any]:
    home = work_root() / "memory-home"
    shutil.rmtree(home, ignore_errors=True)
    inbox = one_file_inbox(csv, work_root() / "memory-inbox")
    settings = Settings(home=home)
    env = process_env(settings, CITYPULSE_HOME=str(home), CITYPULSE_REPO=str(REPO_ROOT))
    report = work_root() / "memory-hwm.txt"
    report.unlink(missing_ok=True)
    child = run_child(
        [sys.executable, "-c", _REPORTING_CLI, str(report), "land", "--inbox", str(inbox)], env=env
    )
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(inbox, ignore_errors=True)
    if child.returncode != 0:
        raise RuntimeError(f"citypulse land exited {child.returncode}: {child.stderr[-2000:]}")
    size = csv.stat().st_size
    peak = int(report.read_text())
    report.unlink()
    return {
        "file": csv.name,
        "size_bytes": size,
        "seconds": round(child.seconds, 2),
        "peak_rss_bytes": peak,
        "peak_rss_per_file_byte": round(peak / size, 2),
        "target_peak_rss_bytes_max": TARGET_PEAK_BYTES,
        "meets_target": peak <= TARGET_PEAK_BYTES,
    }


def measure(files: list[Path]) -> dict[str, Any]:
    """Peak RSS for each file (small to big), so the growth with file size is visible."""
    points = [peak_rss_landing(f) for f in files]
    return {"points": points, "largest": points[-1]}
