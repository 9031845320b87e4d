"""Progress for people, silence for pipes.

Long commands report progress on stderr only when stderr is a terminal, so piped output stays
machine-readable (stdout carries the JSON result, nothing else).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def interactive() -> bool:
    return sys.stderr.isatty()


def step(message: str) -> None:
    """A one-line status update (terminal only)."""
    if interactive():
        print(f"· {message}", file=sys.stderr, flush=True)


def track(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield items, drawing ``label  i/total`` on the terminal as they pass."""
    if not interactive():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    start = time.monotonic()
    i = 0
    for i, item in enumerate(items, 1):
        print(f"\r{label}  {i}/{total or '?'}", end="", file=sys.stderr, flush=True)
        yield item
    print(f"\r{label}  {i}/{total or i}  ({time.monotonic() - start:.1f}s)", file=sys.stderr, flush=True)
