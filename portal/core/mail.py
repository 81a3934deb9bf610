"""Send e-mail through SMTP, or into files under instance/mail/ in development."""
import hashlib
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

# What the sender sets itself and a caller's extra headers may not replace.
PROTECTED_HEADERS = {"from", "to", "subject", "date", "message-id", "content-type", "mime-version"}


def message_id(key: str) -> str:
    """Return the Message-ID of the e-mail with this outbox key: the same on every try, so a copy sent again
    after a crash (the server took it, the sender died before recording it) is recognisable as that one."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@portal.local>"


def build_message(to: str, subject: str, text: str, html: str | None = None, *,
                  key: str | None = None, headers: dict[str, str] | None = None) -> EmailMessage:
    """Return the message; `headers` adds more (Reply-To, In-Reply-To, References, List-Unsubscribe, ...)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(key) if key else make_msgid(domain="portal.local")
    for name, value in (headers or {}).items():
        if name.lower() not in PROTECTED_HEADERS:
            msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def deliver(msg: EmailMessage) -> None:
    """Hand the message to the configured backend; raises on failure so the task is retried."""
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "file":
        directory = Path(cfg["MAIL_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
