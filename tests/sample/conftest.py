"""One default sample per test session: generating it takes a few seconds, reading it is cheap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citypulse.sample.generator import generate


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("sample") / "inbox"
    return out, generate(out)
