"""One real Superset for the whole folder: bootstrapped data home over a copy of the warehouse the real
pipeline published from ``citypulse sample`` (tests/pipeline.py), gunicorn on a free port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from citypulse.settings import Settings
from citypulse.superset import server
from citypulse.superset.bootstrap import bootstrap
from citypulse.superset.client import SupersetClient
from citypulse.superset.credentials import superset_credentials
from citypulse.superset.runtime import superset_venv
from tests.pipeline import SamplePipeline


@pytest.fixture(scope="session")
def superset_home(tmp_path_factory: pytest.TempPathFactory, sample_pipeline: SamplePipeline) -> Settings:
    """A data home of its own (tests here replace and probe its serving file; the pipeline's is shared)."""
    settings = Settings.from_env(tmp_path_factory.mktemp("superset_home")).ensure()
    if not (superset_venv(settings) / "bin" / "superset").exists():
        pytest.skip("Superset environment (.venv-superset) not installed: run `make venv-superset`")
    shutil.copyfile(sample_pipeline.settings.serving_db, settings.serving_db)
    return settings


@pytest.fixture(scope="session")
def bootstrapped(superset_home: Settings) -> Settings:
    assert bootstrap(superset_home) == 0
    return superset_home


@pytest.fixture(scope="session")
def superset_server(bootstrapped: Settings) -> Iterator[server.SupersetServer]:
    running = server.start(bootstrapped)
    yield running
    server.stop(running)


@pytest.fixture(scope="session")
def credentials(bootstrapped: Settings) -> dict[str, str]:
    return superset_credentials(bootstrapped)


def login(srv: server.SupersetServer, credentials: dict[str, str], role: str) -> SupersetClient:
    return SupersetClient(srv.base_url).login(credentials[f"{role}_user"], credentials[f"{role}_password"])


@pytest.fixture(scope="session")
def admin(superset_server: server.SupersetServer, credentials: dict[str, str]) -> SupersetClient:
    return login(superset_server, credentials, "admin")


@pytest.fixture(scope="session")
def analyst(superset_server: server.SupersetServer, credentials: dict[str, str]) -> SupersetClient:
    return login(superset_server, credentials, "analyst")


@pytest.fixture(scope="session")
def viewer(superset_server: server.SupersetServer, credentials: dict[str, str]) -> SupersetClient:
    return login(superset_server, credentials, "viewer")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "superset"
    out.mkdir(parents=True, exist_ok=True)
    return out
