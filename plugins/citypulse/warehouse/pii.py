"""The key that pseudonymises the accounts of the types dbt's var ``pseudonymised_account_types``
names, and their posts (PIPL; docs/privacy.md).

The key comes from ``CITYPULSE_PII_KEY``; when unset, one is generated once under the data home
(``secrets/pii.key``, mode 0600) so that a fresh install builds, and the same pseudonym is produced
on every later build. It never lives in the repository, in compiled SQL or in dbt's logs: the
dbt-duckdb plugin (``duckdb_functions``) sets it as a session variable through a bound parameter.

A key that cannot be read, or is too short, stops the build: hashing with an empty key would
publish pseudonyms anyone can recompute. A key file that vanished after a publish is not silently
replaced either: a new key would give every account a new pseudonym, unlinking the published
history from the next build (restore the file or set the variable).
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
        # a published warehouse was built with a key (the build database may be new: dbt creates
        # the file before its plugin asks for the key)
        if (home / "warehouse" / "serving.duckdb").exists():
            raise CityPulseError(
                f"the PII key is missing: neither {ENV_VAR} nor {path} is set, but this data home published "
                "a warehouse built with one; restore the key file or set the variable (a new key would change every pseudonym)"
            )
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two builds starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CityPulseError(
            f"cannot read the PII key file {path} ({type(exc).__name__}); nothing is built without it"
        ) from None
    if len(key) < _MIN_LENGTH:
        raise CityPulseError(
            f"the PII key file {path} is empty or shorter than {_MIN_LENGTH} characters; nothing is built without it"
        )
    return key
