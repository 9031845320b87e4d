"""The monthly deadline: last month's evaluation must be official by the 10th, local time; after
that day, the team is told (:func:`citypulse.notify.monthly_deadline_missed`) until it is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from citypulse.evaluation.methodology import DEFAULT_VERSION
from citypulse.evaluation.period import Period
from citypulse.evaluation.registry import official_run
from citypulse.notify import Notifier, monthly_deadline_missed
from citypulse.settings import LOCAL_TZ, Settings

DEADLINE_DAY = 10


def check_monthly_deadline(
    settings: Settings,
    now: dt.datetime | None = None,
    methodology_version: str | None = None,
    deadline_day: int = DEADLINE_DAY,
    notifier: Notifier | None = None,
) -> str | None:
    """After the deadline day (local time), notify if last month has no official run (under
    ``methodology_version``, by default the version new runs use).

    Returns the late period when a notice was sent, else None.
    """
    local_now = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(LOCAL_TZ))
    today = local_now.date()
    if today.day <= deadline_day:
        return None
    period = str(Period(today.year, today.month).previous())
    if official_run(settings.evaluations, period, methodology_version or DEFAULT_VERSION):
        return None
    monthly_deadline_missed(period, today.replace(day=deadline_day), notifier=notifier)
    return period
