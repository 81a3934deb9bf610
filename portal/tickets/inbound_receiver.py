"""Receive the answers to ticket e-mails by SMTP or LMTP (aiosmtpd): `flask inbound-smtp`, started by `make run`.

Only the reply mailbox (TICKET_REPLY_ADDRESS and its `+` addresses) is accepted; any other recipient is refused
with 550 before the message is sent, and a message above INBOUND_MAIL_MAX_BYTES with 552. Each message is
handed to `inbound_mail.receive_and_commit` in a thread of the loop's executor, inside an app context, so that
the database never blocks the SMTP conversation of another sender. A failure there (the database is down) is
answered with a temporary 451: the sending MTA tries again later, and the core dedupes by Message-ID.
"""
import asyncio
import functools
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask

from . import inbound_mail
from .reply_address import is_reply_mailbox

log = logging.getLogger(__name__)

def max_bytes(app: Flask) -> int:
    """Return the largest message the receiver takes: the core's bound, INBOUND_MAIL_MAX_BYTES."""
    return int(app.config.get("INBOUND_MAIL_MAX_BYTES") or inbound_mail.MAX_BYTES)


class ReplyHandler:
    """The aiosmtpd handler: the reply mailbox's recipients only, each message committed by the ticket core."""

    def __init__(self, app: Flask, source: str = "smtp"):
        self.app = app
        self.source = source

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        with self.app.app_context():
            ours = is_reply_mailbox(address)
        if not ours:
            return "550 5.1.1 Not a mailbox of this portal"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        receive = functools.partial(self._receive, envelope.content, list(envelope.rcpt_tos))
        try:
            await asyncio.get_running_loop().run_in_executor(None, receive)
        except Exception as error:  # noqa: BLE001 - one line; the sender keeps the message and tries again
            log.warning("inbound %s from %s not stored (%s: %s); answered 451", self.source, envelope.mail_from,
                        type(error).__name__, str(error)[:200])
            status = "451 4.3.0 Temporarily unable to store the message, try again later"
        else:
            status = "250 2.0.0 Message accepted"
        # LMTP answers once per recipient.
        return "\r\n".join([status] * max(1, len(envelope.rcpt_tos))) if self.source == "lmtp" else status

    def _receive(self, raw: bytes, recipients: list[str]) -> None:
        with self.app.app_context():
            inbound_mail.receive_and_commit(raw, envelope_to=recipients, source=self.source)


class ReplyController(Controller):
    """An aiosmtpd controller speaking SMTP, or LMTP for an MTA's `lmtp:` transport."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 2525, lmtp: bool = False):
        self.lmtp = lmtp
        super().__init__(ReplyHandler(app, "lmtp" if lmtp else "smtp"), hostname=host, port=port,
                         data_size_limit=max_bytes(app), enable_SMTPUTF8=True)

    def factory(self):
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)
