"""Side-by-side timing: contenders interleaved round by round, medians and p95 of the rounds.

Interleaving (A B C, B C A, C A B, …) spreads a shared machine's load bursts over every contender
instead of penalising whichever happened to run during one; ratios are taken within the same run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.seconds)
        return {
            "runs": len(ordered),
            "median_s": round(statistics.median(ordered), 4),
            "min_s": round(ordered[0], 4),
            "max_s": round(ordered[-1], 4),
            "p95_s": round(p95(ordered), 4),
            "seconds": [round(s, 4) for s in self.seconds],
        }


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile (with few runs this is the slowest run, which is the honest answer)."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


def interleaved(
    contenders: Mapping[str, Callable[[], object]],
    runs: int,
    before_each: Callable[[str], None] | None = None,
    after_each: Callable[[str], None] | None = None,
) -> dict[str, Samples]:
    """Time every contender ``runs`` times, rotating the order each round.

    ``before_each``/``after_each`` (untimed) prepare and clean up, e.g. a fresh data home per run.
    """
    names = list(contenders)
    samples = {name: Samples() for name in names}
    for round_no in range(runs):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            if before_each is not None:
                before_each(name)
            started = time.perf_counter()
            contenders[name]()
            samples[name].seconds.append(time.perf_counter() - started)
            if after_each is not None:
                after_each(name)
    return samples


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    max_rss_bytes: int
    returncode: int
    stdout: str
    stderr: str


def run_child(argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None) -> ChildRun:
    """Run a command in a child process; its own peak RSS from ``wait4`` (rusage of exactly that child,
    the per-process form of ``getrusage(RUSAGE_CHILDREN)``; Linux reports ru_maxrss in KiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # communicate() drains the pipes; wait4 must reap the child itself to get its rusage
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None

    def drain(stream: Any, sink: list[str]) -> None:
        sink.append(stream.read())

    readers = [
        threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
        threading.Thread(target=drain, args=(proc.stderr, err_chunks)),
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        time.perf_counter() - started,
        usage.ru_maxrss * 1024,
        proc.returncode,
        "".join(out_chunks),
        "".join(err_chunks),
    )
