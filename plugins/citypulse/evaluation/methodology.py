"""The 传播力指数 methodology as data: load the versioned config, refuse a bad one, freeze it.

The config lives as dbt seeds (``dbt_project/seeds/methodology/*.csv``) so analysts can read it in
Superset and the warehouse build tests it; every evaluation run reads the same files here,
validates them with the same rules, hashes them and freezes a copy beside its results, so a run
can always be re-derived from what it stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from citypulse.errors import CityPulseError
from citypulse.settings import Settings

INDICATORS = ("a", "r", "t", "k", "g", "e", "q")
DIMENSIONS = ("activity", "reach", "influence", "engagement")
COMPOSITES = ("domestic", "overseas", "overall")
ER_DENOMINATORS = ("views_else_followers", "followers")
NORMALISATIONS = ("relative", "anchored")
REQUIRED_SETTINGS = ("normalisation", "q_lo", "q_hi", "min_coverage", "maturity_days", "timezone")
# rules a later version adds; a version without them keeps the earlier rule, so its runs reproduce
SHARE_SETTINGS = ("min_data_coverage", "robustness_platform_spread")
POSITIVE_SETTINGS = ("robustness_draws", "robustness_concentration")
FOLLOWERS_START_RULES = ("within_month", "at_or_after_month_start")
WEIGHT_TOLERANCE = 1e-9
# the version new runs use; older versions stay loadable and reproduce their runs
DEFAULT_VERSION = "v2"

# table name -> file stem; every table is keyed by methodology_version except the event list.
TABLES: dict[str, str] = {
    "indicators": "methodology_indicators",
    "platforms": "methodology_platforms",
    "platform_indicators": "methodology_platform_indicators",
    "composite_weights": "methodology_composite_weights",
    "settings": "methodology_settings",
    "goalposts": "methodology_goalposts",
    "hot_events": "index_hot_events",
}
_VERSIONED = tuple(t for t in TABLES if t != "hot_events")

_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "indicators": {"weight": pl.Float64()},
    "platforms": {
        "engagement_likes": pl.Boolean(),
        "engagement_comments": pl.Boolean(),
        "engagement_shares": pl.Boolean(),
        "engagement_saves": pl.Boolean(),
    },
    "composite_weights": {"weight": pl.Float64()},
    "goalposts": {"lower": pl.Float64(), "upper": pl.Float64()},
}


class MethodologyError(CityPulseError):
    """The methodology config is inconsistent; the message lists every problem found."""


@dataclass(frozen=True)
class Methodology:
    version: str
    tables: dict[str, pl.DataFrame]
    sha256: str

    def setting(self, name: str) -> str:
        s = self.tables["settings"]
        hit = s.filter(pl.col("setting") == name)["value"]
        if hit.len() != 1:
            raise MethodologyError(f"methodology {self.version}: setting {name!r} is missing")
        return str(hit[0])

    def optional_setting(self, name: str, default: str | None = None) -> str | None:
        """A setting that a later version introduced; ``default`` (the earlier rule) when absent."""
        hit = self.tables["settings"].filter(pl.col("setting") == name)["value"]
        return str(hit[0]) if hit.len() == 1 else default

    @property
    def platforms(self) -> list[str]:
        return sorted(self.tables["platforms"]["platform"].to_list())

    def freeze(self, run_dir: Path) -> None:
        """Write every table as ``config_<table>.parquet`` into a run folder (the scoring reads these)."""
        for name, frame in self.tables.items():
            frame.write_parquet(run_dir / f"config_{name}.parquet")


def default_directory(settings: Settings) -> Path:
    return settings.dbt_project / "seeds" / "methodology"


def _read(directory: Path, name: str) -> pl.DataFrame:
    path = directory / f"{TABLES[name]}.csv"
    if not path.is_file():
        raise MethodologyError(f"methodology table missing: {path}")
    # Every column as text first, then the typed ones: a CSV typo must be an error, not a guess.
    frame = pl.read_csv(path, infer_schema=False)
    casts = []
    for column, dtype in _SCHEMAS.get(name, {}).items():
        if column not in frame.columns:
            raise MethodologyError(f"{path.name}: column {column!r} is missing")
        if dtype == pl.Boolean():
            casts.append(pl.col(column).str.to_lowercase().replace_strict({"true": True, "false": False}))
        else:
            casts.append(pl.col(column).cast(dtype, strict=True))
    try:
        return frame.with_columns(casts)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise MethodologyError(f"{path.name}: a typed column does not parse: {exc}") from exc


def _weight_sums(frame: pl.DataFrame, group: list[str], label: str) -> list[str]:
    sums = frame.group_by(group).agg(pl.col("weight").sum().alias("total")).sort(group)
    bad = sums.filter((pl.col("total") - 1.0).abs() > WEIGHT_TOLERANCE)
    return [
        f"{label} {', '.join(str(r[g]) for g in group)}: weights sum to {r['total']!r}, not 1"
        for r in bad.iter_rows(named=True)
    ]


def validate(tables: dict[str, pl.DataFrame]) -> list[str]:
    """Every problem of a config, in words; an empty list means it may be used."""
    problems: list[str] = []
    ind, plat, pind = tables["indicators"], tables["platforms"], tables["platform_indicators"]
    comp, sett, goal = tables["composite_weights"], tables["settings"], tables["goalposts"]

    for name, frame, column in (
        ("methodology_indicators", ind, "indicator"),
        ("methodology_platform_indicators", pind, "indicator"),
        ("methodology_goalposts", goal, "indicator"),
    ):
        unknown = sorted(set(frame[column].to_list()) - set(INDICATORS))
        if unknown:
            problems.append(f"{name}: unknown indicator(s) {unknown}; known: {list(INDICATORS)}")
    unknown_dims = sorted(set(ind["dimension"].to_list()) - set(DIMENSIONS))
    if unknown_dims:
        problems.append(f"methodology_indicators: unknown dimension(s) {unknown_dims}")
    if ind["indicator"].is_duplicated().any():
        problems.append("methodology_indicators: an indicator is listed twice")
    if (ind["weight"] < 0).any() or (comp["weight"] < 0).any():
        problems.append("weights must be >= 0")
    problems += _weight_sums(ind, ["methodology_version"], "indicator weights of version")
    problems += _weight_sums(comp, ["composite"], "platform weights of composite")
    unknown_comp = sorted(set(comp["composite"].to_list()) - set(COMPOSITES))
    if unknown_comp:
        problems.append(f"methodology_composite_weights: unknown composite(s) {unknown_comp}")

    platforms = set(plat["platform"].to_list())
    missing_ind = sorted(set(pind["indicator"].to_list()) - set(ind["indicator"].to_list()))
    if missing_ind:
        problems.append(f"methodology_platform_indicators: indicator(s) {missing_ind} have no weight")
    for name, frame in (
        ("methodology_platform_indicators", pind),
        ("methodology_composite_weights", comp),
        ("methodology_goalposts", goal),
    ):
        stray = sorted(set(frame["platform"].to_list()) - platforms)
        if stray:
            problems.append(f"{name}: platform(s) {stray} are not in methodology_platforms")
    no_indicators = sorted(platforms - set(pind["platform"].to_list()))
    if no_indicators:
        problems.append(f"methodology_platform_indicators: platform(s) {no_indicators} have no indicators")
    bad_er = sorted(set(plat["er_denominator"].to_list()) - set(ER_DENOMINATORS))
    if bad_er:
        problems.append(
            f"methodology_platforms: unknown er_denominator(s) {bad_er}; known: {list(ER_DENOMINATORS)}"
        )
    if (goal["upper"] <= goal["lower"]).any():
        problems.append("methodology_goalposts: every upper goalpost must exceed its lower goalpost")

    values = dict(zip(sett["setting"].to_list(), sett["value"].to_list(), strict=True))
    missing = [s for s in REQUIRED_SETTINGS if s not in values]
    if missing:
        problems.append(f"methodology_settings: missing setting(s) {missing}")
    else:
        if values["normalisation"] not in NORMALISATIONS:
            problems.append(f"methodology_settings: normalisation must be one of {list(NORMALISATIONS)}")
        try:
            q_lo, q_hi, cov = float(values["q_lo"]), float(values["q_hi"]), float(values["min_coverage"])
            if not 0.0 <= q_lo < q_hi <= 1.0:
                problems.append("methodology_settings: need 0 <= q_lo < q_hi <= 1")
            if not 0.0 <= cov <= 1.0:
                problems.append("methodology_settings: min_coverage must lie in [0, 1]")
            int(values["maturity_days"])
            for name in SHARE_SETTINGS:
                if name in values and not 0.0 <= float(values[name]) <= 1.0:
                    problems.append(f"methodology_settings: {name} must lie in [0, 1]")
            for name in POSITIVE_SETTINGS:
                if name in values and not float(values[name]) > 0:
                    problems.append(f"methodology_settings: {name} must be > 0")
            if "robustness_seed" in values:
                int(values["robustness_seed"])
        except ValueError as exc:
            problems.append(f"methodology_settings: a numeric setting does not parse: {exc}")
    if values.get("followers_start", FOLLOWERS_START_RULES[0]) not in FOLLOWERS_START_RULES:
        problems.append(f"methodology_settings: followers_start must be one of {list(FOLLOWERS_START_RULES)}")
    if values.get("drop_unavailable_indicators", "false") not in ("true", "false"):
        problems.append("methodology_settings: drop_unavailable_indicators must be true or false")
    return problems


def _digest(tables: dict[str, pl.DataFrame]) -> str:
    """sha256 of the config's content, independent of row order and file formatting."""
    h = hashlib.sha256()
    for name in sorted(tables):
        frame = tables[name]
        canonical = frame.select(sorted(frame.columns)).sort(sorted(frame.columns), nulls_last=True)
        h.update(name.encode())
        h.update(canonical.write_csv().encode())
    return h.hexdigest()


def load_methodology(directory: Path, version: str = "v1") -> Methodology:
    """Read, select ``version`` and validate the config; raise MethodologyError listing every problem."""
    tables = {}
    for name in TABLES:
        frame = _read(directory, name)
        if name in _VERSIONED:
            frame = frame.filter(pl.col("methodology_version") == version)
            if frame.is_empty():
                raise MethodologyError(f"{TABLES[name]}.csv has no rows for methodology_version {version!r}")
        tables[name] = frame
    problems = validate(tables)
    if problems:
        raise MethodologyError(
            f"methodology {version} in {directory} is not usable:\n  - " + "\n  - ".join(problems)
        )
    return Methodology(version=version, tables=tables, sha256=_digest(tables))
