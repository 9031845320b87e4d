"""The events that notify: monthly deadline (against the real run registry) and quarantined files."""

from __future__ import annotations

import datetime as dt

import polars as pl

from citypulse.evaluation import registry
from citypulse.evaluation.deadline import check_monthly_deadline
from citypulse.evaluation.methodology import DEFAULT_VERSION
from citypulse.notify import notifier_from_env, notify_quarantined
from citypulse.settings import Settings
from tests.notify.local_servers import http_endpoint

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _official_manifest(home: Settings, run_id: str, period: str) -> None:
    folder = home.evaluations / f"run_id={run_id}"
    folder.mkdir(parents=True)
    pl.DataFrame(
        {
            "run_id": [run_id],
            "period": [period],
            "methodology_version": [DEFAULT_VERSION],
            "is_official": [True],
            "started_at": [dt.datetime(2026, 11, 8, 3, tzinfo=dt.UTC)],
        }
    ).write_parquet(folder / "eval_run.parquet")


def test_missed_monthly_deadline_notifies_after_the_10th_local_time(home: Settings) -> None:
    with http_endpoint() as hook:
        notifier = notifier_from_env({"CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/hook")})
        # 10 November 23:59 in Shanghai is still in time (15:59 UTC): nothing is sent.
        in_time = dt.datetime(2026, 11, 10, 23, 59, tzinfo=SHANGHAI)
        assert check_monthly_deadline(home, now=in_time, notifier=notifier) is None
        # 11 November 00:30 in Shanghai is 10 November 16:30 UTC: October is late.
        late = dt.datetime(2026, 11, 10, 16, 30, tzinfo=dt.UTC)
        assert check_monthly_deadline(home, now=late, notifier=notifier) == "2026-10"
    (hit,) = hook.received
    assert hit.body["event"] == "monthly_deadline_missed"
    assert hit.body["facts"]["评估期 period"] == "2026-10"
    assert hit.body["facts"]["截止 deadline"] == "2026-11-10 (Asia/Shanghai)"


def test_an_official_run_satisfies_the_deadline_until_it_is_withdrawn(home: Settings) -> None:
    _official_manifest(home, "2026-10__r1", "2026-10")
    late = dt.datetime(2026, 11, 12, 9, tzinfo=SHANGHAI)
    with http_endpoint() as hook:
        notifier = notifier_from_env({"CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/hook")})
        assert check_monthly_deadline(home, now=late, notifier=notifier) is None
        registry.mark_unofficial(home.evaluations, "2026-10__r1", "inputs were incomplete")
        assert check_monthly_deadline(home, now=late, notifier=notifier) == "2026-10"
    assert [h.body["event"] for h in hook.received] == ["monthly_deadline_missed"]


def test_each_quarantined_file_of_a_land_batch_is_reported() -> None:
    results = [
        {"name": "a.xlsx", "platform": "douyin", "status": "landed", "error": None},
        {"name": "data(1).xlsx", "platform": "douyin", "status": "quarantined", "error": "no known header"},
        None,  # a mapped task that failed outright arrives as None
        {
            "name": "b.csv",
            "platform": "weibo",
            "status": "quarantined",
            "error": "encoding: not UTF-8/GB18030",
        },
    ]
    with http_endpoint() as hook:
        sent = notify_quarantined(
            results, notifier=notifier_from_env({"CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/h")})
        )
    assert sent == 2
    assert [(h.body["facts"]["文件 file"], h.body["facts"]["原因 reason"]) for h in hook.received] == [
        ("data(1).xlsx", "no known header"),
        ("b.csv", "encoding: not UTF-8/GB18030"),
    ]
