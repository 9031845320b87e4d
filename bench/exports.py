"""The export files the landing measurements use: ``citypulse sample --rows N`` output, cached by N.

``--rows N --cities 1 --months 1`` writes an N-row weibo-crawler CSV and a min(N, 100000)-row Douyin
creator-centre xlsx; they are the biggest CSV and xlsx of the sample. The ~1 GB CSV of the memory
measurement repeats the N-row CSV's data rows under one header (same shape, same parser work).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.workspace import work_root

REFERENCE_DAY = date(2026, 11, 9)


@dataclass(frozen=True)
class Exports:
    csv: Path
    xlsx: Path


def _biggest(root: Path, suffix: str) -> Path:
    files = sorted(root.rglob(f"*{suffix}"), key=lambda p: p.stat().st_size, reverse=True)
    if not files:
        raise RuntimeError(f"the sample under {root} has no {suffix} file")
    return files[0]


def sample_exports(rows: int) -> Exports:
    from citypulse.sample.generator import generate

    out = work_root() / f"sample-{rows}"
    done = out / ".complete"
    if not done.is_file():
        shutil.rmtree(out, ignore_errors=True)
        generate(out / "inbox", cities=1, months=1, seed=42, rows=rows, today=REFERENCE_DAY)
        done.touch()
    return Exports(csv=_biggest(out / "inbox", ".csv"), xlsx=_biggest(out / "inbox", ".xlsx"))


def inflated_csv(source: Path, target_bytes: int) -> Path:
    """A CSV of at least ``target_bytes``: ``source``'s header once, its data rows repeated (streamed)."""
    target = (
        work_root()
        / f"inflated-{target_bytes}"
        / source.parent.parent.name
        / source.parent.name
        / source.name
    )
    if target.is_file() and target.stat().st_size >= target_bytes:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = source.parent / "_manifest.yaml"
    if manifest.is_file():
        shutil.copyfile(manifest, target.parent / manifest.name)
    with source.open("rb") as fh:
        header = fh.readline()
        body_start = fh.tell()
    written = 0
    with target.open("wb") as out:
        out.write(header)
        written += len(header)
        while written < target_bytes:
            with source.open("rb") as fh:
                fh.seek(body_start)
                while chunk := fh.read(16 << 20):
                    out.write(chunk)
                    written += len(chunk)
    return target
