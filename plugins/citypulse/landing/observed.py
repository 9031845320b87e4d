"""When were the numbers in a file true? manifest → file name → file content → mtime.

A date in the file name (``2025-06-30``, ``20250630``, ``results_20250630_143111``,
``20261008T1000``) is read in the adapter's zone; a name with a range (``2024-11-21_2025-02-19``)
is dated by its last date. A date without a time means the start of that local day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# A time follows its date after ``T``, a space or ``_`` (or directly, as 4 or 6 digits, in a compact
# ``20250630143111``), and is never followed by another date: in ``2024-11-21_2025-02-19`` the
# ``_2025-02`` is the next date, not 20:25:02.
_STAMP = re.compile(
    r"(?<!\d)(20\d{2}|19\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])"
    r"(?:(?:[T _]|(?=\d{4}(?:\d{2})?(?!\d)))"
    r"([01]\d|2[0-3])[:\-.]?([0-5]\d)(?:[:\-.]?([0-5]\d))?(?!\d|[-_.]\d))?(?!\d)"
)


def from_file_name(name: str, tz: str) -> datetime | None:
    """The last date (or date-time) written in a file name, as UTC; None when there is none."""
    matches = list(_STAMP.finditer(Path(name).name))
    if not matches:
        return None
    y, mo, d, h, mi, s = matches[-1].groups()
    try:
        local = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=ZoneInfo(tz))
    except ValueError:
        return None
    return local.astimezone(UTC)


def from_mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(microsecond=0)
