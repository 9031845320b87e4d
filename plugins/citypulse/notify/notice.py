"""One notification, independent of the channel that carries it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SEVERITY_LABEL = {"error": "🔴 故障 error", "warning": "🟠 警告 warning", "info": "🔵 通知 info"}


@dataclass(frozen=True)
class Notice:
    """``event`` is a stable machine name (task_failed, file_quarantined, ...); ``facts`` are the
    label → value pairs a person needs to act (file, row, DAG, run), in display order."""

    event: str
    title: str
    severity: str = "error"
    facts: dict[str, str] = field(default_factory=dict)
    detail: str = ""
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", f"**{SEVERITY_LABEL.get(self.severity, self.severity)}**", ""]
        lines += [f"- **{label}**: {value}" for label, value in self.facts.items()]
        if self.detail:
            lines += ["", "```", self.detail.strip(), "```"]
        lines += ["", f"> 城市脉搏 CityPulse · {self.created_at:%Y-%m-%d %H:%M:%S} UTC"]
        return "\n".join(lines)

    def plain_text(self) -> str:
        lines = [self.title, "", SEVERITY_LABEL.get(self.severity, self.severity), ""]
        lines += [f"{label}: {value}" for label, value in self.facts.items()]
        if self.detail:
            lines += ["", self.detail.strip()]
        lines += ["", f"-- 城市脉搏 CityPulse, {self.created_at:%Y-%m-%d %H:%M:%S} UTC"]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": "citypulse",
            "event": self.event,
            "severity": self.severity,
            "title": self.title,
            "facts": dict(self.facts),
            "detail": self.detail,
            "text": self.markdown(),
            "created_at": self.created_at.isoformat(),
        }


def truncate_utf8(text: str, max_bytes: int, marker: str = "\n…(truncated)") -> str:
    """Cut ``text`` to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    keep = max_bytes - len(marker.encode("utf-8"))
    return raw[:keep].decode("utf-8", errors="ignore") + marker
