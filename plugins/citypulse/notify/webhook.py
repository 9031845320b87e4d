"""Generic webhook: the notice as a JSON document, for whatever the team already runs (an alerting
gateway, a chat bridge, a ticket system)."""

from __future__ import annotations

from dataclasses import dataclass

from citypulse.notify.http_post import post_json
from citypulse.notify.notice import Notice


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    name: str = "webhook"

    def payload(self, notice: Notice) -> dict[str, object]:
        return notice.as_dict()

    def send(self, notice: Notice) -> None:
        post_json(self.url, self.payload(notice))
