"""POST a JSON body and check the robot's answer (DingTalk and WeCom reply 200 with an errcode)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class DeliveryError(Exception):
    """The receiving end refused or did not answer; the message says which and why."""


def post_json(url: str, payload: dict[str, Any], timeout_s: float = 10.0) -> dict[str, Any]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            text = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {_safe(url)}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{_safe(url)} unreachable: {exc}") from exc
    try:
        answer = json.loads(text) if text.strip() else {}
    except ValueError:
        return {"raw": text}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(
            f"{_safe(url)} refused the message: errcode {answer.get('errcode')} {answer.get('errmsg')}"
        )
    return answer if isinstance(answer, dict) else {"raw": answer}


def _safe(url: str) -> str:
    """The URL without its query string: robot tokens and signatures must not reach logs."""
    return url.split("?", 1)[0]
