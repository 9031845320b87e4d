"""Identify and stop a started service's whole process group, even after it renamed itself.

A service cannot be recognised by its command line: Airflow's api-server rewrites
its process title ("airflow api_server -- host:…") and Celery leaves pool children behind when its
main process dies. The stack therefore also records each leader's kernel start time: a pid with
the same start time is the same process whatever it calls itself, and a process belongs to the
service if it is in the leader's session (the leader started its own) and was born after the leader.
The session, not the process group: Airflow's task supervisor puts every task runner in a process
group of its own (so it can signal the task's children), and a task runner outside the leader's
group would survive the worker it belongs to. Nothing else is ever signalled.
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


def members(sid: int, born_at_or_after: int) -> list[int]:
    """Live (non-zombie) processes of session ``sid`` started no earlier than the leader."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and fields[0] != "Z" and int(fields[3]) == sid and int(fields[19]) >= born_at_or_after:
            found.append(int(entry.name))
    return sorted(found)


def stop_group(sid: int, leader_start: int, timeout_s: float = 30.0) -> list[int]:
    """SIGTERM the leader's session (a warm shutdown for Celery), SIGKILL what is left after ``timeout_s``.

    Returns the pids that were running when asked to stop.
    """
    if _reused(sid, leader_start):
        return []
    running = members(sid, leader_start)
    if not running:
        return []
    _signal_all(running, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        remaining = members(sid, leader_start)
        if not remaining:
            return running
        time.sleep(0.3)
    _signal_all(members(sid, leader_start), signal.SIGKILL)
    return running


def kill_group(sid: int, leader_start: int, timeout_s: float = 10.0) -> list[int]:
    """SIGKILL the leader's whole session at once, as a crashed host or container would lose it.

    Repeats until nothing is left (a process may fork while its siblings are being killed).
    Returns the pids that were running.
    """
    if _reused(sid, leader_start):
        return []
    running = members(sid, leader_start)
    deadline = time.monotonic() + timeout_s
    while (remaining := members(sid, leader_start)) and time.monotonic() < deadline:
        _signal_all(remaining, signal.SIGKILL)
        time.sleep(0.1)
    return running


def _reused(sid: int, leader_start: int) -> bool:
    # Linux never hands out a pid still used as a session or process group id, so when the pid now
    # belongs to a younger process nothing of the session can be left: that process is not ours.
    current = start_time(sid)
    return current is not None and current != leader_start


def _signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
