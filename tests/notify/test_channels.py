"""Every channel delivers the exact payload its receiver expects, to real local servers."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import socket
import time
import urllib.parse

import pytest

from citypulse.errors import CityPulseError
from citypulse.notify import file_quarantined, notifier_from_env, viral_post
from citypulse.notify.notice import Notice
from tests.notify.local_servers import http_endpoint, smtp_server

QUARANTINE = {
    "name": "抖音_作品数据_2026-10.xlsx",
    "reason": "row 17, column 播放量: '12,3万' is not a number",
    "platform": "douyin",
    "ingest_id": "ab" * 32,
}


def test_dingtalk_payload_is_markdown_and_the_signature_verifies() -> None:
    secret = "SEC" + "0123456789abcdef" * 4
    with http_endpoint() as robot:
        notifier = notifier_from_env(
            {
                "CITYPULSE_NOTIFY_DINGTALK_URL": robot.url("/robot/send?access_token=tok123"),
                "CITYPULSE_NOTIFY_DINGTALK_SECRET": secret,
            }
        )
        before_ms = int(time.time() * 1000)
        deliveries = file_quarantined(**QUARANTINE, notifier=notifier)
        after_ms = int(time.time() * 1000)

    assert [(d.channel, d.ok) for d in deliveries] == [("dingtalk", True)]
    (hit,) = robot.received
    assert set(hit.body) == {"msgtype", "markdown"} and hit.body["msgtype"] == "markdown"
    assert set(hit.body["markdown"]) == {"title", "text"}
    assert hit.body["markdown"]["title"] == f"文件被隔离 File quarantined: {QUARANTINE['name']}"
    text = hit.body["markdown"]["text"]
    assert QUARANTINE["reason"] in text and QUARANTINE["ingest_id"] in text and "douyin" in text

    path, _, query = hit.path.partition("?")
    params = urllib.parse.parse_qs(query)
    assert path == "/robot/send" and params["access_token"] == ["tok123"]
    timestamp = int(params["timestamp"][0])
    assert before_ms <= timestamp <= after_ms
    # Recompute the signature the way DingTalk's server does and compare.
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert params["sign"] == [expected]


def test_dingtalk_without_secret_posts_to_the_url_unchanged() -> None:
    with http_endpoint() as robot:
        notifier = notifier_from_env(
            {"CITYPULSE_NOTIFY_DINGTALK_URL": robot.url("/robot/send?access_token=t")}
        )
        viral_post(
            "douyin", "7301", views=2_500_000, threshold=1_000_000, title="洪崖洞夜景", notifier=notifier
        )
    assert robot.received[0].path == "/robot/send?access_token=t"
    assert "2,500,000" in robot.received[0].body["markdown"]["text"]


def test_wecom_payload_is_markdown_content_within_4096_bytes() -> None:
    long_detail = "堆栈 traceback line\n" * 800  # far beyond WeCom's limit
    notice = Notice(
        event="task_failed", title="任务失败 Task failed: citypulse_land.land", detail=long_detail
    )
    with http_endpoint() as robot:
        notifier = notifier_from_env(
            {"CITYPULSE_NOTIFY_WECOM_URL": robot.url("/cgi-bin/webhook/send?key=k1")}
        )
        deliveries = notifier.send(notice)
    assert deliveries[0].ok
    body = robot.received[0].body
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert content.startswith("### 任务失败 Task failed: citypulse_land.land")
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("(truncated)")


def test_generic_webhook_gets_the_structured_notice() -> None:
    with http_endpoint() as hook:
        notifier = notifier_from_env({"CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/hooks/citypulse")})
        file_quarantined(**QUARANTINE, notifier=notifier)
    body = hook.received[0].body
    assert body["source"] == "citypulse" and body["event"] == "file_quarantined"
    assert body["severity"] == "warning"
    assert body["facts"] == {
        "文件 file": QUARANTINE["name"],
        "原因 reason": QUARANTINE["reason"],
        "平台 platform": "douyin",
        "ingest_id": QUARANTINE["ingest_id"],
    }
    assert dt.datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert hook.received[0].headers["Content-Type"].startswith("application/json")


def test_smtp_mail_arrives_with_a_chinese_subject_and_the_facts() -> None:
    with smtp_server() as (port, mailbox):
        notifier = notifier_from_env(
            {
                "CITYPULSE_NOTIFY_SMTP_HOST": "127.0.0.1",
                "CITYPULSE_NOTIFY_SMTP_PORT": str(port),
                "CITYPULSE_NOTIFY_SMTP_FROM": "citypulse@example.gov.cn",
                "CITYPULSE_NOTIFY_SMTP_TO": "data-team@example.gov.cn, duty@example.gov.cn",
            }
        )
        deliveries = file_quarantined(**QUARANTINE, notifier=notifier)
    assert [(d.channel, d.ok) for d in deliveries] == [("email", True)]
    (mail,) = mailbox.messages
    assert mail["from"] == "citypulse@example.gov.cn"
    assert mail["rcpt"] == ["data-team@example.gov.cn", "duty@example.gov.cn"]
    message = email.message_from_bytes(mail["data"], policy=email.policy.default)
    assert message["Subject"] == f"[城市脉搏 CityPulse] 文件被隔离 File quarantined: {QUARANTINE['name']}"
    assert message["X-CityPulse-Event"] == "file_quarantined"
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert f"原因 reason: {QUARANTINE['reason']}" in body


def test_a_failing_channel_does_not_silence_the_others_nor_leak_its_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    with http_endpoint() as refusing, http_endpoint() as hook:
        refusing.answer = {"errcode": 310000, "errmsg": "sign not match"}
        notifier = notifier_from_env(
            {
                "CITYPULSE_NOTIFY_DINGTALK_URL": refusing.url("/robot/send?access_token=SECRET_TOKEN"),
                "CITYPULSE_NOTIFY_WECOM_URL": f"http://127.0.0.1:{dead_port}/cgi-bin/webhook/send?key=SECRET_KEY",
                "CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/hook"),
            }
        )
        deliveries = notifier.send(Notice(event="task_failed", title="t"))
    by_channel = {d.channel: d for d in deliveries}
    assert by_channel["webhook"].ok and len(hook.received) == 1
    assert not by_channel["dingtalk"].ok and "310000" in by_channel["dingtalk"].error
    assert not by_channel["wecom"].ok and "unreachable" in by_channel["wecom"].error
    assert all("SECRET_" not in d.error for d in deliveries)


def test_no_channel_configured_sends_nothing_and_incomplete_smtp_is_refused() -> None:
    assert notifier_from_env({}).send(Notice(event="x", title="t")) == []
    with pytest.raises(CityPulseError, match="CITYPULSE_NOTIFY_SMTP_TO"):
        notifier_from_env({"CITYPULSE_NOTIFY_SMTP_HOST": "127.0.0.1", "CITYPULSE_NOTIFY_SMTP_FROM": "a@b.cn"})
