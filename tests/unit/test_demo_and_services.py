from __future__ import annotations

import sys
import time

from citypulse import credentials, process_groups, services
from citypulse.settings import Settings


def test_services_stop_exactly_what_they_started(home: Settings) -> None:
    svc = services.start(home, "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], env={})
    other = services.start(home, "other", [sys.executable, "-c", "import time; time.sleep(60)"], env={})
    assert services.stop(home, "sleeper") is True
    time.sleep(0.2)
    assert not process_groups.is_running(svc.pid)
    assert process_groups.is_running(other.pid), "stopping one service must leave the others running"
    assert services.stop_all(home) == ["other"]
    assert services.stop(home, "sleeper") is False


def test_generated_secrets_are_private_and_stable(home: Settings) -> None:
    first = credentials.section(home, "airflow", {"admin_password": 12})
    again = credentials.section(home, "airflow", {"admin_password": 12})
    assert first == again and len(first["admin_password"]) >= 16
    assert (home.credentials_file.stat().st_mode & 0o777) == 0o600
