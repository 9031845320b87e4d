"""docs/adapters.md lists every shipped adapter, so a data engineer finds each format there."""

from __future__ import annotations

import re

from citypulse.adapters.registry import all_adapters
from citypulse.settings import REPO_ROOT


def _listed() -> set[str]:
    """Adapter names in the table "Every format, with an example file" (``name``, ``_suffix``)."""
    text = (REPO_ROOT / "docs" / "adapters.md").read_text(encoding="utf-8")
    table = text.split("## Every format, with an example file", 1)[1]
    names: set[str] = set()
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        cells = re.findall(r"`([a-z0-9_]+)`", first)
        base = cells[0]
        names.add(base)
        names |= {base + c if c.startswith("_") else c for c in cells[1:]}
        names |= {c for c in re.findall(r"\+ `([a-z0-9_]+)`", first)}
    return names


def test_every_adapter_is_in_the_formats_table() -> None:
    shipped = {a.name for a in all_adapters()} | {x.name for a in all_adapters() for x in a.also}
    missing = shipped - _listed()
    assert not missing, f"docs/adapters.md does not list: {sorted(missing)}"
    assert not _listed() - shipped, (
        f"docs/adapters.md lists adapters that do not exist: {_listed() - shipped}"
    )
