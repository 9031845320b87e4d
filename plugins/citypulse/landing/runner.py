"""Land inbox files: raw copy → detect → parse → lake + rejects → ledger (last); then GX per batch.

``land_inbox`` lands every new file, then validates the batch's lake rows once per entity
(:func:`citypulse.quality.lake_batch.validate_ingests`); the Airflow DAG calls
``discover_new_files``, maps one ``land_file`` task per file and validates in a task of its own.
``land_file`` is safe to run concurrently for different files: every output is a per-ingest file
written atomically, and an exclusive lock per ingest id serialises two tasks that were given the
same bytes. Re-running after a crash redoes any file whose ledger entry is missing and overwrites
its outputs with the same content, and validates ingests a crash left unvalidated: the end state
equals an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import polars as pl

from citypulse import limits
from citypulse.adapters.base import Adapter, Context
from citypulse.adapters.engine import (
    Detection,
    FileFacts,
    Outcome,
    apply,
    decide_date_orders,
    detect,
    first_data_row,
    observed_at_from_content,
    preamble,
    provisional_facts,
    refused_only,
    refused_rows,
)
from citypulse.adapters.readers import (
    CsvFile,
    Piece,
    UnreadableFile,
    open_csv,
    read_tables,
    sniff_format,
    split_sections,
)
from citypulse.adapters.registry import all_adapters
from citypulse.file_lock import exclusive
from citypulse.lake import ledger, reasons
from citypulse.lake.atomic import sink_parquet, write_parquet
from citypulse.lake.store import lake_store
from citypulse.landing import refused_links, safe_archive, tombstones
from citypulse.landing.manifest import MANIFEST_NAME, Manifest, ManifestError, find_manifest
from citypulse.landing.observed import from_file_name, from_mtime
from citypulse.landing.quarantine import plain_reason, quarantine
from citypulse.landing.raw_store import store_raw
from citypulse.parsing.dates import DateOrderError, OrderEvidence
from citypulse.parsing.decoding import utf8_file
from citypulse.platforms import PLATFORMS
from citypulse.progress import track
from citypulse.quality.lake_batch import pending_ingests, validate_ingests, warm_up
from citypulse.settings import Settings

_IGNORED_NAMES = {MANIFEST_NAME, ".DS_Store", "Thumbs.db", "desktop.ini"}
# CSV files bigger than this land in batches of records of about the second size (memory holds a
# batch, not the file); both can be set in the environment (tests use tiny values)
BATCH_ABOVE_ENV = "CITYPULSE_LAND_BATCH_ABOVE_BYTES"
BATCH_PIECE_ENV = "CITYPULSE_LAND_BATCH_BYTES"
_BATCH_ABOVE = 256 << 20
_BATCH_PIECE = 16 << 20
_SNIFF_BYTES = 1 << 20  # sniff_format looks at most this far


@dataclass
class FileResult:
    """The outcome for one (logical) file; zip archives carry their members in ``members``."""

    name: str
    ingest_id: str
    status: str  # landed | duplicate | quarantined
    platform: str | None = None
    adapter: str | None = None
    rows_in: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    error: str | None = None
    reason_code: str | None = None  # citypulse.lake.reasons, beside ``error`` (the detail)
    members: list[FileResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "adapter": self.adapter,
            "status": self.status,
            "rows_in": self.rows_in,
            "rows_landed": self.rows_landed,
            "rows_rejected": self.rows_rejected,
            "error": self.error,
        }

    def flattened(self) -> list[FileResult]:
        return [part for member in self.members for part in member.flattened()] + [self]

    def landed_ingest_ids(self) -> list[str]:
        """Ingest ids of this file (zip members included) whose status is ``landed``."""
        return [part.ingest_id for part in self.flattened() if part.status == "landed"]


@dataclass
class LandResult:
    files: list[FileResult] = field(default_factory=list)
    quality: pl.DataFrame | None = None  # the batch's GX results (QUALITY_RESULTS), when validated

    def to_json(self) -> dict[str, Any]:
        return {"files": [part.to_json() for f in self.files for part in f.flattened()]}

    @property
    def exit_code(self) -> int:
        statuses = {part.status for f in self.files for part in f.flattened()}
        return 2 if "quarantined" in statuses else 0


def _sha256(data: bytes | Path) -> str:
    if isinstance(data, Path):
        with open(data, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    return hashlib.sha256(data).hexdigest()


def _identity(path: Path) -> tuple[int, ...]:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class _Hashed:
    """A file's digest with the state of the file it was read from."""

    path: Path
    digest: str
    identity: tuple[int, ...]

    @classmethod
    def read(cls, path: Path) -> _Hashed:
        if path.is_symlink():  # never followed: its "digest" names the link, not what it points to
            return cls(path, refused_links.link_id(path), ())
        identity = _identity(path)
        digest = _sha256(path)
        # a write changes mtime and ctime (no program can set ctime back), but only to the clock's
        # tick: a file written in the last second could change again unseen
        settled = time.time_ns() - max(identity[3], identity[4]) > 1_000_000_000
        return cls(path, digest, identity if settled and _identity(path) == identity else ())

    def digest_of(self, path: Path) -> str:
        """The digest of ``path``: this one while the file is unchanged (hashing 300 MB takes
        0.2 s, and discovering a file and landing it both need its digest), else read again."""
        return self.digest if self.identity and _identity(path) == self.identity else _sha256(path)


def _size(data: bytes | Path) -> int:
    return data.stat().st_size if isinstance(data, Path) else len(data)


def _bytes_setting(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _relative_name(path: Path, inbox: Path) -> str:
    # the folder is resolved, never the file: a symbolic link is named as it lies in the inbox
    try:
        name = (path.parent.resolve() / path.name).relative_to(inbox.resolve()).as_posix()
    except ValueError:
        name = path.name
    # a name that is not UTF-8 (bytes the file system holds as surrogates) is kept readable and
    # storable: each such byte as \xNN
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_data_file(path: Path) -> bool:
    """A regular file to land, or a symbolic link (file or folder) to record as refused."""
    return (
        (path.is_symlink() or path.is_file())
        and path.name not in _IGNORED_NAMES
        and not path.name.startswith((".", "~$"))
    )


def _new_files(settings: Settings, inbox: Path) -> list[_Hashed]:
    if not inbox.is_dir():
        return []
    recorded = ledger.read_ledger(settings).select("ingest_id", "original_name")
    seen = set(zip(recorded["ingest_id"].to_list(), recorded["original_name"].to_list(), strict=True))
    hashed = (_Hashed.read(p) for p in sorted(p for p in inbox.rglob("*") if _is_data_file(p)))
    return [h for h in hashed if (h.digest, _relative_name(h.path, inbox)) not in seen]


def discover_new_files(settings: Settings, inbox: Path) -> list[Path]:
    """Files under ``inbox`` (recursively, sorted) not yet recorded in the ledger under their name.

    A file is new when its bytes were never landed, or when they were but this name has no ledger
    entry yet (it will be recorded as a duplicate). Manifests and hidden files are not data.
    """
    return [h.path for h in _new_files(settings, inbox)]


def land_inbox(settings: Settings, inbox: Path) -> LandResult:
    """Land every new file of the inbox (quarantined files do not stop the others), then run the
    lake GX suites once over the batch: the new ingests plus any a crash left unvalidated."""
    settings.ensure()
    adapters = all_adapters(settings)
    result = LandResult()
    new = _new_files(settings, inbox)
    if new:
        warm_up()
    for hashed in track(new, "landing"):
        result.files.append(_land_file_safely(settings, hashed.path, inbox, adapters, hashed))
    batch = {i for f in result.files for i in f.landed_ingest_ids()} | set(pending_ingests(settings))
    if batch:
        result.quality = validate_ingests(settings, batch)
    return result


def land_file(
    settings: Settings, path: Path, inbox: Path, adapters: list[Adapter] | None = None
) -> FileResult:
    """Land one inbox file (zip archives: each member too). Idempotent; safe to run concurrently."""
    return _land_file_safely(settings, path, inbox, adapters, None)


def _land_file_safely(
    settings: Settings, path: Path, inbox: Path, adapters: list[Adapter] | None, hashed: _Hashed | None
) -> FileResult:
    """:func:`_land_file`, where any failure the file causes before its bytes are kept (it cannot
    be read, it vanished) is its own result and never stops the batch."""
    try:
        return _land_file(settings, path, inbox, adapters, hashed)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        name = _relative_name(path, inbox)
        try:
            return _record_unlandable(settings, path, name, exc)
        except Exception:  # noqa: BLE001 - not even recordable (unreadable, or the ledger is)
            pass
        ingest_id = hashed.digest if hashed is not None else ""
        return FileResult(
            name,
            ingest_id,
            "quarantined",
            error=f"{name}: could not be landed: {type(exc).__name__}: {exc}",
            reason_code=reasons.LANDING_FAILED,
        )


def _land_file(
    settings: Settings, path: Path, inbox: Path, adapters: list[Adapter] | None, hashed: _Hashed | None
) -> FileResult:
    settings.ensure()
    adapters = adapters if adapters is not None else all_adapters(settings)
    name = _relative_name(path, inbox)
    if path.is_symlink():
        return _refuse_link(settings, path, name)
    with refused_links.open_no_follow(path) as fh:
        head = fh.read(_SNIFF_BYTES)
        in_batches = (
            os.fstat(fh.fileno()).st_size > _bytes_setting(BATCH_ABOVE_ENV, _BATCH_ABOVE)
            and sniff_format(head) == "csv"
        )
        data: bytes | Path = path if in_batches else head + fh.read()
    try:
        manifest = find_manifest(path, inbox)
        manifest_error = None
    except ManifestError as exc:
        manifest, manifest_error = Manifest(), f"{name}: its folder manifest is refused: {exc}"
    source = _Source(
        path=path,
        name=name,
        manifest=manifest,
        manifest_error=manifest_error,
        folder_platform=_folder_platform(name),
        account_folder=_account_folder(name),
    )
    # a small file's bytes are hashed in memory (milliseconds); a big one is hashed where it lies
    ingest_id = hashed.digest_of(path) if hashed is not None and in_batches else None
    return _land_bytes(settings, data, name, source, adapters, ingest_id)


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str
    manifest: Manifest
    manifest_error: str | None
    folder_platform: str | None
    account_folder: str | None


def _folder_platform(name: str) -> str | None:
    first = PurePosixPath(name).parts[0] if len(PurePosixPath(name).parts) > 1 else None
    return first if first in PLATFORMS else None


def _account_folder(name: str) -> str | None:
    parts = PurePosixPath(name).parts
    return parts[1] if len(parts) > 2 else None


def _land_bytes(
    settings: Settings,
    data: bytes | Path,
    name: str,
    source: _Source,
    adapters: list[Adapter],
    ingest_id: str | None = None,
) -> FileResult:
    """Land one file's bytes: in memory, or (a big CSV) the ``Path`` of the file, read in batches.
    ``ingest_id``: their digest, when known."""
    ingest_id = ingest_id or _sha256(data)
    if safe_archive.encloses(ingest_id):  # taking its lock again would wait on ourselves forever
        # a zip quine: unpacking it again would only find itself, past any nesting limit
        depth = limits.current().archive_depth
        return FileResult(
            name,
            ingest_id,
            "quarantined",
            error=f"{name}: the member has the same bytes as an archive that contains it, so it "
            f"would nest without end (limit archive_depth = {depth}; not landed)",
            reason_code=reasons.MEMBER_REFUSED,
        )
    with exclusive(settings.ingests / ".locks" / f"{ingest_id}.lock"):
        done = ledger.read_entry(ledger.entry_path(settings, ingest_id))
        if done is not None:
            if done["original_name"] == name:  # the same file again (a retried task): report, change nothing
                return FileResult(
                    name,
                    ingest_id,
                    done["status"],
                    done["platform"],
                    done["adapter"],
                    done["rows_in"] or 0,
                    done["rows_landed"] or 0,
                    done["rows_rejected"] or 0,
                    done["error"],
                )
            return _record_duplicate(settings, _size(data), name, ingest_id, done)
        now = ledger.landed_at_now()
        raw_path = store_raw(settings, data, ingest_id, name, source.folder_platform or "unknown", now)
        entry: dict[str, Any] = {
            "ingest_id": ingest_id,
            "original_name": name,
            "account_id": source.manifest.account_id,
            "size_bytes": _size(data),
            "raw_path": raw_path.relative_to(settings.home).as_posix(),
        }
        try:
            if isinstance(data, Path):
                return _land_csv_in_batches(settings, data, name, source, adapters, entry)
            if sniff_format(data) == "zip":
                return _land_zip(settings, data, name, source, adapters, entry)
            return _land_table_file(settings, data, name, source, adapters, entry)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            return _land_failed(settings, entry, source, name, exc)


def _land_failed(
    settings: Settings, entry: dict[str, Any], source: _Source, name: str, exc: Exception
) -> FileResult:
    """Quarantine a file whose landing failed in any stage, after removing what it wrote to the
    lake (the ledger decides what is published, but no orphan should stay behind)."""
    ingest_id = entry["ingest_id"]
    for part in [
        *settings.lake.glob(f"*/platform=*/{ingest_id}.parquet"),
        settings.rejects / f"{ingest_id}.parquet",
    ]:
        part.unlink(missing_ok=True)
    if isinstance(exc, limits.LimitExceeded):
        code, why = reasons.LIMIT_EXCEEDED, str(exc)
    elif isinstance(exc, limits.ImplausibleValue):
        code, why = reasons.IMPLAUSIBLE_FILE, str(exc)
    elif isinstance(exc, RecursionError):
        bound = limits.current().json_depth
        code, why = (
            reasons.LIMIT_EXCEEDED,
            f"nested deeper than the reader can follow (limit json_depth = {bound})",
        )
    else:
        code, why = reasons.LANDING_FAILED, f"could not be landed: {type(exc).__name__}: {exc}"
    return _quarantine(settings, entry, source, name, code, f"{name}: {why}")


def _record_unlandable(settings: Settings, path: Path, name: str, exc: Exception) -> FileResult:
    """Keep the bytes of a file that failed before its landing began, and quarantine it."""
    with refused_links.open_no_follow(path) as fh:
        ingest_id = hashlib.file_digest(fh, "sha256").hexdigest()
    platform = _folder_platform(name)
    with exclusive(settings.ingests / ".locks" / f"{ingest_id}.lock"):
        done = ledger.read_entry(ledger.entry_path(settings, ingest_id))
        if done is not None:
            return FileResult(name, ingest_id, done["status"], done["platform"], error=done["error"])
        raw_path = store_raw(settings, path, ingest_id, name, platform or "unknown", ledger.landed_at_now())
        entry: dict[str, Any] = {
            "ingest_id": ingest_id,
            "original_name": name,
            "account_id": None,
            "size_bytes": raw_path.stat().st_size,
            "raw_path": raw_path.relative_to(settings.home).as_posix(),
        }
        source = _Source(path, name, Manifest(), None, platform, _account_folder(name))
        return _land_failed(settings, entry, source, name, exc)


def _refuse_link(settings: Settings, path: Path, name: str) -> FileResult:
    """Record a symbolic link as refused (ledger and quarantine), without following it."""
    link_id = refused_links.link_id(path)
    done = ledger.read_entry(ledger.entry_path(settings, link_id))
    if done is not None:
        return FileResult(name, link_id, done["status"], done["platform"], error=done["error"])
    source = _Source(path, name, Manifest(), None, _folder_platform(name), _account_folder(name))
    entry: dict[str, Any] = {
        "ingest_id": link_id,
        "original_name": name,
        "account_id": None,
        "size_bytes": None,
        "raw_path": None,
    }
    return _quarantine(
        settings, entry, source, name, reasons.SYMLINK_REFUSED, refused_links.refusal(path, name)
    )


def _record_duplicate(
    settings: Settings, size: int, name: str, ingest_id: str, done: dict[str, Any]
) -> FileResult:
    path = ledger.duplicate_entry_path(settings, ingest_id, name)
    note = f"same bytes as {done['original_name']} (landed {done['landed_at']:%Y-%m-%d %H:%M} UTC)"
    if not path.is_file():
        ledger.write_entry(
            path,
            ingest_id=ingest_id,
            original_name=tombstones.load(settings).scrubbed_name(name, done["platform"]),
            platform=done["platform"],
            account_id=done.get("account_id"),
            adapter=done["adapter"],
            size_bytes=size,
            encoding=done["encoding"],
            observed_at=done["observed_at"],
            observed_at_source=done["observed_at_source"],
            landed_at=ledger.landed_at_now(),
            status="duplicate",
            rows_in=0,
            rows_landed=0,
            rows_rejected=0,
            error=note,
            raw_path=done["raw_path"],
        )
    return FileResult(name, ingest_id, "duplicate", done["platform"], done["adapter"], error=note)


def _finish(settings: Settings, entry: dict[str, Any], result: FileResult) -> FileResult:
    ledger.write_entry(
        ledger.entry_path(settings, result.ingest_id),
        **{
            "encoding": None,
            "observed_at": None,
            "observed_at_source": None,
            **tombstones.scrubbed_entry(settings, entry, result.platform),
            "platform": result.platform,
            "adapter": result.adapter,
            "status": result.status,
            "rows_in": result.rows_in,
            "rows_landed": result.rows_landed,
            "rows_rejected": result.rows_rejected,
            "error": result.error,
            "reason_code": result.reason_code,
            "landed_at": ledger.landed_at_now(),
        },
    )
    return result


def _quarantine(
    settings: Settings,
    entry: dict[str, Any],
    source: _Source,
    name: str,
    reason_code: str,
    reason: str,
    detections: list[Detection] | None = None,
) -> FileResult:
    closest = next((d for d in detections or [] if d.closest is not None), None)
    quarantine(
        settings,
        entry["ingest_id"],
        {
            "file": name,
            "ingest_id": entry["ingest_id"],
            "raw_path": entry["raw_path"],
            "reason_code": reason_code,
            "reason": plain_reason(
                reason_code, name, closest.closest.name if closest and closest.closest else None
            ),
            "detail": reason,
            "closest_adapter": closest.closest.name if closest and closest.closest else None,
            "missing_columns": closest.missing if closest else [],
            "tables": [
                {
                    "table": d.table.label,
                    "closest_adapter": d.closest.name if d.closest else None,
                    "missing_columns": d.missing,
                }
                for d in detections or []
            ],
        },
    )
    result = FileResult(
        name,
        entry["ingest_id"],
        "quarantined",
        source.folder_platform,
        None,
        error=reason,
        reason_code=reason_code,
    )
    return _finish(settings, entry, result)


def _quarantine_unreadable(
    settings: Settings,
    entry: dict[str, Any],
    source: _Source,
    name: str,
    exc: Exception,
    detections: list[Detection] | None = None,
) -> FileResult:
    """Quarantine a file its reader or polars cannot read, or whose day/month order its values do
    not decide (refused, never guessed)."""
    if isinstance(exc, pl.exceptions.PolarsError):
        code, why = reasons.PARSE_FAILED, f"could not be parsed: {exc}"
    elif isinstance(exc, DateOrderError):
        code, why = reasons.DATE_ORDER_AMBIGUOUS, str(exc)
    elif isinstance(exc, UnicodeDecodeError) or isinstance(exc.__cause__, UnicodeDecodeError):
        code, why = reasons.ENCODING, str(exc)
    else:
        code, why = reasons.UNREADABLE_FILE, str(exc)
    return _quarantine(settings, entry, source, name, code, f"{name}: {why}", detections)


def _quarantine_no_adapter(
    settings: Settings,
    entry: dict[str, Any],
    source: _Source,
    name: str,
    why: str,
    detections: list[Detection],
) -> FileResult:
    reason = f"{name}: no adapter matches its header; {why}"
    return _quarantine(settings, entry, source, name, reasons.NO_ADAPTER, reason, detections)


@contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
    """A fresh folder for a landing's intermediate files, removed however the landing ends (one a
    crash left behind is emptied by the next landing of the same bytes)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _land_zip(
    settings: Settings,
    data: bytes,
    name: str,
    source: _Source,
    adapters: list[Adapter],
    entry: dict[str, Any],
) -> FileResult:
    """Each member streamed out under the limits (:mod:`citypulse.landing.safe_archive`) and landed
    as a file of its own; members refused or skipped are listed in the archive's ledger entry."""
    ingest_id, bounds = entry["ingest_id"], limits.current()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members, skipped = safe_archive.list_members(archive, bounds)
    except zipfile.BadZipFile as exc:
        why = f"{name}: not a readable zip archive: {exc}"
        return _quarantine(settings, entry, source, name, reasons.ARCHIVE_UNREADABLE, why)
    if not members:
        listed = f"; skipped: {'; '.join(skipped)}" if skipped else ""
        why = f"{name}: the zip archive holds no files{listed}"
        return _quarantine(settings, entry, source, name, reasons.ARCHIVE_EMPTY, why)
    results: list[FileResult] = []
    with (
        _scratch(settings.home / ".landing" / f"{ingest_id}.zip") as work,
        safe_archive.opened(ingest_id, bounds),
    ):
        for i, info in enumerate(members):
            member = safe_archive.extract(archive, info, work / f"member-{i:06d}")
            results.append(
                _land_member(settings, member, f"{name}!{info.filename}", ingest_id, source, adapters)
            )
    result = _archive_result(name, ingest_id, source, results, skipped)
    return _finish(settings, {**entry, "observed_at_source": None}, result)


def _archive_result(
    name: str, ingest_id: str, source: _Source, members: list[FileResult], skipped: list[str]
) -> FileResult:
    """The archive's own result: landed when a member landed (with the landed members' counts),
    naming every member not landed."""
    landed = [r for r in members if r.status == "landed"]
    notes = [r.error for r in members if r.status == "quarantined" and r.error]
    notes += [f"{name}!{line}" for line in skipped]
    error = None if landed else f"{name}: no member of the archive could be landed"
    if notes:
        error = f"{error or name}; members not landed: {'; '.join(notes)}"
    return FileResult(
        name,
        ingest_id,
        "landed" if landed else "quarantined",
        platform=next((r.platform for r in landed), source.folder_platform),
        adapter="zip",
        rows_in=sum(r.rows_in for r in landed),
        rows_landed=sum(r.rows_landed for r in landed),
        rows_rejected=sum(r.rows_rejected for r in landed),
        error=error,
        reason_code=(reasons.MEMBER_REFUSED if notes else None) if landed else reasons.ARCHIVE_EMPTY,
        members=members,
    )


def _land_member(
    settings: Settings,
    member: safe_archive.Member,
    name: str,
    archive_id: str,
    source: _Source,
    adapters: list[Adapter],
) -> FileResult:
    """An extracted member, landed as an inbox file is (a big CSV in batches from its file); one
    refused on extraction is quarantined within the archive."""
    if member.path is None or member.digest is None:
        refused = f"{name}: {member.refused}"
        return FileResult(
            name,
            archive_id,
            "quarantined",
            source.folder_platform,
            error=refused,
            reason_code=reasons.MEMBER_REFUSED,
        )
    with open(member.path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    big = member.path.stat().st_size > _bytes_setting(BATCH_ABOVE_ENV, _BATCH_ABOVE)
    data: bytes | Path = member.path if big and sniff_format(head) == "csv" else member.path.read_bytes()
    result = _land_bytes(settings, data, name, source, adapters, member.digest)
    member.path.unlink(missing_ok=True)
    return result


def _timezone(source: _Source, adapter: Adapter) -> str:
    """The file's local time zone: the manifest's, else the adapter's platform default."""
    return source.manifest.timezone or adapter.timezone


def _observed_at(
    source: _Source, name: str, adapter: Adapter, from_content: Callable[[str], datetime | None]
) -> tuple[datetime, str]:
    """When the export was taken, and where that came from; refused outside the plausible window.
    ``from_content`` reads it from the rows, given the file's time zone."""
    moment, origin = _observed_at_unchecked(source, name, _timezone(source, adapter), from_content)
    limits.current().check_moment(moment, f"observation time (from the {origin})")
    return moment, origin


def _observed_at_unchecked(
    source: _Source, name: str, tz: str, from_content: Callable[[str], datetime | None]
) -> tuple[datetime, str]:
    if source.manifest.observed_at is not None:
        return source.manifest.observed_at, "manifest"
    from_name = from_file_name(name.split("!")[-1], tz) or from_file_name(name.split("!")[0], tz)
    if from_name is not None:
        return from_name, "filename"
    content = from_content(tz)
    if content is not None:
        return content, "content"
    return from_mtime(source.path), "mtime"


def _context(source: _Source, name: str, detection: Detection, observed_at: datetime) -> Context:
    adapter = detection.adapter
    assert adapter is not None
    return Context(
        adapter=adapter,
        file_name=name,
        observed_at=observed_at,
        timezone=_timezone(source, adapter),
        account_id=source.manifest.account_id,
        account_name=source.manifest.account_name,
        city_code=source.manifest.city_code,
        header=detection.header,
        preamble=preamble(detection),
        account_folder=source.account_folder,
        period_start=source.manifest.period_start,
        period_end=source.manifest.period_end,
        date_order=source.manifest.date_order,
    )


def _land_table_file(
    settings: Settings,
    data: bytes,
    name: str,
    source: _Source,
    adapters: list[Adapter],
    entry: dict[str, Any],
) -> FileResult:
    """A file landed whole: each table by the adapter its header matches (and that adapter's
    ``also`` adapters), into the ingest's lake files and one rejects file."""
    if source.manifest_error:
        return _quarantine(settings, entry, source, name, reasons.MANIFEST_INVALID, source.manifest_error)
    try:
        tables, entry["encoding"], fmt = read_tables(data)
    except (UnreadableFile, UnicodeDecodeError) as exc:
        return _quarantine_unreadable(settings, entry, source, name, exc)
    if not tables:
        return _land_empty(settings, entry, source, name)
    detections = [detect(t, adapters, fmt) for t in tables]
    matched = [d for d in detections if d.adapter is not None]
    if not matched:
        closest = next((d for d in detections if d.closest is not None), None)
        why = closest.closest_text if closest else "no table found in the file"
        return _quarantine_no_adapter(settings, entry, source, name, why, detections)
    first = matched[0].adapter
    assert first is not None
    entry["observed_at"], entry["observed_at_source"] = _observed_at(
        source,
        name,
        first,
        lambda tz: next(filter(None, (observed_at_from_content(d, tz) for d in matched)), None),
    )
    forgotten = tombstones.load(settings)  # rows of accounts forgotten on request never land
    try:
        mapped = [_map_table(forgotten, source, name, d, entry) for d in matched]
    except (pl.exceptions.PolarsError, DateOrderError) as exc:
        return _quarantine_unreadable(settings, entry, source, name, exc, detections)
    _write_outputs(
        settings, entry["ingest_id"], [m.outcome for m in mapped] + [o for m in mapped for o in m.also]
    )
    nul_bytes = sum(table.nul_bytes for table in tables)
    return _finish(settings, entry, _tables_landed(name, entry["ingest_id"], detections, mapped, nul_bytes))


def _land_empty(settings: Settings, entry: dict[str, Any], source: _Source, name: str) -> FileResult:
    """A file without records (an empty API response) lands nothing, and is not refused."""
    entry.update(
        observed_at=source.manifest.observed_at,
        observed_at_source="manifest" if source.manifest.observed_at else None,
    )
    empty = FileResult(
        name,
        entry["ingest_id"],
        "landed",
        source.folder_platform,
        None,
        error=f"{name}: the file holds no records (an empty response); nothing to land",
        reason_code=reasons.EMPTY_FILE,
    )
    return _finish(settings, entry, empty)


class _Mapped(NamedTuple):
    """One table mapped by its adapter and by each of that adapter's ``also`` adapters."""

    outcome: Outcome
    also: list[Outcome]
    refused: int  # see _rows_refused


def _map_table(
    forgotten: tombstones.Tombstones, source: _Source, name: str, detection: Detection, entry: dict[str, Any]
) -> _Mapped:
    table = [
        tombstones.drop_forgotten(
            forgotten, apply(d, _context(source, name, d, entry["observed_at"]), entry["ingest_id"])
        )
        for d in _with_also(detection)
    ]
    return _Mapped(table[0], table[1:], _rows_refused(table))


def _tables_landed(
    name: str, ingest_id: str, detections: list[Detection], mapped: list[_Mapped], nul_bytes: int
) -> FileResult:
    """The file's result: its tables' counts; tables no adapter reads and NUL characters removed
    from the cells (never content) are said."""
    outcomes = [m.outcome for m in mapped]
    ignored = [d.table.label or "(table)" for d in detections if d.adapter is None]
    notes = [f"tables without an adapter, not landed: {', '.join(ignored)}"] if ignored else []
    if nul_bytes:
        notes.append(f"{nul_bytes} NUL characters removed from the cells")
    return FileResult(
        name,
        ingest_id,
        "landed",
        platform=outcomes[0].adapter.platform,
        adapter=",".join(sorted({o.adapter.name for o in outcomes})),
        rows_in=sum(o.rows_in for o in outcomes),
        rows_landed=sum(o.rows_landed for o in outcomes),
        rows_rejected=sum(m.refused for m in mapped),
        error="; ".join(notes) or None,
        reason_code=reasons.TABLES_IGNORED if ignored else None,
    )


def _with_also(detection: Detection) -> list[Detection]:
    """The table's detection, then the same table for each of its adapter's ``also`` adapters."""
    assert detection.adapter is not None
    return [detection, *(replace(detection, adapter=a) for a in detection.adapter.also)]


def _rows_refused(table: list[Outcome]) -> int:
    """Rows of one table refused by its adapter or by one of its ``also`` adapters (the ledger's
    counts are the table's rows: ``rows_landed`` are those its own adapter landed)."""
    return refused_only(pl.concat([o.rejects for o in table]), table[0].landed)


def _write_outputs(settings: Settings, ingest_id: str, outcomes: list[Outcome]) -> None:
    lake = lake_store(settings)
    by_target: dict[tuple[str, str], list[pl.DataFrame]] = {}
    for outcome in outcomes:
        by_target.setdefault((outcome.adapter.entity, outcome.adapter.platform), []).append(outcome.landed)
    for (entity, platform), frames in sorted(by_target.items()):
        frame = pl.concat(frames)
        if frame.height == 0:
            continue
        lake.write(lake.entity_file(entity, platform, ingest_id), frame)
    rejects = pl.concat([o.rejects for o in outcomes])
    if rejects.height:
        write_parquet(settings.rejects / f"{ingest_id}.parquet", rejects)


@dataclass(frozen=True)
class _BatchOutcome:
    """One row batch's counts and parts (Arrow IPC: written and read back at memory speed)."""

    rows_in: int
    rows_landed: int
    rows_rejected: int
    landed: Path | None
    rejects: Path | None

    @classmethod
    def write(cls, work: Path, index: int, outcome: Outcome) -> _BatchOutcome:
        """Write (or, when a batch landed again has none now, remove) the batch's two parts."""

        def part(kind: str, frame: pl.DataFrame) -> Path | None:
            path = work / f"{kind}-{index:06d}.arrow"
            if not frame.height:
                path.unlink(missing_ok=True)
                return None
            frame.write_ipc(path)
            return path

        return cls(
            outcome.rows_in,
            outcome.rows_landed,
            outcome.rows_rejected,
            part("landed", outcome.landed),
            part("rejects", outcome.rejects),
        )


def _widened(frame: pl.DataFrame, width: int) -> pl.DataFrame:
    """A positional batch with empty columns up to ``width`` (``c0…``)."""
    have = frame.width - 1  # without ROW
    return frame.with_columns(pl.lit(None, pl.String).alias(f"c{i}") for i in range(have, width))


def _batches_holding(pieces: list[Piece], rows: pl.Series) -> list[int]:
    """Indexes of the batches that hold these record numbers, ascending."""
    starts = pl.Series([piece.first_row for piece in pieces], dtype=pl.Int64)
    return sorted((starts.search_sorted(rows.unique(), side="right") - 1).unique().to_list())


def _land_csv_in_batches(
    settings: Settings,
    path: Path,
    name: str,
    source: _Source,
    adapters: list[Adapter],
    entry: dict[str, Any],
) -> FileResult:
    """A big CSV, landed batch of records by batch: memory holds one batch, not the file.

    The file is decoded to UTF-8 on disk when it is not UTF-8 already, read in pieces of whole
    records (:class:`CsvFile`), detected on its first batch, and landed batch by batch
    (:class:`_Batches`); each batch's lake rows and rejects go to Arrow parts, streamed into the
    ingest's one lake file and one rejects file.
    The result equals landing the file whole. Adapters whose hooks look across rows
    (``row_batches=False``) land the file whole.
    """
    if source.manifest_error:
        return _quarantine(settings, entry, source, name, reasons.MANIFEST_INVALID, source.manifest_error)
    with _scratch(settings.home / ".landing" / entry["ingest_id"]) as work:
        try:
            utf8, entry["encoding"] = utf8_file(path, work / "utf8.csv")
            csv = open_csv(utf8, _bytes_setting(BATCH_PIECE_ENV, _BATCH_PIECE))
            head = csv.head()
            # stacked sections (small summary exports) are tables of their own: landed whole
            sectioned = len(split_sections(head)) > 1
            detection = detect(head, adapters, "csv")
        except (UnreadableFile, UnicodeDecodeError) as exc:
            return _quarantine_unreadable(settings, entry, source, name, exc)
        adapter = detection.adapter
        # a table unwrapped from single-field records has no row batches of its own; a table
        # that also lands a second entity (``Adapter.also``) is landed whole, every adapter at once
        if sectioned or (
            adapter is not None and (not adapter.row_batches or detection.unwrapped or adapter.also)
        ):
            return _land_table_file(settings, path.read_bytes(), name, source, adapters, entry)
        if adapter is None:
            return _quarantine_no_adapter(settings, entry, source, name, detection.closest_text, [detection])
        # every pass over the batches may meet a record polars cannot read
        try:
            batches = _land_batches(settings, csv, detection, source, name, entry, work)
        except (UnreadableFile, DateOrderError, pl.exceptions.PolarsError) as exc:
            return _quarantine_unreadable(settings, entry, source, name, exc, [detection])
        outcomes = list(batches.outcomes.values())
        _publish_batches(settings, entry["ingest_id"], adapter, outcomes)
        result = FileResult(
            name,
            entry["ingest_id"],
            "landed",
            platform=adapter.platform,
            adapter=adapter.name,
            rows_in=sum(o.rows_in for o in outcomes),
            rows_landed=sum(o.rows_landed for o in outcomes),
            rows_rejected=sum(o.rows_rejected for o in outcomes),
        )
        return _finish(settings, entry, result)


def _land_batches(
    settings: Settings,
    csv: CsvFile,
    detection: Detection,
    source: _Source,
    name: str,
    entry: dict[str, Any],
    work: Path,
) -> _Batches:
    """The CSV's batches, each landed in every pass it needs; the observation time (which may be
    read from every batch's rows) recorded in ``entry``."""
    adapter = detection.adapter
    assert adapter is not None
    entry["observed_at"], entry["observed_at_source"] = _observed_at(
        source,
        name,
        adapter,
        lambda tz: max(
            filter(None, (observed_at_from_content(detection, tz, b.frame) for b in csv.batches())),
            default=None,
        ),
    )
    ctx = _context(source, name, detection, entry["observed_at"])
    first_row = (
        first_data_row(detection, (b.frame for b in csv.batches())) if adapter.skip_after_header else None
    )
    batches = _Batches(csv, detection, ctx, entry["ingest_id"], work, tombstones.load(settings))
    batches.land_every_pass(first_row)
    return batches


@dataclass
class _Batches:
    """A big CSV's row batches as they are landed: each batch's latest outcome, and what the
    decisions over the whole file need from it.

    Each piece is parsed once in the first pass, at the width of its own records; the batches
    narrower than the table's widest record are landed again at its width. Then day/month orders
    and windowed rules are decided over every batch, and the batches they change are landed again.
    """

    csv: CsvFile
    detection: Detection
    ctx: Context
    ingest_id: str
    work: Path  # the batches' Arrow parts
    forgotten: tombstones.Tombstones  # rows of accounts forgotten on request never land
    outcomes: dict[int, _BatchOutcome] = field(default_factory=dict)
    keys: dict[int, pl.DataFrame] = field(default_factory=dict)
    evidence: dict[int, dict[str, OrderEvidence]] = field(default_factory=dict)  # per date column
    orders: dict[int, dict[str, str]] = field(default_factory=dict)  # the day/month orders parsed in
    pieces: list[Piece] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # the width each batch was landed at

    def land_every_pass(self, first_row: int | None) -> None:
        adapter = self.detection.adapter
        assert adapter is not None
        provisional = provisional_facts(self.detection, first_row)
        for i, batch in enumerate(self.csv.batches()):
            self.pieces.append(batch.piece)
            self.widths.append(max(batch.filled, len(self.detection.header)))
            self._land(i, _widened(batch.frame, self.widths[-1]), provisional)
        # the table is as wide as its widest batch: a narrower one is landed again at that
        # width (``prepare`` hooks may read the columns beyond the header), before its keys count
        width = max(self.widths, default=0)
        self._land_again([i for i, w in enumerate(self.widths) if w < width], provisional)
        # each date column has one day/month order, decided over every batch's values: a
        # batch that decided otherwise on its own (its days all ≤ 12) is landed again in it
        evidence = [self.evidence[i] for i in sorted(self.evidence)]
        file_orders = decide_date_orders(adapter, self.ctx, evidence)
        differing = [i for i in sorted(self.orders) if self.orders[i] != file_orders]
        self._land_again(differing, replace(provisional, date_orders=file_orders))
        # windowed rules (a post appearing again later) look across batches: the few batches
        # holding a row they refuse are landed again, knowing which
        refused = refused_rows(adapter, [self.keys[i] for i in sorted(self.keys)])
        facts = FileFacts(first_row, refused, file_orders)
        self._land_again(_batches_holding(self.pieces, facts.refused), facts)

    def _land_again(self, indexes: list[int], facts: FileFacts) -> None:
        width = max(self.widths, default=0)
        for i in indexes:
            self._land(i, self.csv.batch(self.pieces[i], width), facts)

    def _land(self, i: int, frame: pl.DataFrame, facts: FileFacts) -> None:
        outcome = apply(self.detection, self.ctx, self.ingest_id, frame, facts)
        outcome = tombstones.drop_forgotten(self.forgotten, outcome)
        self.outcomes[i] = _BatchOutcome.write(self.work, i, outcome)
        if outcome.keys is not None:
            self.keys[i] = outcome.keys
        if outcome.date_evidence is not None:
            self.evidence[i] = outcome.date_evidence
        self.orders[i] = outcome.date_orders


def _publish_batches(
    settings: Settings, ingest_id: str, adapter: Adapter, outcomes: list[_BatchOutcome]
) -> None:
    """Stream the batches' parts into the ingest's one lake file and one rejects file."""
    landed = [o.landed for o in outcomes if o.landed is not None]
    rejects = [o.rejects for o in outcomes if o.rejects is not None]
    if landed:
        lake = lake_store(settings)
        lake.sink(lake.entity_file(adapter.entity, adapter.platform, ingest_id), pl.scan_ipc(landed))
    if rejects and not landed:  # as landed whole: decided over the whole table
        forgotten_file = tombstones.wholly_forgotten(pl.scan_ipc(rejects).collect())
        write_parquet(settings.rejects / f"{ingest_id}.parquet", forgotten_file)
    elif rejects:
        sink_parquet(settings.rejects / f"{ingest_id}.parquet", pl.scan_ipc(rejects))
