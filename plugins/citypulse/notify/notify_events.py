"""The events the team is told about, each a function that builds a Notice and sends it.

``notify_failure`` is shaped for Airflow's ``on_failure_callback`` (set it once in a DAG's
``default_args``); the others are called by the library or a DAG with plain values.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from citypulse.notify.notice import Notice
from citypulse.notify.notifier import Delivery, Notifier
from citypulse.notify.notify_config import notifier_from_env
from citypulse.settings import LOCAL_TZ

log = logging.getLogger("citypulse.notify")
REPORTS_URL_ENV = "CITYPULSE_NOTIFY_REPORTS_URL"  # where reports/ is served, if anywhere


def _send(notice: Notice, notifier: Notifier | None) -> list[Delivery]:
    return (notifier or notifier_from_env()).send(notice)


def notify_failure(context: Mapping[str, Any], notifier: Notifier | None = None) -> list[Delivery]:
    """Airflow ``on_failure_callback``: which task of which run failed, on which try, and why."""
    try:
        ti = context.get("task_instance") or context.get("ti")
        dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
        task_id = getattr(ti, "task_id", "?")
        map_index = getattr(ti, "map_index", -1)
        facts = {
            "DAG": str(dag_id),
            "任务 task": f"{task_id}" + (f"[{map_index}]" if map_index not in (None, -1) else ""),
            "运行 run": str(getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")),
            "尝试 try": str(getattr(ti, "try_number", "?")),
        }
        log_url = getattr(ti, "log_url", None)
        if log_url:
            facts["日志 log"] = str(log_url)
        exception = context.get("exception")
        notice = Notice(
            event="task_failed",
            title=f"任务失败 Task failed: {dag_id}.{task_id}",
            facts=facts,
            detail=f"{type(exception).__name__}: {exception}" if exception is not None else "",
        )
        return _send(notice, notifier)
    except Exception:  # noqa: BLE001 - a callback must never turn one failure into two
        log.exception("notify_failure could not build or send the notification")
        return []


def file_quarantined(
    name: str,
    reason: str,
    platform: str | None = None,
    ingest_id: str | None = None,
    where: str | None = None,
    notifier: Notifier | None = None,
) -> list[Delivery]:
    """A whole export file was refused and set aside; someone must look at it."""
    facts = {"文件 file": name, "原因 reason": reason}
    if platform:
        facts["平台 platform"] = platform
    if ingest_id:
        facts["ingest_id"] = ingest_id
    if where:
        facts["隔离位置 quarantine"] = where
    notice = Notice(
        event="file_quarantined",
        title=f"文件被隔离 File quarantined: {name}",
        facts=facts,
        severity="warning",
    )
    return _send(notice, notifier)


def notify_quarantined(results: Iterable[Mapping[str, Any] | None], notifier: Notifier | None = None) -> int:
    """One notice per quarantined file in a land batch (the ``citypulse land`` JSON ``files``)."""
    quarantined = [r for r in results if r and r.get("status") == "quarantined"]
    for r in quarantined:
        file_quarantined(
            str(r.get("name")),
            str(r.get("error") or "unknown"),
            platform=r.get("platform"),
            ingest_id=r.get("ingest_id"),
            notifier=notifier,
        )
    return len(quarantined)


def monthly_deadline_missed(
    period: str, deadline: dt.date, notifier: Notifier | None = None
) -> list[Delivery]:
    notice = Notice(
        event="monthly_deadline_missed",
        title=f"月度评估逾期 Monthly evaluation {period} not official by {deadline:%Y-%m-%d}",
        facts={
            "评估期 period": period,
            "截止 deadline": f"{deadline:%Y-%m-%d} ({LOCAL_TZ})",
            "处理 action": f"check citypulse_monthly_evaluation; `citypulse evaluate --period {period}`",
        },
    )
    return _send(notice, notifier)


def viral_post(
    platform: str,
    post_id: str,
    views: int,
    threshold: int,
    title: str | None = None,
    url: str | None = None,
    city: str | None = None,
    notifier: Notifier | None = None,
) -> list[Delivery]:
    """A post crossed the team's views threshold (爆款): worth a look while it is still spreading."""
    facts = {
        "平台 platform": platform,
        "帖子 post": post_id,
        "播放/阅读 views": f"{views:,}",
        "阈值 threshold": f"{threshold:,}",
    }
    if city:
        facts["城市 city"] = city
    if url:
        facts["链接 url"] = url
    notice = Notice(
        event="viral_post", title=f"爆款内容 Viral post: {title or post_id}", facts=facts, severity="info"
    )
    return _send(notice, notifier)


def monthly_report_ready(
    period: str,
    run_id: str,
    html: Path,
    pdf: Path | None = None,
    highlights: Sequence[str] = (),
    reports_url: str | None = None,
    notifier: Notifier | None = None,
) -> list[Delivery]:
    """The month's official report is written: its summary in the message, the PDF attached to the
    e-mail and named (linked under ``reports_url``, else ``CITYPULSE_NOTIFY_REPORTS_URL``) for robots."""
    base = (reports_url if reports_url is not None else os.environ.get(REPORTS_URL_ENV, "")).strip()
    files = tuple(p for p in (pdf, html) if p is not None)
    links = {p.name: f"{base.rstrip('/')}/{urllib.parse.quote(p.name)}" for p in files} if base else {}
    facts = {"评估期 period": period, "运行 run": run_id, "报告 HTML": links.get(html.name, str(html))}
    if pdf is not None:
        facts["报告 PDF"] = links.get(pdf.name, str(pdf))
    notice = Notice(
        event="monthly_report",
        title=f"月度传播力评估报告 Monthly report {period}",
        severity="info",
        facts=facts,
        highlights=tuple(highlights),
        attachments=(pdf,) if pdf is not None else (),
        links=links,
    )
    return _send(notice, notifier)
