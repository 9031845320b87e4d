"""Run Superset on localhost for tests and the demo: gunicorn in .venv-superset, our config, health-checked."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.superset.runtime import superset_env, superset_python


@dataclass
class SupersetServer:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_argv(settings: Settings, port: int, workers: int = 2, threads: int = 8) -> list[str]:
    """The command line that serves Superset on 127.0.0.1:``port`` (tests and the demo share it)."""
    gunicorn = superset_python(settings).parent / "gunicorn"
    return [
        str(gunicorn),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
        "superset.app:create_app()",
    ]


def start(
    settings: Settings, port: int | None = None, workers: int = 2, threads: int = 8, timeout_s: float = 180.0
) -> SupersetServer:
    """Start Superset (bootstrap first) bound to 127.0.0.1 and return once /health answers."""
    port = port or free_port()
    logs = settings.superset_home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"gunicorn-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            gunicorn_argv(settings, port, workers, threads),
            env=superset_env(settings),
            cwd=settings.superset_home,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = SupersetServer(process=process, port=port, log_path=log_path)
    try:
        wait_healthy(server, timeout_s)
    except BaseException:
        stop(server)
        raise
    return server


def wait_healthy(server: SupersetServer, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise CityPulseError(f"Superset exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1.0)
    raise CityPulseError(f"Superset did not become healthy within {timeout_s:.0f}s:\n{server.log_tail()}")


def stop(server: SupersetServer, grace_s: float = 20.0) -> None:
    """Stop the gunicorn master and its workers (its own process group, nothing else)."""
    if server.process.poll() is not None:
        return
    pgid = os.getpgid(server.process.pid)
    os.killpg(pgid, signal.SIGTERM)
    try:
        server.process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        server.process.wait(timeout=grace_s)
