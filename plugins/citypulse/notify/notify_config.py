"""Channels from the environment; an unset variable turns its channel off.

CITYPULSE_NOTIFY_SMTP_HOST, _PORT (25), _FROM, _TO (comma-separated), _USER, _PASSWORD,
_STARTTLS (true/false), _SSL (implicit TLS, true/false)
CITYPULSE_NOTIFY_WEBHOOK_URL
CITYPULSE_NOTIFY_DINGTALK_URL, CITYPULSE_NOTIFY_DINGTALK_SECRET (signing secret, optional)
CITYPULSE_NOTIFY_WECOM_URL
CITYPULSE_NOTIFY_REPORTS_URL (where the reports folder is served: robots get links instead of paths)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from citypulse.errors import CityPulseError
from citypulse.notify.dingtalk import DingTalkChannel
from citypulse.notify.notifier import Channel, Notifier
from citypulse.notify.smtp_mail import SmtpChannel
from citypulse.notify.webhook import WebhookChannel
from citypulse.notify.wecom import WeComChannel

PREFIX = "CITYPULSE_NOTIFY_"


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def notifier_from_env(environ: Mapping[str, str] | None = None) -> Notifier:
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(PREFIX + name, "").strip()

    channels: list[Channel] = []
    if get("SMTP_HOST"):
        recipients = tuple(r.strip() for r in get("SMTP_TO").split(",") if r.strip())
        missing = [PREFIX + n for n, v in (("SMTP_FROM", get("SMTP_FROM")), ("SMTP_TO", recipients)) if not v]
        if missing:
            raise CityPulseError(
                f"e-mail notifications: {PREFIX}SMTP_HOST is set but {', '.join(missing)} is not"
            )
        port = get("SMTP_PORT") or "25"
        if not port.isdigit():
            raise CityPulseError(f"e-mail notifications: {PREFIX}SMTP_PORT={port!r} is not a port number")
        channels.append(
            SmtpChannel(
                host=get("SMTP_HOST"),
                port=int(port),
                sender=get("SMTP_FROM"),
                recipients=recipients,
                user=get("SMTP_USER"),
                password=env.get(PREFIX + "SMTP_PASSWORD", ""),
                starttls=_flag(get("SMTP_STARTTLS")),
                implicit_tls=_flag(get("SMTP_SSL")),
            )
        )
    if get("WEBHOOK_URL"):
        channels.append(WebhookChannel(get("WEBHOOK_URL")))
    if get("DINGTALK_URL"):
        channels.append(DingTalkChannel(get("DINGTALK_URL"), secret=get("DINGTALK_SECRET")))
    if get("WECOM_URL"):
        channels.append(WeComChannel(get("WECOM_URL")))
    return Notifier(channels)
