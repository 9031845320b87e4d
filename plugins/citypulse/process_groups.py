"""Identify and stop a started service's whole process group, even after it renamed itself.

A service cannot be recognised by its command line: Airflow's api-server rewrites
its process title ("airflow api_server -- host:…") and Celery leaves pool children behind when its
main process dies. The stack therefore also records each leader's kernel start time: a pid with
the same start time is the same process whatever it calls itself, and a process belongs to the
service if it is in the leader's process group (the leader started its own session) and was born
after the leader. Nothing else is ever signalled.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: fields start after the last ")".
    return raw.rsplit(")", 1)[1].split()


def start_time(pid: int) -> int | None:
    """Kernel start time of ``pid`` in clock ticks since boot; None when there is no such process."""
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def is_running(pid: int, leader_start: int | None = None) -> bool:
    """``pid`` exists, is not a zombie and (when given) has the recorded start time."""
    fields = _stat(pid)
    if not fields or fields[0] == "Z":
        return False
    return leader_start is None or int(fields[19]) == leader_start


def members(pgid: int, born_at_or_after: int) -> list[int]:
    """Live (non-zombie) processes of group ``pgid`` started no earlier than the leader."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and fields[0] != "Z" and int(fields[2]) == pgid and int(fields[19]) >= born_at_or_after:
            found.append(int(entry.name))
    return sorted(found)


def stop_group(pgid: int, leader_start: int, timeout_s: float = 30.0) -> list[int]:
    """SIGTERM the group (a warm shutdown for Celery), SIGKILL what is left after ``timeout_s``.

    Returns the pids that were running when asked to stop.
    """
    current = start_time(pgid)
    if current is not None and current != leader_start:
        # The pid was reused. Linux never hands out a pid still used as a process group id, so
        # nothing of our group can be left: whatever runs under this pid now is not ours.
        return []
    running = members(pgid, leader_start)
    if not running:
        return []
    _signal_all(running, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        remaining = members(pgid, leader_start)
        if not remaining:
            return running
        time.sleep(0.3)
    _signal_all(members(pgid, leader_start), signal.SIGKILL)
    return running


def _signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
