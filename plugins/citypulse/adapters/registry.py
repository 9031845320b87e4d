"""Every adapter, found automatically.

Each module of this package other than the framework's own exposes ``ADAPTERS: list[Adapter]``;
YAML adapters come from ``adapters/yaml/`` (shipped) and ``Settings.user_adapters`` (dropped in
by data engineers). Adding a format is adding a file: nothing here needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from citypulse.adapters.base import Adapter
from citypulse.settings import Settings

FRAMEWORK_MODULES = frozenset({"base", "registry", "engine", "readers", "yaml_loader", "keys"})
SHIPPED_YAML = Path(__file__).parent / "yaml"


@lru_cache(maxsize=1)
def python_adapters() -> tuple[Adapter, ...]:
    """Adapters declared in Python modules of this package (imported once per process)."""
    import citypulse.adapters as package

    found: list[Adapter] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in FRAMEWORK_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        declared = getattr(module, "ADAPTERS", None)
        if declared is None:
            continue
        for adapter in declared:
            if not isinstance(adapter, Adapter):
                raise TypeError(f"{module.__name__}.ADAPTERS holds {adapter!r}, not an Adapter")
            found.append(adapter)
    return tuple(found)


def all_adapters(settings: Settings | None = None) -> list[Adapter]:
    """Python adapters, shipped YAML adapters, then the user's YAML adapters; names are unique."""
    from citypulse.adapters.yaml_loader import load_yaml_adapters

    adapters = list(python_adapters()) + load_yaml_adapters(SHIPPED_YAML)
    if settings is not None:
        adapters += load_yaml_adapters(settings.user_adapters)
    seen: dict[str, Adapter] = {}
    for adapter in (a for declared in adapters for a in (declared, *declared.also)):
        if adapter.name in seen:
            raise ValueError(f"two adapters are named {adapter.name!r}; adapter names must be unique")
        seen[adapter.name] = adapter
    return adapters
