"""Render the committed asset YAML (superset/assets) into a Superset v1 import bundle (ZIP).

The YAML is the source of truth; the only thing filled in at import is where this deployment's
serving warehouse lives (``${CITYPULSE_SERVING_DB}``), so one tree serves every environment.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import yaml

from citypulse.errors import CityPulseError

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
BUNDLE_ROOT = "citypulse_assets"


def render_text(text: str, values: dict[str, str], source: Path) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise CityPulseError(f"{source}: unknown placeholder ${{{name}}} (known: {sorted(values)})")
        return values[name]

    return _PLACEHOLDER.sub(fill, text)


def asset_files(assets: Path) -> list[Path]:
    files = sorted(p for p in assets.rglob("*.yaml") if p.is_file())
    if not (assets / "metadata.yaml").exists():
        raise CityPulseError(f"{assets}: metadata.yaml missing; not a Superset import bundle")
    return files


def render_bundle(assets: Path, out_zip: Path, values: dict[str, str]) -> Path:
    """Write the bundle ZIP; every file is parsed after rendering so a broken YAML fails here, by name."""
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in asset_files(assets):
            rendered = render_text(path.read_text(encoding="utf-8"), values, path)
            try:
                yaml.safe_load(rendered)
            except yaml.YAMLError as exc:
                raise CityPulseError(f"{path}: not valid YAML after rendering: {exc}") from exc
            bundle.writestr(f"{BUNDLE_ROOT}/{path.relative_to(assets).as_posix()}", rendered)
    return out_zip


def load_assets(assets: Path) -> dict[str, dict[str, dict]]:
    """The asset tree as {kind: {uuid: config}} (kind: databases, datasets, charts, dashboards)."""
    out: dict[str, dict[str, dict]] = {"databases": {}, "datasets": {}, "charts": {}, "dashboards": {}}
    for path in asset_files(assets):
        kind = path.relative_to(assets).parts[0]
        if kind in out:
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
            out[kind][config["uuid"]] = config
    return out
