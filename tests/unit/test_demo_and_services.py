from __future__ import annotations

import datetime as dt
import sys
import time

from citypulse import credentials, services
from citypulse.demo import latest_complete_period
from citypulse.settings import Settings

UTC = dt.UTC


def test_latest_complete_period_respects_the_seven_day_maturity() -> None:
    assert latest_complete_period(dt.datetime(2026, 11, 8, 3, tzinfo=UTC)) == "2026-10"
    assert latest_complete_period(dt.datetime(2026, 11, 7, 23, tzinfo=UTC)) == "2026-09"
    assert latest_complete_period(dt.datetime(2026, 11, 30, tzinfo=UTC)) == "2026-10"
    assert latest_complete_period(dt.datetime(2027, 1, 8, tzinfo=UTC)) == "2026-12"


def test_services_stop_exactly_what_they_started(home: Settings) -> None:
    svc = services.start(home, "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], env={})
    other = services.start(home, "other", [sys.executable, "-c", "import time; time.sleep(60)"], env={})
    assert services.stop(home, "sleeper") is True
    time.sleep(0.2)
    assert not services._cmdline(svc.pid)
    assert services._cmdline(other.pid), "stopping one service must leave the others running"
    assert services.stop_all(home) == ["other"]
    assert services.stop(home, "sleeper") is False


def test_generated_secrets_are_private_and_stable(home: Settings) -> None:
    first = credentials.section(home, "airflow", {"admin_password": 12})
    again = credentials.section(home, "airflow", {"admin_password": 12})
    assert first == again and len(first["admin_password"]) >= 16
    assert (home.credentials_file.stat().st_mode & 0o777) == 0o600
