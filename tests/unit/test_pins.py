"""The pins are complete and exact: the environment installed from each file holds exactly them and
passes `pip check`."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from citypulse.settings import REPO_ROOT

REQ = REPO_ROOT / "requirements"
PIN = re.compile(r"^[A-Za-z0-9_.\-\[\]]+==[^=\s]+$")


def _pins(name: str) -> dict[str, str]:
    lines = [
        ln.strip() for ln in (REQ / name).read_text().splitlines() if ln.strip() and not ln.startswith("#")
    ]
    bad = [ln for ln in lines if not PIN.match(ln)]
    assert not bad, f"{name}: lines not pinned with ==: {bad}"
    return {ln.split("==")[0].lower().replace("_", "-"): ln.split("==")[1] for ln in lines}


def test_every_line_is_an_exact_pin_and_the_contract_versions_hold() -> None:
    pipeline, superset = _pins("pipeline.txt"), _pins("superset.txt")
    assert pipeline["apache-airflow"] == "3.3.2"
    assert pipeline["dbt-core"].startswith("1.11.")
    assert pipeline["duckdb"] == superset["duckdb"] == "2.0.0"
    assert superset["apache-superset"] == "6.1.0"
    assert tuple(int(p) for p in superset["flask-caching"].split(".")[:2]) < (2, 5)
    for required in ("dbt-duckdb", "astronomer-cosmos", "great-expectations", "polars", "fastexcel"):
        assert required in pipeline, required
    for required in ("duckdb-engine", "rich", "cachetools"):
        assert required in superset, required


@pytest.mark.parametrize(
    ("name", "venv_dir"), [("pipeline.txt", ".venv"), ("superset.txt", ".venv-superset")]
)
def test_the_environment_made_from_the_pins_is_exactly_them_and_passes_pip_check(
    name: str, venv_dir: str
) -> None:
    # `make venv`/`make venv-superset` install each file with --no-deps: an environment holding exactly
    # the pins (nothing more could satisfy a missing dependency) that passes `pip check` proves the
    # pins complete and consistent, as a fresh install would.
    py = REPO_ROOT / venv_dir / "bin" / "python"
    assert py.exists(), f"{venv_dir} is missing: `make {'venv' if venv_dir == '.venv' else 'venv-superset'}`"
    frozen = subprocess.run(
        [str(py), "-m", "pip", "freeze", "--all", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    installed = {
        ln.split("==")[0].lower().replace("_", "-"): ln.split("==")[1] for ln in frozen if "==" in ln
    }
    installed.pop("pip", None)  # the venv's own installer, not a dependency
    assert installed == _pins(name), f"{venv_dir} differs from requirements/{name}"
    check = subprocess.run([str(py), "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, f"pip check in {venv_dir}:\n{check.stdout}{check.stderr}"
    assert sys.version_info[:2] == (3, 11)
