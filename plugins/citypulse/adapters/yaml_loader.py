"""Adapters without code: a YAML file describes a simple CSV/JSON format (see docs/adapters.md).

A YAML adapter can say everything a Python adapter says except the code hooks (``prepare``,
``finish``, ``rules``). Mistakes are reported with the file name and the offending key, because
the person who wrote the file is a data engineer, not a Python programmer.

``also`` lists further adapters read from the same table (a second entity from the same rows, see
:attr:`Adapter.also`): each needs ``name``, ``entity`` and ``columns`` and takes every other key it
does not set (platform, signature, timezone, formats, header rows, row filters) from its parent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from citypulse.adapters.base import FORMATS, Adapter, Column, RowFilter
from citypulse.errors import CityPulseError
from citypulse.lake import reasons
from citypulse.settings import LOCAL_TZ

_KEYS = {
    "name",
    "platform",
    "entity",
    "signature",
    "columns",
    "timezone",
    "formats",
    "description",
    "header_search_rows",
    "skip_after_header",
    "row_filters",
    "required",
    "signed",
    "constants",
    "observed_at_column",
    "sheets",
    "priority",
    "also",
    "date_order",
}
# what an ``also`` adapter takes from its parent unless it says otherwise
_INHERITED = (
    "platform",
    "signature",
    "timezone",
    "formats",
    "header_search_rows",
    "skip_after_header",
    "row_filters",
    "sheets",
    "date_order",
)


class AdapterDefinitionError(CityPulseError):
    """A YAML adapter file is not a valid adapter."""


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        return (str(value),)
    return tuple(str(v) for v in value)


def _column(path: Path, target: str, spec: Any) -> Column:
    if isinstance(spec, str):
        return Column(target, (spec,), "text")
    if not isinstance(spec, dict) or "from" not in spec:
        raise AdapterDefinitionError(f"{path}: columns.{target} must be a header name or {{from:, parser:}}")
    extra = set(spec) - {"from", "parser"}
    if extra:
        raise AdapterDefinitionError(f"{path}: columns.{target}: unknown keys {sorted(extra)}")
    try:
        return Column(target, _as_tuple(spec["from"]), str(spec.get("parser", "text")))
    except ValueError as exc:
        raise AdapterDefinitionError(f"{path}: columns.{target}: {exc}") from None


def adapter_from_mapping(doc: dict[str, Any], path: Path) -> Adapter:
    """Build an :class:`Adapter` from a parsed YAML document (errors name the file and key)."""
    unknown = set(doc) - _KEYS
    if unknown:
        raise AdapterDefinitionError(f"{path}: unknown keys {sorted(unknown)}")
    for key in ("name", "platform", "entity", "signature", "columns"):
        if key not in doc:
            raise AdapterDefinitionError(f"{path}: missing required key {key!r}")
    if not isinstance(doc["columns"], dict):
        raise AdapterDefinitionError(f"{path}: columns must map canonical column → source header")
    filters = tuple(
        RowFilter(
            str(f["column"]),
            _as_tuple(f["values"]),
            str(f["reason"]),
            reasons.code(f.get("code", reasons.NOT_DATA_ROW)),
        )
        for f in doc.get("row_filters") or ()
    )
    also = doc.get("also") or []
    if not isinstance(also, list) or not all(isinstance(a, dict) for a in also):
        raise AdapterDefinitionError(f"{path}: also must be a list of adapter mappings")
    if any("also" in a for a in also):
        raise AdapterDefinitionError(f"{path}: an `also` adapter cannot have `also` adapters of its own")
    inherited = {key: doc[key] for key in _INHERITED if key in doc}
    extras = tuple(adapter_from_mapping({**inherited, **a}, path) for a in also)
    try:
        return Adapter(
            name=str(doc["name"]),
            platform=str(doc["platform"]),
            entity=str(doc["entity"]),
            signature=_as_tuple(doc["signature"]),
            columns=tuple(_column(path, str(t), s) for t, s in doc["columns"].items()),
            timezone=str(doc.get("timezone", LOCAL_TZ)),
            formats=frozenset(_as_tuple(doc.get("formats")) or FORMATS),
            description=str(doc.get("description", "")),
            header_search_rows=int(doc.get("header_search_rows", 30)),
            skip_after_header=int(doc.get("skip_after_header", 0)),
            row_filters=filters,
            required=_as_tuple(doc["required"]) if "required" in doc else None,
            signed=_as_tuple(doc.get("signed")),
            constants=dict(doc.get("constants") or {}),
            observed_at_column=doc.get("observed_at_column"),
            sheets=_as_tuple(doc.get("sheets")),
            priority=int(doc.get("priority", 0)),
            date_order=str(doc["date_order"]).upper() if doc.get("date_order") else None,
            also=extras,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise AdapterDefinitionError(f"{path}: {exc}") from None


def load_yaml_adapters(folder: Path) -> list[Adapter]:
    """Every ``*.yaml``/``*.yml`` adapter in ``folder`` (none when the folder does not exist)."""
    if not folder.is_dir():
        return []
    adapters = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise AdapterDefinitionError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict):
            raise AdapterDefinitionError(f"{path}: expected a mapping at the top level")
        adapters.append(adapter_from_mapping(doc, path))
    return adapters
