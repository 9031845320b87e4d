"""Readers opening serving.duckdb read-only per query never fail while it is republished."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from citypulse.settings import Settings
from citypulse.warehouse.publish import publish

PUBLISHES = 12

READER = """
import os, sys, time, duckdb
path, stop_file = sys.argv[1], sys.argv[2]
ok = errors = 0
versions = set()
end = time.monotonic() + 120
while not os.path.exists(stop_file) and time.monotonic() < end:
    try:
        with duckdb.connect(path, read_only=True) as conn:
            version, rows = conn.execute("select max(version), count(*) from dim_post").fetchone()
        assert rows == 1000, rows
        versions.add(version)
        ok += 1
    except Exception as exc:
        errors += 1
        print(type(exc).__name__, exc, file=sys.stderr)
print(ok, errors, len(versions), flush=True)
os._exit(0)
"""


def _write_build(settings: Settings, version: int) -> None:
    settings.build_db.unlink(missing_ok=True)
    with duckdb.connect(str(settings.build_db)) as conn:
        conn.execute(
            f"create table dim_post as select range as post_key, {version} as version from range(1000)"
        )
        for name in ("dim_account", "fct_post_daily", "ops_quality_results"):
            conn.execute(f"create table {name} as select 1 as x")


def test_readers_never_see_a_half_published_file(home: Settings, tmp_path: Path) -> None:
    _write_build(home, 0)
    publish(home)
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    stop_file = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(home.serving_db), str(stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1)  # let the readers start querying before the first swap
    for version in range(1, PUBLISHES + 1):
        _write_build(home, version)
        publish(home)
    stop_file.touch()
    outputs = [reader.communicate(timeout=150) for reader in readers]
    for stdout, stderr in outputs:
        ok, errors, versions = (int(x) for x in stdout.split())
        assert errors == 0, stderr
        assert ok > 10 and versions >= 2
    assert not list(home.warehouse.glob(".serving-*"))  # no temporary file left behind
