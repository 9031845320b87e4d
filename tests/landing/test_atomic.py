"""All-or-nothing writes: a temporary left by a killed writer is removed by the next write of the
same target; a live writer's temporary is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from citypulse.lake.atomic import write_bytes


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_write_removes_a_killed_writers_temporary(tmp_path: Path) -> None:
    target = tmp_path / "rejects" / "abc.parquet"
    target.parent.mkdir()
    stale = target.with_name(f".{target.name}.{_dead_pid()}.tmp")
    stale.write_bytes(b"half a file")
    live = target.with_name(f".{target.name}.{os.getppid()}.tmp")
    live.write_bytes(b"being written")
    other = target.with_name(f".other.parquet.{_dead_pid()}.tmp")
    other.write_bytes(b"another target's")

    write_bytes(target, b"whole")

    assert target.read_bytes() == b"whole"
    assert not stale.exists()
    assert live.exists() and other.exists()
