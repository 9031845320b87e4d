"""Whole files that cannot land go to ``quarantine/<ingest_id>/reason.json`` (bytes stay in raw/).

The reason names the file, the closest adapter and the signature columns it missed, so the person
who dropped the file can fix it or ask for an adapter. ``reason`` is plain Chinese built from the
stable ``reason_code`` (citypulse.lake.reasons); the library's own message is kept as ``detail``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citypulse.lake.atomic import write_text
from citypulse.lake.reasons import label
from citypulse.settings import Settings


def quarantine(settings: Settings, ingest_id: str, reason: dict[str, Any]) -> Path:
    target = settings.quarantine / ingest_id / "reason.json"
    write_text(target, json.dumps(reason, ensure_ascii=False, indent=2, default=str) + "\n")
    return target


def plain_reason(reason_code: str, name: str, closest_adapter: str | None = None) -> str:
    """One Chinese sentence for the person who dropped the file: what is wrong and with which file."""
    sentence = f"{label(reason_code)}：{name}"
    if closest_adapter:
        sentence += f"（最接近的格式为 {closest_adapter}，缺少的列见 missing_columns）"
    return sentence + "。原始文件已保留在 raw/，技术细节见 detail。"
