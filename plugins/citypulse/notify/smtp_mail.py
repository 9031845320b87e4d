"""E-mail over SMTP (the municipal mail relay), plain text UTF-8, STARTTLS or implicit TLS on request;
a notice's attachments (the monthly report's PDF) travel as MIME attachments."""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from citypulse.notify.notice import Notice

SUBJECT_PREFIX = "[城市脉搏 CityPulse]"


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = ""
    starttls: bool = False
    implicit_tls: bool = False
    timeout_s: float = 15.0
    name: str = "email"

    def message(self, notice: Notice) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = f"{SUBJECT_PREFIX} {notice.title}"
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        msg["X-CityPulse-Event"] = notice.event
        msg.set_content(notice.plain_text(), charset="utf-8")
        for path in notice.attachments:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            maintype, subtype = kind.split("/", 1)
            msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
        return msg

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)

    def send(self, notice: Notice) -> None:
        with self._connect() as smtp:
            if self.starttls and not self.implicit_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(self.message(notice))
