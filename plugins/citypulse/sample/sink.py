"""Where the sample is written, and the record of what was written.

Layout (contract: design.md inbox convention): ``<out>/<platform>/<folder>/<file>``, one folder per
account export (or per crawl), with a ``_manifest.yaml`` wherever the file itself does not say
whose it is or when it was exported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Sink:
    out: Path
    files: list[tuple[str, str, int]] = field(default_factory=list)  # (relative path, format, rows)
    bad_files: list[str] = field(default_factory=list)

    def folder(self, platform: str, name: str, at: datetime | None = None) -> Path:
        suffix = f"_{at:%Y%m%d}" if at is not None else ""
        return self.out / platform / f"{name}{suffix}"

    def record(self, path: Path, fmt: str, rows: int) -> None:
        self.files.append((path.relative_to(self.out).as_posix(), fmt, rows))

    def record_bad(self, path: Path) -> None:
        self.bad_files.append(path.relative_to(self.out).as_posix())

    def by_format(self) -> dict[str, int]:
        return dict(sorted(Counter(fmt for _, fmt, _ in self.files).items()))

    def rows(self) -> int:
        return sum(rows for _, _, rows in self.files)
