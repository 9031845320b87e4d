"""citypulse_monthly_evaluation — on the 8th at 03:00 (Asia/Shanghai), evaluate the previous month.

Wiring only: the period comes from citypulse.evaluation.period (Airflow 3's cron timetable makes
logical_date the run time itself, so "previous month" is derived explicitly), the run from
citypulse.evaluation.run.evaluate (a no-op when the month already has an official run, so
catch-up and backfills give one run per month), the report (HTML, PDF, notification) from
citypulse.report.publish.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

from citypulse.notify import notify_failure
from citypulse.settings import LOCAL_TZ

# No automatic retries: a refused (incomplete) month needs a person (late data or --allow-incomplete),
# and a rerun after a fix is an ordinary, idempotent clear of the task.
# A new frozen run is announced so the warehouse republishes the eval_* marts for Superset.
EVALUATIONS = Asset("citypulse://evaluations")

default_args = {"retries": 0, "retry_delay": timedelta(minutes=10), "on_failure_callback": notify_failure}


@dag(
    dag_id="citypulse_monthly_evaluation",
    # day 8: month end + the 7-day metrics maturity window has passed
    schedule="0 3 8 * *",
    # catch-up from the first month with data (the sample's six months); earlier months are
    # backfills (docs/operations.md). A run dated before start_date gets no tasks and "succeeds"
    # without evaluating anything, so the date must not be later than the first month to evaluate.
    start_date=pendulum.datetime(2026, 5, 1, tz=LOCAL_TZ),
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    tags=["citypulse", "evaluation"],
    doc_md=__doc__,
)
def citypulse_monthly_evaluation() -> None:
    @task
    def period_to_evaluate() -> str:
        from citypulse.evaluation.period import period_for_logical_date

        return period_for_logical_date(get_current_context()["logical_date"])

    @task(outlets=[EVALUATIONS])
    def evaluate(period: str) -> str:
        from citypulse.evaluation.run import evaluate as run_evaluation
        from citypulse.settings import get_settings

        return run_evaluation(get_settings().ensure(), period)

    @task
    def report(period: str, evaluated_run: str) -> str:
        from citypulse.report.publish import publish_report
        from citypulse.settings import get_settings

        # evaluated_run orders the report after the run (and names it in the task log);
        # the HTML and its PDF are written, then the notification carries the PDF
        return str(publish_report(get_settings().ensure(), period).html)

    period = period_to_evaluate()
    report(period, evaluate(period))


citypulse_monthly_evaluation()
