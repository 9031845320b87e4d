"""Send one notice through every configured channel; a failing channel never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from citypulse.notify.notice import Notice

log = logging.getLogger("citypulse.notify")


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, notice: Notice) -> None: ...


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class Notifier:
    channels: Sequence[Channel]

    def send(self, notice: Notice) -> list[Delivery]:
        if not self.channels:
            log.info("notification not sent (no channel configured): %s", notice.title)
        deliveries = []
        for channel in self.channels:
            try:
                channel.send(notice)
            except Exception as exc:  # noqa: BLE001 - one broken channel must not silence the rest
                log.warning("notification via %s failed: %s", channel.name, exc)
                deliveries.append(Delivery(channel.name, False, f"{type(exc).__name__}: {exc}"))
            else:
                deliveries.append(Delivery(channel.name, True))
        return deliveries
