"""Publish: the audited build database becomes serving.duckdb in one atomic rename.

Readers open serving.duckdb read-only per query; os.replace swaps the directory entry, so a reader
sees either the old file or the new one, never a half-written file.

The build database is copied, not renamed: the next incremental build starts from it. The copy
(seconds for a warehouse of millions of rows) only needs the built tables, so ``citypulse build``
starts it before the audit (:class:`CopyDuringAudit`) and records the audit's results in both
files; the Airflow DAG's publish task copies after its audit task (:func:`publish`).
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import duckdb

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.checks import CheckResult, record

# A published database must at least hold these (a copy that lacks them is not swapped in).
REQUIRED_MARTS = ("dim_post", "dim_account", "fct_post_daily", "ops_quality_results")


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _checkpointed_build(settings: Settings) -> Path:
    build_db = settings.build_db
    if not build_db.exists():
        raise CityPulseError(f"nothing to publish: {build_db} does not exist (run `citypulse build`)")
    # Fold any write-ahead log into the file, so the copy is complete on its own.
    with duckdb.connect(str(build_db)) as conn:
        conn.execute("checkpoint")
    return build_db


def _candidate(settings: Settings) -> Path:
    return settings.serving_db.with_name(f".serving-{uuid.uuid4().hex}.duckdb.tmp")


def _copy(build_db: Path, candidate: Path) -> None:
    shutil.copyfile(build_db, candidate)
    _fsync(candidate)


def _swap_in(settings: Settings, candidate: Path) -> Path:
    """Check the copy holds the marts, then rename it onto serving.duckdb."""
    with duckdb.connect(str(candidate), read_only=True) as conn:
        present = {
            row[0] for row in conn.execute("select table_name from information_schema.tables").fetchall()
        }
    missing = [name for name in REQUIRED_MARTS if name not in present]
    if missing:
        raise CityPulseError(f"not publishing {settings.build_db}: marts missing: {', '.join(missing)}")
    os.replace(candidate, settings.serving_db)
    _fsync_directory(settings.serving_db.parent)
    return settings.serving_db


def publish(settings: Settings) -> Path:
    """Copy the (audited, results recorded) build database and swap the copy in."""
    build_db = _checkpointed_build(settings)
    candidate = _candidate(settings)
    try:
        _copy(build_db, candidate)
        return _swap_in(settings, candidate)
    finally:
        candidate.unlink(missing_ok=True)


class CopyDuringAudit:
    """The build database copied beside serving.duckdb in a thread while the audit reads it.

    The audit opens the build read-only and writes nothing until it records its results, so the
    copy holds what the audit checks. :meth:`publish` records the same results in the copy and
    swaps it in; :meth:`discard` removes it (always call it, e.g. in ``finally``).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        build_db = _checkpointed_build(settings)  # before the audit's readers open it
        self._candidate = _candidate(settings)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(build_db,), name="publish-copy", daemon=True)
        self._thread.start()

    def _run(self, build_db: Path) -> None:
        try:
            _copy(build_db, self._candidate)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in publish()
            self._error = exc

    def publish(self, checks: list[CheckResult]) -> Path:
        """Once the audit passed and recorded ``checks`` in the build: the copy, with them, swapped in."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        record(self._candidate, checks)
        _fsync(self._candidate)
        return _swap_in(self._settings, self._candidate)

    def discard(self) -> None:
        self._thread.join()
        self._candidate.unlink(missing_ok=True)
