"""DingTalk (钉钉) custom robot: markdown message, optionally signed ("加签" security setting).

Signature per DingTalk's robot documentation: ``sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}")))`` with ``timestamp`` in milliseconds, appended to the webhook URL as
``&timestamp=…&sign=…``. The robot refuses a timestamp more than an hour off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from dataclasses import dataclass

from citypulse.notify.http_post import post_json
from citypulse.notify.notice import Notice, truncate_utf8

MAX_TEXT_BYTES = 18000  # DingTalk accepts up to 20000 bytes of markdown; keep a margin


def sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


@dataclass(frozen=True)
class DingTalkChannel:
    url: str
    secret: str = ""
    name: str = "dingtalk"

    def payload(self, notice: Notice) -> dict[str, object]:
        return {
            "msgtype": "markdown",
            "markdown": {"title": notice.title, "text": truncate_utf8(notice.markdown(), MAX_TEXT_BYTES)},
        }

    def send(self, notice: Notice) -> None:
        url = signed_url(self.url, self.secret) if self.secret else self.url
        post_json(url, self.payload(notice))
