"""Superset of the stack: PostgreSQL metadata, Redis cache, gunicorn, the stack's serving warehouse."""

from __future__ import annotations

import subprocess
import sys

from citypulse.environment import process_env
from citypulse.errors import CityPulseError
from citypulse.stack import pg_databases as postgres
from citypulse.stack.stack_config import StackConfig
from citypulse.superset.runtime import superset_env, superset_python


def _extra(cfg: StackConfig) -> dict[str, str]:
    password = postgres.passwords(cfg)["superset"]
    return {
        "SUPERSET_METADATA_URI": postgres.url(cfg, "superset", password),
        "SUPERSET_CACHE_REDIS_URL": cfg.cache_url,
        "CITYPULSE_SERVING_DB": str(cfg.settings.serving_db),
    }


def env(cfg: StackConfig) -> dict[str, str]:
    extra = _extra(cfg)
    serving_db = extra.pop("CITYPULSE_SERVING_DB")
    environment = superset_env(cfg.settings, **extra)
    # superset_env prefers a CITYPULSE_SERVING_DB inherited from the caller; the stack serves its own.
    environment["CITYPULSE_SERVING_DB"] = serving_db
    return environment


def bootstrap(cfg: StackConfig, timeout_s: int = 900) -> None:
    """``citypulse superset-bootstrap`` against the stack's metadata DB (in its own process, so the
    caller's environment, e.g. a demo's SUPERSET_* variables, cannot leak in)."""
    child_env = process_env(cfg.settings, **_extra(cfg))
    done = subprocess.run(
        [sys.executable, "-m", "citypulse.cli", "superset-bootstrap"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-30:])
        raise CityPulseError(f"stack: superset-bootstrap failed (exit {done.returncode}):\n{tail}")


def gunicorn_argv(cfg: StackConfig, workers: int = 2, threads: int = 8) -> list[str]:
    gunicorn = superset_python(cfg.settings).parent / "gunicorn"
    return [
        str(gunicorn),
        "--bind",
        f"127.0.0.1:{cfg.superset_port}",
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
