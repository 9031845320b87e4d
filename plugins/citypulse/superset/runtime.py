"""Where Superset is installed and the environment its processes run with."""

from __future__ import annotations

import os
from pathlib import Path

from citypulse.environment import process_env
from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.superset.credentials import secret_key


def superset_venv(settings: Settings) -> Path:
    return Path(os.environ.get("CITYPULSE_SUPERSET_VENV", settings.repo / ".venv-superset"))


def superset_python(settings: Settings) -> Path:
    python = superset_venv(settings) / "bin" / "python"
    if not python.exists():
        raise CityPulseError(
            f"Superset environment not found at {python.parent.parent}: run `make venv-superset`."
        )
    return python


def superset_bin(settings: Settings) -> Path:
    return superset_python(settings).parent / "superset"


def config_path(settings: Settings) -> Path:
    return settings.repo / "superset" / "superset_config.py"


def assets_dir(settings: Settings) -> Path:
    return settings.repo / "superset" / "assets"


def superset_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The committed environment plus what Superset needs: its config, secret key and data home."""
    settings.superset_home.mkdir(parents=True, exist_ok=True)
    env = process_env(
        settings,
        SUPERSET_CONFIG_PATH=str(config_path(settings)),
        SUPERSET_SECRET_KEY=secret_key(settings),
        CITYPULSE_SERVING_DB=os.environ.get("CITYPULSE_SERVING_DB", str(settings.serving_db)),
        FLASK_APP="superset.app:create_app()",
        SUPERSET_HOME=str(settings.superset_home),
        SCARF_ANALYTICS="false",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    # The pipeline venv must not leak into Superset's interpreter.
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env
