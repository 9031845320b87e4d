"""Zip members, taken out one by one under limits: each streamed to a file, never into memory.

An archive is unpacked as an attacker built it might be: it may contain itself (a zip quine) or
an archive that contains it, nest deeper than any export, hold millions of members, expand a
thousandfold, or have members that are encrypted, corrupt or compressed in a way Python cannot
read. Each member is therefore either extracted (streamed through a SHA-256, checked against the
limits as the bytes come) or refused with a reason naming the archive and member; members that
are not data (hidden names, macOS resource forks) are listed as skipped, with why. The bounds of
one top-level archive — its nesting depth, its total expanded bytes and the digests of the
archives that enclose a member — are carried in a context variable, so nested archives share them.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from citypulse.limits import LimitExceeded, Limits

_CHUNK = 1 << 20
# a member this small may expand however it likes (a few KB of zeros is not a bomb)
_RATIO_FREE_BYTES = 1 << 20


@dataclass
class _Scope:
    """The top-level archive being landed: what nested archives share."""

    limits: Limits
    bytes_left: int
    enclosing: list[str] = field(default_factory=list)  # digests of the archives around a member


_SCOPE: ContextVar[_Scope | None] = ContextVar("citypulse_archive_scope", default=None)


@dataclass(frozen=True)
class Member:
    """One archive member: extracted to ``path`` with its ``digest``, or ``refused`` (why)."""

    name: str
    path: Path | None = None
    digest: str | None = None
    refused: str | None = None


def depth() -> int:
    """How many archives enclose the file being landed now (0 outside any archive)."""
    scope = _SCOPE.get()
    return len(scope.enclosing) if scope is not None else 0


def encloses(digest: str) -> bool:
    """Whether an archive being unpacked now has these bytes (a member equal to its own archive)."""
    scope = _SCOPE.get()
    return scope is not None and digest in scope.enclosing


@contextmanager
def opened(digest: str, limits: Limits) -> Iterator[None]:
    """Unpack the archive ``digest`` inside the current scope (a new one at the top level)."""
    scope = _SCOPE.get()
    token = None
    if scope is None:
        scope = _Scope(limits, limits.archive_bytes)
        token = _SCOPE.set(scope)
    if len(scope.enclosing) >= scope.limits.archive_depth:
        raise LimitExceeded(
            "archive_depth", scope.limits.archive_depth, "archives nested deeper than allowed"
        )
    scope.enclosing.append(digest)
    try:
        yield
    finally:
        scope.enclosing.pop()
        if token is not None:
            _SCOPE.reset(token)


def _skip_reason(info: zipfile.ZipInfo) -> str | None:
    if info.filename.startswith("__MACOSX/"):
        return "a macOS resource fork (__MACOSX/), not data"
    # a name is only a name (``..\..\x.csv`` lands as that member); hidden means its last part
    base = PurePosixPath(info.filename.replace("\\", "/")).name
    if base.startswith("."):
        return "a hidden name (starts with '.'), not landed"
    return None


def list_members(archive: zipfile.ZipFile, limits: Limits) -> tuple[list[zipfile.ZipInfo], list[str]]:
    """The data members, and one line per skipped member saying why; refuses too many members."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    limits.check("archive_members", len(infos), "members in the archive")
    members, skipped = [], []
    for info in infos:
        why = _skip_reason(info)
        if why is None:
            members.append(info)
        else:
            skipped.append(f"{info.filename}: {why}")
    return members, skipped


def extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> Member:
    """Stream ``info`` to ``target`` within the scope's limits (see :func:`opened`)."""
    scope = _SCOPE.get()
    assert scope is not None, "extract() runs inside opened()"
    name = info.filename
    if info.flag_bits & 0x1:
        return Member(name, refused="encrypted (password-protected); CityPulse does not decrypt exports")
    limits = scope.limits
    ratio_cap = max(limits.archive_ratio * info.compress_size, _RATIO_FREE_BYTES)
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > scope.bytes_left:
                    raise LimitExceeded(
                        "archive_bytes",
                        limits.archive_bytes,
                        "the archive expands to more bytes than allowed",
                    )
                if size > ratio_cap:
                    raise LimitExceeded(
                        "archive_ratio",
                        limits.archive_ratio,
                        f"the member expands more than {limits.archive_ratio}× its compressed "
                        f"{info.compress_size:,} bytes",
                    )
                digest.update(chunk)
                dst.write(chunk)
    except LimitExceeded as exc:
        target.unlink(missing_ok=True)
        return Member(name, refused=str(exc))
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError) as exc:
        target.unlink(missing_ok=True)
        return Member(name, refused=f"cannot be read: {type(exc).__name__}: {exc}")
    scope.bytes_left -= size
    return Member(name, target, digest.hexdigest())
