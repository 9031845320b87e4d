"""Generated secrets of the embedded deployment, stored 0600 under the data home.

``credentials.json`` is shared with other components (each owns one top-level key), so writes
merge into the file instead of replacing it.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from citypulse.settings import Settings

SUPERSET_KEY = "superset"
USERS = ("admin", "analyst", "viewer")


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_credentials(settings: Settings) -> dict[str, Any]:
    path = settings.credentials_file
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def superset_credentials(settings: Settings) -> dict[str, str]:
    """The Superset users' names and passwords, generated on first use and kept afterwards."""
    data = read_credentials(settings)
    current = dict(data.get(SUPERSET_KEY) or {})
    changed = False
    for user in USERS:
        if not current.get(f"{user}_user"):
            current[f"{user}_user"] = user
            changed = True
        if not current.get(f"{user}_password"):
            current[f"{user}_password"] = secrets.token_urlsafe(18)
            changed = True
    if changed or settings.credentials_file.stat().st_mode & 0o077:
        # Re-read right before writing: another component may have added its key meanwhile.
        merged = {**read_credentials(settings), SUPERSET_KEY: current}
        _write_private(settings.credentials_file, json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    return current


def secret_key(settings: Settings) -> str:
    """SUPERSET_SECRET_KEY from the environment, else the one generated for this data home."""
    from_env = os.environ.get("SUPERSET_SECRET_KEY")
    if from_env:
        return from_env
    path = settings.superset_home / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    _write_private(path, key + "\n")
    return key
