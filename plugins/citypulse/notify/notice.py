"""One notification, independent of the channel that carries it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

SEVERITY_LABEL = {"error": "🔴 故障 error", "warning": "🟠 警告 warning", "info": "🔵 通知 info"}


@dataclass(frozen=True)
class Notice:
    """``event`` is a stable machine name (task_failed, file_quarantined, ...); ``facts`` are the
    label → value pairs a person needs to act (file, row, DAG, run), in display order;
    ``highlights`` are short sentences shown as a list (a report's summary); ``attachments`` are files
    e-mail attaches and the other channels name by path (and link, when ``links`` gives a URL)."""

    event: str
    title: str
    severity: str = "error"
    facts: dict[str, str] = field(default_factory=dict)
    detail: str = ""
    highlights: tuple[str, ...] = ()
    attachments: tuple[Path, ...] = ()
    links: dict[str, str] = field(default_factory=dict)  # attachment file name → URL
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", f"**{SEVERITY_LABEL.get(self.severity, self.severity)}**", ""]
        lines += [f"- **{label}**: {value}" for label, value in self.facts.items()]
        if self.highlights:
            lines += ["", *(f"- {h}" for h in self.highlights)]
        if self.attachments:
            lines += ["", *(f"- 📎 {self._markdown_file(path)}" for path in self.attachments)]
        if self.detail:
            lines += ["", "```", self.detail.strip(), "```"]
        lines += ["", f"> 城市脉搏 CityPulse · {self.created_at:%Y-%m-%d %H:%M:%S} UTC"]
        return "\n".join(lines)

    def plain_text(self) -> str:
        lines = [self.title, "", SEVERITY_LABEL.get(self.severity, self.severity), ""]
        lines += [f"{label}: {value}" for label, value in self.facts.items()]
        if self.highlights:
            lines += ["", *(f"· {h}" for h in self.highlights)]
        if self.attachments:
            lines += ["", "附件 attached: " + ", ".join(path.name for path in self.attachments)]
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
            "highlights": list(self.highlights),
            "attachments": [
                {"name": path.name, "path": str(path), "url": self.links.get(path.name)}
                for path in self.attachments
            ],
            "text": self.markdown(),
            "created_at": self.created_at.isoformat(),
        }

    def _markdown_file(self, path: Path) -> str:
        url = self.links.get(path.name)
        return f"[{path.name}]({url})" if url else f"`{path}`"


def truncate_utf8(text: str, max_bytes: int, marker: str = "\n…(truncated)") -> str:
    """Cut ``text`` to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    keep = max_bytes - len(marker.encode("utf-8"))
    return raw[:keep].decode("utf-8", errors="ignore") + marker
