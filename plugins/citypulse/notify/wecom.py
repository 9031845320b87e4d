"""WeCom (企业微信) group robot: markdown message (``content`` at most 4096 UTF-8 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from citypulse.notify.http_post import post_json
from citypulse.notify.notice import Notice, truncate_utf8

MAX_CONTENT_BYTES = 4096


@dataclass(frozen=True)
class WeComChannel:
    url: str
    name: str = "wecom"

    def payload(self, notice: Notice) -> dict[str, object]:
        return {
            "msgtype": "markdown",
            "markdown": {"content": truncate_utf8(notice.markdown(), MAX_CONTENT_BYTES)},
        }

    def send(self, notice: Notice) -> None:
        post_json(self.url, self.payload(notice))
