"""Whole files that cannot land go to ``quarantine/<ingest_id>/reason.json`` (bytes stay in raw/).

The reason names the file, the closest adapter and the signature columns it missed, so the person
who dropped the file can fix it or ask for an adapter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citypulse.landing.atomic import write_text
from citypulse.settings import Settings


def quarantine(settings: Settings, ingest_id: str, reason: dict[str, Any]) -> Path:
    target = settings.quarantine / ingest_id / "reason.json"
    write_text(target, json.dumps(reason, ensure_ascii=False, indent=2, default=str) + "\n")
    return target
