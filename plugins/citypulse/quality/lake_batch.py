"""GX once per landing batch: the rows of a batch's new ingests, one validation per lake entity.

A batch is one ``land_inbox`` run, or one ``citypulse_land`` DAG run. Validating each file on its
own cost seconds per file; validating a batch's rows together costs about the same once. The rows
are read back from the lake parquet of the batch's ingest ids (what was written is what is
checked), and the results go to one file, ``lake/_quality/batch-<batch id>.parquet``, in the
QUALITY_RESULTS schema with ``run_id`` = the batch id. The file's parquet metadata carries the
ingest ids it covers (key :data:`INGESTS_KEY`), and each failed expectation's ``details`` says
how many unexpected rows each ingest holds. Big batches are checked on an even sample
(:mod:`citypulse.quality.sampling`); ``details`` then says how many rows were checked out of how many.

The batch id is a hash of the sorted ingest ids, so validating the same ingests again finds the
file already there and writes nothing (idempotent). Ingests whose rows are in the lake and in the
ledger but in no quality file (the process died between the ledger and the validation) are
:func:`pending_ingests`; the next landing run validates them with its own batch.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from citypulse.lake import ledger
from citypulse.lake.atomic import write_parquet
from citypulse.lake.schema import ENTITIES, QUALITY_RESULTS
from citypulse.lake.store import lake_store
from citypulse.quality import gx_lake, sampling
from citypulse.settings import Settings

INGESTS_KEY = "citypulse.ingest_ids"
_BATCH_PREFIX = "batch-"


def batch_id(ingest_ids: Iterable[str]) -> str:
    """Deterministic id of a set of ingests: ``batch-`` + 20 hex of sha256 over the sorted ids."""
    digest = hashlib.sha256("\n".join(sorted(set(ingest_ids))).encode("utf-8")).hexdigest()
    return f"{_BATCH_PREFIX}{digest[:20]}"


def batch_path(settings: Settings, batch: str) -> Path:
    return settings.quality / f"{batch}.parquet"


def _batch_rows(
    settings: Settings, ingest_ids: set[str]
) -> tuple[dict[str, tuple[pl.DataFrame, int]], set[str]]:
    """Each entity's lake rows written by the given ingests, in a stable order, with how many
    rows the ingests hold (all of them, or past ``CITYPULSE_GX_MAX_ROWS`` an even sample); and the
    ingests that wrote any."""
    lake = lake_store(settings)
    rows = {}
    covered: set[str] = set()
    for entity in ENTITIES:
        by_ingest = {ingest: paths for ingest, paths in lake.files(entity).items() if ingest in ingest_ids}
        if not by_ingest:
            continue
        covered.update(by_ingest)
        frame = lake.read([f for paths in by_ingest.values() for f in paths])
        checked = gx_lake.columns_checked(settings.expectations, entity)
        if checked is not None:  # read only what GX looks at (and what orders and samples the rows)
            keep = checked | {"source_row"}
            frame = frame.select(c for c in frame.collect_schema().names() if c in keep)
        total = frame.select(pl.len()).collect().item()
        every = sampling.every_nth(total)
        if every > 1:  # every n-th row of each file, counted from its first row
            first = frame.group_by("ingest_id").agg(pl.col("source_row").min().alias("_first"))
            frame = (
                frame.join(first, on="ingest_id")
                .filter((pl.col("source_row") - pl.col("_first")) % every == 0)
                .drop("_first")
            )
        rows[entity] = (frame.sort("ingest_id", "source_row").collect(), total)
    return rows, covered


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import GX (seconds of Python imports) in a background thread while files are being landed:
    landing is mostly polars work, which leaves the interpreter free. :func:`validate_ingests`
    waits for it (GX's own circular imports fail when two threads import it at once)."""

    if not _warming:
        _warming.append(threading.Thread(target=gx_lake.import_gx, name="gx-import", daemon=True))
        _warming[0].start()


def validate_ingests(settings: Settings, ingest_ids: Iterable[str]) -> pl.DataFrame:
    """Validate the lake rows of these ingests (one GX run per entity) and record the results.

    Ingests without lake rows (quarantined, empty, zip archives whose members carry the rows)
    are not part of the batch. Returns the batch's QUALITY_RESULTS rows (read back when the batch
    was validated before); an empty frame when there is nothing to validate.
    """
    wanted = set(ingest_ids)
    if not wanted:
        return pl.DataFrame(schema=QUALITY_RESULTS)
    rows, ingests = _batch_rows(settings, wanted)
    covered = sorted(ingests)
    if not covered:
        return pl.DataFrame(schema=QUALITY_RESULTS)
    batch = batch_id(covered)
    target = batch_path(settings, batch)
    if target.is_file():
        return pl.read_parquet(target)
    for thread in _warming:
        thread.join()
    results = pl.concat(
        [
            gx_lake.validate_frame(frame, entity, batch, settings.expectations, rows_in_batch=total)
            for entity, (frame, total) in rows.items()
        ]
    )
    write_parquet(target, results, metadata={INGESTS_KEY: json.dumps(covered)})
    return results


def validated_ingests(settings: Settings) -> set[str]:
    """Ingest ids some quality file covers: batch files (metadata) and per-ingest files (name)."""
    covered: set[str] = set()
    for path in settings.quality.glob("*.parquet"):
        if path.stem.startswith(_BATCH_PREFIX):
            covered.update(json.loads(pl.read_parquet_metadata(path).get(INGESTS_KEY, "[]")))
        else:  # one file per ingest, as landing wrote them before batches
            covered.add(path.stem)
    return covered


def pending_ingests(settings: Settings) -> list[str]:
    """Landed ingests (ledger) with lake rows that no quality file covers yet, sorted."""
    entries = ledger.read_ledger(settings).filter(pl.col("status") == "landed")
    landed = set(entries["ingest_id"].to_list())
    lake = lake_store(settings)
    in_lake = {ingest for entity in ENTITIES for ingest in lake.files(entity)}
    return sorted((landed & in_lake) - validated_ingests(settings))
