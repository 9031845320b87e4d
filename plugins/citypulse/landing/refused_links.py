"""Symbolic links in the inbox are never followed: each is recorded as refused, with its target.

A link can point anywhere the landing process can read (``/etc/shadow``, ``/proc/self/environ``),
and landing copies what it reads into ``raw/`` for good. So a link to a file or a folder is not
data: it gets a ledger entry of its own, keyed by the link (its name and target, not bytes it
never reads), and a quarantine record saying why. Regular files are opened with ``O_NOFOLLOW``,
so a file swapped for a link between discovery and landing is refused too.
"""

from __future__ import annotations

import hashlib
import os
from io import BufferedReader
from pathlib import Path


def link_target(path: Path) -> str:
    try:
        return os.fsencode(os.readlink(path)).decode("utf-8", "backslashreplace")
    except OSError as exc:
        return f"(unreadable: {exc.strerror})"


def link_id(path: Path) -> str:
    """A stable id for the link (name and target), in place of a content digest."""
    key = b"symlink\0" + os.fsencode(path.name) + b"\0" + os.fsencode(link_target(path))
    return hashlib.sha256(key).hexdigest()


def refusal(path: Path, name: str) -> str:
    kind = "a folder" if path.is_dir() else "a file"
    return (
        f"{name}: a symbolic link (to {kind} at {link_target(path)}); links are not followed, "
        "only files placed in the inbox itself land"
    )


def open_no_follow(path: Path) -> BufferedReader:
    """``path`` opened for reading, refusing a symbolic link at the last component."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    return os.fdopen(fd, "rb")
