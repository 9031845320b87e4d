"""Publish time: the candidate serving file made from the big build database, three ways side by side.

- ``marts_selected`` (what ``citypulse build`` does, citypulse.warehouse.publish): an empty file
  attaches the checkpointed build read-only and creates each published mart from it in one
  transaction, then checkpoints and fsyncs.
- ``copy_database_then_drop``: ``COPY FROM DATABASE`` of the whole build, then every unpublished
  relation and schema dropped (the alternative the decision was measured against).
- ``whole_file_copy``: the earlier publish, a byte copy of build.duckdb with everything in it
  (staging, intermediate, snapshots, audit, seeds): the floor of any copy, kept as the baseline.

Each contender writes a fresh candidate beside the build and deletes it afterwards (untimed). The
audit overlaps the copy in ``citypulse build``, so this is the time the copy needs, not the time
publishing adds after the audit.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from bench.timing import interleaved
from citypulse.warehouse import publish


def _candidate(build_db: Path, name: str) -> Path:
    return build_db.with_name(f".bench-publish-{name}.duckdb")


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _copy_database_then_drop(build_db: Path, candidate: Path) -> None:
    with duckdb.connect(str(candidate)) as conn:
        conn.execute("set enable_progress_bar = false")
        conn.execute(f"attach '{build_db}' as build (read_only)")
        catalog = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f'copy from database build to "{catalog}"')
        conn.execute("detach build")
        for relation in publish.unpublished_relations(conn, catalog):
            schema, name = relation.split(".", 1)
            kind = conn.execute(
                "select count(*) from duckdb_views() where database_name = $db and schema_name = $s"
                " and view_name = $n",
                {"db": catalog, "s": schema, "n": name},
            ).fetchone()[0]  # type: ignore[index]
            conn.execute(f'drop {"view" if kind else "table"} "{schema}"."{name}" cascade')
        for (schema,) in conn.execute(
            "select schema_name from duckdb_schemas() where database_name = $db and schema_name <> 'main'",
            {"db": catalog},
        ).fetchall():
            conn.execute(f'drop schema "{schema}" cascade')
        conn.execute("checkpoint")
    with open(candidate, "rb+") as handle:
        os.fsync(handle.fileno())


def _whole_file_copy(build_db: Path, candidate: Path) -> None:
    shutil.copyfile(build_db, candidate)
    with open(candidate, "rb+") as handle:
        os.fsync(handle.fileno())


def measure(build_db: Path, runs: int) -> dict[str, Any]:
    with duckdb.connect(str(build_db)) as conn:
        conn.execute("checkpoint")  # as publish does before it copies
    contenders = {
        "marts_selected": lambda: publish._copy(build_db, _candidate(build_db, "marts_selected")),  # noqa: SLF001
        "copy_database_then_drop": lambda: _copy_database_then_drop(
            build_db, _candidate(build_db, "copy_database_then_drop")
        ),
        "whole_file_copy": lambda: _whole_file_copy(build_db, _candidate(build_db, "whole_file_copy")),
    }
    sizes: dict[str, int] = {}

    def after(name: str) -> None:
        candidate = _candidate(build_db, name)
        sizes[name] = candidate.stat().st_size
        _remove(candidate)

    for name in contenders:
        _remove(_candidate(build_db, name))
    samples = interleaved(contenders, runs, after_each=after)
    with duckdb.connect(str(build_db), read_only=True) as conn:
        catalog = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        marts = publish.published_tables(conn, catalog)
    summaries = {name: {**samples[name].summary(), "file_bytes": sizes[name]} for name in contenders}
    chosen = summaries["marts_selected"]["median_s"]
    return {
        "build_db": str(build_db),
        "build_bytes": build_db.stat().st_size,
        "published_tables": len(marts),
        "contenders": summaries,
        "baseline": "whole_file_copy",
        "ratio_vs_whole_file_copy": round(chosen / summaries["whole_file_copy"]["median_s"], 2),
        "ratio_vs_copy_database_then_drop": round(
            chosen / summaries["copy_database_then_drop"]["median_s"], 2
        ),
    }
