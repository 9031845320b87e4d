"""Write test-artifacts/timing.md: each ``make`` target's duration (from .ci/run) and the slowest tests
(from the JUnit XML files pytest writes), so every CI run leaves its own timing table."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SLOWEST = 15


def _targets(tsv: Path) -> list[tuple[str, float, str]]:
    if not tsv.is_file():
        return []
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(name, float(seconds), status) for name, seconds, status in rows]


def _tests(artifacts: Path) -> list[tuple[float, str]]:
    timed = []
    for report in sorted(artifacts.glob("junit-*.xml")):
        for case in ET.parse(report).getroot().iter("testcase"):
            # xdist's loadgroup suffixes each test with its group ("…@tests/x.py"): the name is before it
            name = f"{case.get('classname', '')}::{case.get('name', '').split('@', 1)[0]}"
            timed.append((float(case.get("time") or 0.0), name))
    return sorted(timed, reverse=True)[:SLOWEST]


def table(artifacts: Path = ARTIFACTS) -> str:
    lines = ["# Test timing", "", "| make target | seconds | result |", "|---|---:|---|"]
    lines += [
        f"| {name} | {seconds:.0f} | {status} |"
        for name, seconds, status in _targets(artifacts / "make-targets.tsv")
    ]
    lines += ["", f"## Slowest {SLOWEST} tests", "", "| seconds | test |", "|---:|---|"]
    lines += [f"| {seconds:.1f} | `{name}` |" for seconds, name in _tests(artifacts)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    out = ARTIFACTS / "timing.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table(), encoding="utf-8")
    sys.stdout.write(out.read_text(encoding="utf-8"))
