"""The key that pseudonymises personal accounts (PIPL).

The key comes from ``CITYPULSE_PII_KEY``; when unset, one is generated once under the data home
(``secrets/pii.key``, mode 0600) so that a fresh install builds, and the same pseudonym is produced
on every later build. It never lives in the repository, in compiled SQL or in dbt's logs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from citypulse.errors import CityPulseError

ENV_VAR = "CITYPULSE_PII_KEY"
_MIN_LENGTH = 16


def key_file(home: Path) -> Path:
    return home / "secrets" / "pii.key"


def pii_key(home: Path) -> str:
    """The pseudonymisation key: from the environment, else the data home's key file (created once)."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        if len(from_env) < _MIN_LENGTH:
            raise CityPulseError(f"{ENV_VAR} is too short: use at least {_MIN_LENGTH} characters")
        return from_env
    path = key_file(home)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two builds starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()
