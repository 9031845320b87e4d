"""Generated secrets and passwords, kept in one 0600 JSON file under the data home.

Nothing has a working default: the first run generates every secret, later runs reuse them.
Production deployments pass secrets through the environment instead (see .env.example).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from citypulse.settings import Settings


def _write_private(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load(settings: Settings) -> dict[str, Any]:
    path = settings.credentials_file
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def section(settings: Settings, name: str, generate: dict[str, int]) -> dict[str, str]:
    """Return section ``name``, generating any missing key as a random token of the given bytes."""
    data = load(settings)
    current: dict[str, str] = dict(data.get(name, {}))
    missing = {k: n for k, n in generate.items() if not current.get(k)}
    if missing:
        current.update({k: secrets.token_urlsafe(n) for k, n in missing.items()})
        data[name] = current
        _write_private(settings.credentials_file, data)
    return current


def update(settings: Settings, name: str, values: dict[str, str]) -> None:
    data = load(settings)
    data[name] = {**data.get(name, {}), **values}
    _write_private(settings.credentials_file, data)
