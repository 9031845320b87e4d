"""The pins are complete and exact: a fresh venv from each file passes `pip check`."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

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


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pipeline.txt", "superset.txt"])
def test_fresh_no_deps_install_passes_pip_check(name: str, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    install = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-compile",
            "-r",
            str(REQ / name),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run([str(py), "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, f"pip check after installing {name}:\n{check.stdout}{check.stderr}"
    assert sys.version_info[:2] == (3, 11)
