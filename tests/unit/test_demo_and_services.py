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


def test_every_deployment_creates_the_dags_active_and_runs_a_triggerer(home: Settings) -> None:
    import yaml

    from citypulse import demo
    from citypulse.environment import committed_env
    from citypulse.settings import REPO_ROOT
    from citypulse.stack import airflow_processes, topology
    from citypulse.stack.stack_config import StackConfig

    key = "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"
    assert committed_env(home)[key] == "False"  # the demo and every CLI subprocess
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    assert compose["x-airflow-common"]["environment"][key] == "False"
    assert compose["services"]["airflow-triggerer"]["command"] == ["airflow", "triggerer"]
    stack = StackConfig(settings=home)
    assert airflow_processes.airflow_env(stack)[key] == "False"
    assert (
        airflow_processes.airflow_env(StackConfig(settings=home, dags_paused_at_creation=True))[key] == "True"
    )
    assert topology.AIRFLOW_SERVICES["airflow-triggerer"] == ["triggerer"]
    assert demo.AIRFLOW_SERVICES["airflow-triggerer"] == ["triggerer"]
    assert list(demo.AIRFLOW_SERVICES)[-1] == "airflow-scheduler"  # started after the demo holds its DAGs


def test_the_demo_sample_covers_six_complete_evaluable_months() -> None:
    import datetime as dt

    from citypulse import demo
    from citypulse.evaluation.period import Period, latest_complete_period
    from citypulse.sample.calendar import make_calendar

    calendar = make_calendar(demo.DEMO_MONTHS)  # the generator's default "today"
    months = [f"{m:%Y-%m}" for m in calendar.period_months]
    assert len(months) == demo.DEMO_MONTHS == 6
    # the newest export (the 7th) closes the last month's maturity window: the day after it, as the
    # demo reads the data's "now", that month is the latest complete one
    assert latest_complete_period(calendar.last_export + dt.timedelta(days=1)) == months[-1]
    for month in months:  # each month's maturity export (the 7th after it) was written
        seventh = Period.parse(month).next_first_day.replace(day=7)
        assert seventh in {e.date() for e in calendar.monthly_exports}, month


def test_a_months_run_is_triggered_at_the_logical_date_that_evaluates_it() -> None:
    import datetime as dt

    from citypulse.evaluation.period import period_for_logical_date, scheduled_logical_date

    for period in ("2026-01", "2026-05", "2026-10", "2026-12"):
        at = scheduled_logical_date(period)
        assert (at.day, at.hour, at.utcoffset()) == (8, 3, dt.timedelta(hours=8))
        assert period_for_logical_date(at) == period
        assert period_for_logical_date(at.astimezone(dt.UTC)) == period  # 19:00 UTC on the 7th
