"""Folder manifests: ``_manifest.yaml`` beside exports that do not name their account or time.

Keys: ``account_id``, ``account_name``, ``city_code``, ``observed_at`` (ISO, or naive in
``timezone``), ``timezone`` (overrides the adapter's zone for naive timestamps),
``period_start`` / ``period_end`` (ISO dates: the reporting period of exports that do not state
it, such as audience tables). The nearest manifest wins: the file's folder, then its parents up to the inbox.
``date_order`` (``DMY``, ``MDY`` or ``YMD``) says how the files' numeric dates are written where
their values leave it open (every day ≤ 12); it wins over the adapter's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from citypulse import limits
from citypulse.errors import CityPulseError
from citypulse.landing.refused_links import open_no_follow
from citypulse.limits import LimitExceeded
from citypulse.parsing.dates import DATE_ORDERS
from citypulse.settings import LOCAL_TZ

MANIFEST_NAME = "_manifest.yaml"
_KEYS = {
    "account_id",
    "account_name",
    "city_code",
    "observed_at",
    "timezone",
    "period_start",
    "period_end",
    "date_order",
}


class ManifestError(CityPulseError):
    """A folder manifest is unreadable or has an unknown key."""


@dataclass(frozen=True)
class Manifest:
    account_id: str | None = None
    account_name: str | None = None
    city_code: str | None = None
    observed_at: datetime | None = None  # UTC
    timezone: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    date_order: str | None = None  # DMY | MDY | YMD
    path: Path | None = None


def _to_utc(value: object, tz: str, path: Path) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ManifestError(f"{path}: observed_at {value!r} is not an ISO date/time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    try:
        return moment.astimezone(ZoneInfo("UTC"))
    except OverflowError:  # 9999-12-31T23:59:59-12:00 is past the last representable instant
        raise ManifestError(f"{path}: observed_at {value!r} is out of range") from None


def _to_date(value: object, key: str, path: Path) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # a date with a clock is not a reporting day
        raise ManifestError(f"{path}: {key} {value!r} is not an ISO date (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ManifestError(f"{path}: {key} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def find_manifest(file: Path, inbox: Path) -> Manifest:
    """The nearest ``_manifest.yaml`` at or above the file's folder (an empty Manifest if none)."""
    folder = file.parent
    inbox = inbox.resolve()
    while True:
        candidate = folder / MANIFEST_NAME
        if candidate.is_file() or candidate.is_symlink():
            return read_manifest(candidate)
        if folder.resolve() == inbox or folder.parent == folder:
            return Manifest()
        folder = folder.parent


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting alias references: an anchor bomb (a few hundred bytes that
    expand to billions of nodes once walked) is refused before anything walks it."""

    max_aliases = 0
    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.max_aliases:
                raise LimitExceeded("yaml_aliases", self.max_aliases, "alias references in the manifest")
        return super().compose_node(parent, index)


def _load_yaml(path: Path) -> Any:
    bounds = limits.current()
    if path.is_symlink():
        raise ManifestError(f"{path}: a symbolic link; manifests are read only from the inbox itself")
    with open_no_follow(path) as fh:
        text = fh.read(bounds.manifest_bytes + 1)
    if len(text) > bounds.manifest_bytes:
        raise ManifestError(
            f"{path}: {LimitExceeded('manifest_bytes', bounds.manifest_bytes, 'the manifest is larger than allowed')}"
        )
    loader = _BoundedLoader(text.decode("utf-8"))
    loader.max_aliases = bounds.yaml_aliases
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_manifest(path: Path) -> Manifest:
    try:
        doc = _load_yaml(path) or {}
    except LimitExceeded as exc:
        raise ManifestError(f"{path}: {exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not a readable YAML manifest: {exc}") from None
    if not isinstance(doc, dict):
        raise ManifestError(f"{path}: expected a mapping")
    unknown = set(doc) - _KEYS
    if unknown:
        raise ManifestError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    tz = str(doc["timezone"]) if doc.get("timezone") else None
    try:
        if tz:
            ZoneInfo(tz)
    except Exception:  # noqa: BLE001 - ZoneInfo raises several types
        raise ManifestError(f"{path}: unknown timezone {tz!r}") from None

    def text(key: str) -> str | None:
        value = doc.get(key)
        return None if value is None or str(value).strip() == "" else str(value).strip()

    date_order = text("date_order")
    if date_order is not None and date_order.upper() not in DATE_ORDERS:
        raise ManifestError(f"{path}: date_order {date_order!r} is not one of {', '.join(DATE_ORDERS)}")
    period_start = _to_date(doc.get("period_start"), "period_start", path)
    period_end = _to_date(doc.get("period_end"), "period_end", path)
    if period_start is not None and period_end is not None and period_start > period_end:
        raise ManifestError(f"{path}: period_start {period_start} is after period_end {period_end}")
    return Manifest(
        account_id=text("account_id"),
        account_name=text("account_name"),
        city_code=text("city_code"),
        observed_at=_to_utc(doc.get("observed_at"), tz or LOCAL_TZ, path),
        timezone=tz,
        period_start=period_start,
        period_end=period_end,
        date_order=date_order.upper() if date_order is not None else None,
        path=path,
    )
