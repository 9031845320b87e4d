"""Publish: the audited build's marts become serving.duckdb in one atomic rename.

What serving holds (个人信息保护法: what analysts can query never identifies a private person):
exactly the published marts, the ``dim_``, ``fct_``, ``bridge_``, ``eval_`` and ``ops_`` tables of
schema ``main`` (:func:`is_published`, the one definition). ``staging``, ``intermediate``,
``snapshots``, ``audit``, the raw seeds and the evaluation's ``int_eval_*`` scratch stay in
build.duckdb, which only data engineers read: ``intermediate.int_accounts`` keeps raw account ids
and names beside their pseudonyms, and the seeds list accounts by their platform ids. So the
candidate file is not a copy of the build file: an empty DuckDB file attaches the checkpointed
build read-only and creates each published table from it (``create table main.x as from
build.main.x``) in one transaction. Measured against ``COPY FROM DATABASE`` plus dropping what is
not published (bench ``publish time``, docs/decisions.md): the selection copies only the marts
(2–3× faster), while the whole-database copy writes the staging and intermediate tables first and
leaves their freed blocks, unpublished rows still readable in the bytes, in the file. A byte copy of
the build file is faster still but is that same leak.

The monthly evaluation and its content diagnostics read serving too, so what they need is published
as marts, keyed like the marts (``dim_official_account`` from the accounts registry,
``dim_city_keyword``, ``fct_post_caption_signature`` under dim_post's post key): they keep reading
one audited, atomically published snapshot, and nothing they read shows more than dim_post and
dim_account already do. A second, engineer-only published file was not taken: two files cannot be
swapped in together, so a run could read the marts of one build and the signatures of another.

Readers open serving.duckdb read-only per query; os.replace swaps the directory entry, so a reader
sees either the old file or the new one, never a half-written file. A candidate that is incomplete
(the copy failed, a required mart is missing) or that holds anything but the published set is
deleted, never swapped in.

The copy only needs the built tables, so ``citypulse build`` starts it before the audit
(:class:`CopyDuringAudit`; the audit waits for it before it records its results in the build) and
records the audit's results in both files; the Airflow DAG's publish task copies after its audit
task (:func:`publish`). Each publish also writes ``ops_publish``: the newest ``built_at`` of the
build's post observations, from which the next audit scopes its costliest tests (audit_scope).
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import duckdb

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.checks import CheckResult, record

PUBLISHED_SCHEMA = "main"
PUBLISHED_PREFIXES = ("dim_", "fct_", "bridge_", "eval_", "ops_")
# A published database must at least hold these (a copy that lacks them is not swapped in).
REQUIRED_MARTS = ("dim_post", "dim_account", "fct_post_daily", "ops_quality_results")
# Written by the publish itself: what the published post observations were built through.
PUBLISH_MARKER = "ops_publish"

_BUILD_ALIAS = "build"
_RELATIONS_SQL = """
select schema_name, table_name from duckdb_tables() where database_name = $db
union all
select schema_name, view_name from duckdb_views() where database_name = $db and not internal
"""
_STAMP_SQL = """
select max(built_at) from {source}.stg_post_observations
"""


def is_published(schema: str, table: str) -> bool:
    """Whether a build relation is published to serving.duckdb (a mart analysts may query)."""
    return schema == PUBLISHED_SCHEMA and table.startswith(PUBLISHED_PREFIXES)


def published_tables(conn: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """The published relations of ``database`` (as attached to ``conn``), sorted by name.

    A mart built as a view is published as a table of its rows: the view's own SQL reads relations
    serving does not hold.
    """
    rows = conn.execute(_RELATIONS_SQL, {"db": database}).fetchall()
    return sorted(table for schema, table in rows if is_published(schema, table))


def unpublished_relations(conn: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """``schema.name`` of every relation of ``database`` outside the published set."""
    rows = conn.execute(_RELATIONS_SQL, {"db": database}).fetchall()
    return sorted(f"{schema}.{table}" for schema, table in rows if not is_published(schema, table))


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


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
    # Fold any write-ahead log into the file: the read-only attach below does not replay one.
    with duckdb.connect(str(build_db)) as conn:
        conn.execute("checkpoint")
    return build_db


def _candidate(settings: Settings) -> Path:
    return settings.serving_db.with_name(f".serving-{uuid.uuid4().hex}.duckdb.tmp")


def _remove(candidate: Path) -> None:
    candidate.unlink(missing_ok=True)
    candidate.with_name(candidate.name + ".wal").unlink(missing_ok=True)


def _stamp_source(conn: duckdb.DuckDBPyConnection) -> str | None:
    """Where the build keeps stg_post_observations with its built_at (None: not built)."""
    located = conn.execute(
        "select table_schema from information_schema.columns where table_catalog = $db"
        " and table_name = 'stg_post_observations' and column_name = 'built_at'",
        {"db": _BUILD_ALIAS},
    ).fetchone()
    return None if located is None else f"{_BUILD_ALIAS}.{_quoted(located[0])}"


def _copy(build_db: Path, candidate: Path) -> None:
    """Create ``candidate`` holding exactly the published tables of ``build_db``, flushed to disk."""
    # no progress bar: it would print into `citypulse build`'s output from the copy's thread
    with duckdb.connect(str(candidate)) as conn:
        conn.execute("set enable_progress_bar = false")
        conn.execute(f"attach {_literal(build_db)} as {_BUILD_ALIAS} (read_only)")
        tables = published_tables(conn, _BUILD_ALIAS)
        source = _stamp_source(conn)
        conn.execute("begin")
        for table in tables:
            name = _quoted(table)
            conn.execute(
                f"create table {PUBLISHED_SCHEMA}.{name} as from {_BUILD_ALIAS}.{PUBLISHED_SCHEMA}.{name}"
            )
        stamp = "null::timestamp" if source is None else f"({_STAMP_SQL.format(source=source).strip()})"
        conn.execute(f"drop table if exists {PUBLISHED_SCHEMA}.{PUBLISH_MARKER}")
        conn.execute(
            f"create table {PUBLISHED_SCHEMA}.{PUBLISH_MARKER} as select {stamp} as post_observations_built_at,"
            " now() as copied_at"
        )
        conn.execute("commit")
        conn.execute(f"detach {_BUILD_ALIAS}")
        conn.execute("checkpoint")
    _fsync(candidate)


def _swap_in(settings: Settings, candidate: Path) -> Path:
    """Check the copy holds the required marts and nothing unpublished, then rename it onto serving."""
    with duckdb.connect(str(candidate), read_only=True) as conn:
        database = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        present = set(published_tables(conn, database))
        extra = unpublished_relations(conn, database)
    missing = [name for name in REQUIRED_MARTS if name not in present]
    if missing:
        raise CityPulseError(f"not publishing {settings.build_db}: marts missing: {', '.join(missing)}")
    if extra:
        raise CityPulseError(
            f"not publishing {settings.build_db}: the copy holds unpublished {', '.join(extra)}"
        )
    os.replace(candidate, settings.serving_db)
    _fsync_directory(settings.serving_db.parent)
    return settings.serving_db


def publish(settings: Settings) -> Path:
    """Copy the published marts of the (audited, results recorded) build and swap the copy in."""
    build_db = _checkpointed_build(settings)
    candidate = _candidate(settings)
    try:
        _copy(build_db, candidate)
        return _swap_in(settings, candidate)
    finally:
        _remove(candidate)


class CopyDuringAudit:
    """The published marts copied beside serving.duckdb in a thread while the audit reads the build.

    The audit opens the build read-only and writes nothing until it records its results; it calls
    :meth:`wait` first (DuckDB refuses to open the file for writing while this copy has it
    attached), so the copy holds what the audit checked. :meth:`publish` records the same results in
    the copy's ops_quality_results and swaps it in; :meth:`discard` removes it (always call it,
    e.g. in ``finally``).
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

    def wait(self) -> None:
        """Until the copy is done (it no longer reads the build); its error is raised by :meth:`publish`."""
        self._thread.join()

    def publish(self, checks: list[CheckResult]) -> Path:
        """Once the audit passed and recorded ``checks`` in the build: the copy, with them, swapped in."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        record(self._candidate, checks, audit_log=False)
        _fsync(self._candidate)
        return _swap_in(self._settings, self._candidate)

    def discard(self) -> None:
        self._thread.join()
        _remove(self._candidate)
