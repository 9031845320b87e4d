#!/bin/sh
# superset-init (compose): migrate the metadata DB, create the admin/analyst/viewer users with the
# passwords from .env, `superset init`, import the dashboards-as-code. Idempotent; then exits.
set -eu
: "${SUPERSET_ADMIN_PASSWORD:?}" "${SUPERSET_ANALYST_PASSWORD:?}" "${SUPERSET_VIEWER_PASSWORD:?}"
# The bootstrap keeps users' passwords in $CITYPULSE_HOME/credentials.json (0600) and generates
# missing ones; seed them from the environment so .env stays the single source of secrets.
python - <<'PY'
import json, os, pathlib
path = pathlib.Path(os.environ["CITYPULSE_HOME"]) / "credentials.json"
data = json.loads(path.read_text()) if path.exists() else {}
section = data.setdefault("superset", {})
for user in ("admin", "analyst", "viewer"):
    section[f"{user}_user"] = user
    section[f"{user}_password"] = os.environ[f"SUPERSET_{user.upper()}_PASSWORD"]
path.parent.mkdir(parents=True, exist_ok=True)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as fh:
    json.dump(data, fh, indent=2)
PY
exec python -m citypulse.cli superset-bootstrap
