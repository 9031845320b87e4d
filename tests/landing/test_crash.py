"""Killing a real ``citypulse land`` mid-run and re-running it gives the uninterrupted state.

The interrupted run is ``citypulse land`` in a child process whose ledger writes are patched to
sleep first; the test SIGKILLs it as soon as the first lake file exists, i.e. after lake output was
written but before the file's ledger entry: the worst moment.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from citypulse.settings import Settings
from tests.landing.conftest import lake_state

TOPICS = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n#夜游江城#,8000,oops\n"
# `citypulse land` (argv[2:]) with every ledger entry written argv[1] seconds late
LAND_PAUSING_BEFORE_LEDGER = """
import sys
import time

from citypulse import cli
from citypulse.lake import ledger

pause, write_entry = float(sys.argv[1]), ledger.write_entry


def write_entry_late(*args, **kwargs):
    time.sleep(pause)
    write_entry(*args, **kwargs)


ledger.write_entry = write_entry_late
sys.exit(cli.main(sys.argv[2:]))
"""


def _inbox(root: Path) -> Path:
    inbox = root / "inbox"
    for i in range(3):
        path = inbox / "weibo" / f"acct{i}" / f"topics_2025-03-0{i + 1}.csv"
        path.parent.mkdir(parents=True)
        path.write_text(TOPICS.replace("8000", str(8000 + i)), encoding="utf-8")
    return inbox


def _land(home: Path, inbox: Path, pause: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CITYPULSE_HOME": str(home)}
    land = ["land", "--inbox", str(inbox)]
    if pause:
        command = [sys.executable, "-c", LAND_PAUSING_BEFORE_LEDGER, pause, *land]
    else:
        command = [str(Path(sys.executable).with_name("citypulse")), *land]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_kill_mid_run_then_rerun_equals_uninterrupted(tmp_path: Path) -> None:
    reference_home, crashed_home = tmp_path / "reference", tmp_path / "crashed"
    inbox = _inbox(tmp_path)
    assert _land(reference_home, inbox).wait(timeout=300) == 0

    proc = _land(crashed_home, inbox, pause="30")
    lake = crashed_home / "lake" / "topic_observations"
    deadline = time.monotonic() + 240
    while not list(lake.glob("platform=*/*.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    crashed = Settings.from_env(crashed_home)
    assert len(list(lake.glob("platform=*/*.parquet"))) == 1
    assert list(crashed.ingests.glob("*.parquet")) == []  # killed before any ledger entry

    assert _land(crashed_home, inbox).wait(timeout=300) == 0
    expected, actual = lake_state(Settings.from_env(reference_home)), lake_state(crashed)
    assert (
        expected.keys() == actual.keys() and len(expected) == 10
    )  # 3 files × lake, rejects, ledger + 1 GX batch
    for key in expected:
        assert expected[key].equals(actual[key]), key
    assert not list(crashed.lake.rglob("*.tmp"))
    shutil.rmtree(tmp_path, ignore_errors=True)
