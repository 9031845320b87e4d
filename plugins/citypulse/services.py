"""Background services of the embedded default (Airflow, Superset) as pid-tracked processes.

Each service is one process group started in its own session; its pid and kernel start time are
recorded under ``$CITYPULSE_HOME/run/`` so that stopping kills exactly what was started, even
after the process renamed itself (Airflow's api-server does), and never a recycled pid.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citypulse import process_groups
from citypulse.settings import Settings


@dataclass(frozen=True)
class Service:
    name: str
    pid: int
    log: Path


def run_dir(settings: Settings) -> Path:
    path = settings.home / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(
    settings: Settings, name: str, argv: Sequence[str], env: dict[str, str], cwd: Path | None = None
) -> Service:
    """Start ``argv`` in the background, logging to ``$CITYPULSE_HOME/logs/<name>.log``."""
    stop(settings, name)
    logs = settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    record = {"pid": proc.pid, "argv": list(argv), "start_time": process_groups.start_time(proc.pid)}
    (run_dir(settings) / f"{name}.json").write_text(json.dumps(record))
    return Service(name, proc.pid, log)


def record(settings: Settings, name: str) -> dict[str, Any] | None:
    """What ``start`` recorded for ``name`` (pid, argv, start_time), or None."""
    record_file = run_dir(settings) / f"{name}.json"
    return dict(json.loads(record_file.read_text())) if record_file.exists() else None


def is_alive(settings: Settings, name: str) -> bool:
    """The recorded leader of ``name`` still runs (same pid and kernel start time)."""
    started = record(settings, name)
    return started is not None and process_groups.is_running(
        int(started["pid"]), int(started.get("start_time") or 0) or None
    )


def stop(settings: Settings, name: str, timeout: float = 20.0) -> bool:
    """Stop the service started under ``name``; True if something was running."""
    started = record(settings, name)
    if started is None:
        return False
    stopped = process_groups.stop_group(int(started["pid"]), int(started.get("start_time") or 0), timeout)
    (run_dir(settings) / f"{name}.json").unlink(missing_ok=True)
    return bool(stopped)


def stop_all(settings: Settings) -> list[str]:
    return [p.stem for p in sorted(run_dir(settings).glob("*.json")) if stop(settings, p.stem)]


def wait_http(url: str, timeout: float = 180.0, service: Service | None = None) -> int:
    """Poll ``url`` until it answers below 500; fail early if the service process died."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if service is not None and not process_groups.is_running(service.pid):
            tail = service.log.read_text(errors="replace")[-2000:] if service.log.exists() else ""
            raise RuntimeError(f"{service.name} exited while starting; last log lines:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return int(exc.code)
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(1.0)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s ({last})")
