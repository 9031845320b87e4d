"""Tell the data team when something needs a person: a failed task, a quarantined file, a missed
monthly deadline, a post going viral; and hand the month's report (PDF attached) to its readers.

Channels are configured from the environment (``CITYPULSE_NOTIFY_*``, see ``notify_config``) and
each one is optional: e-mail over SMTP, a generic JSON webhook, a DingTalk (钉钉) robot and a WeCom
(企业微信) robot. A channel that fails is reported, never allowed to fail the task that notified.
"""

from citypulse.notify.notice import Notice
from citypulse.notify.notifier import Delivery, Notifier
from citypulse.notify.notify_config import notifier_from_env
from citypulse.notify.notify_events import (
    file_quarantined,
    monthly_deadline_missed,
    monthly_report_ready,
    notify_failure,
    notify_quarantined,
    viral_post,
)

__all__ = [
    "Delivery",
    "Notice",
    "Notifier",
    "file_quarantined",
    "monthly_deadline_missed",
    "monthly_report_ready",
    "notifier_from_env",
    "notify_failure",
    "notify_quarantined",
    "viral_post",
]
