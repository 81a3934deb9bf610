"""E-mail answers to ticket e-mails: post them to their ticket, or keep them aside with the reason why.

A transport (IMAP poller, SMTP/LMTP receiver) hands each message's bytes to `receive_and_commit`. The
ticket is the one the reply address names (`reply_address.ticket_number_from`); the sender must be its
shopper. Automatic replies, bounces, loops, mail without a valid address or from a stranger, too large or
without text are kept aside for staff ("Não entregues") and never answered: nothing here writes to the
outbox except the notice that a late answer opened a new ticket. Each Message-ID is handled once, so a
mailbox fetched again adds nothing.
"""
import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core import outbox
from ..core.errors import ValidationError
from ..extensions import db
from ..models import AuditEntry, InboundMail, InboundState, KeptReason, StoreSettings, Ticket, User
from . import attachments as files
from . import lifecycle
from .common import MAX_BODY, now
from .mail import follow_up_mail
from .quotes import latest_reply
from .reply_address import is_reply_mailbox, ticket_number_from
from .sanitize import clean_message_html, plain_text

log = logging.getLogger(__name__)

# A message larger than this is kept aside unread (INBOUND_MAIL_MAX_BYTES overrides it).
MAX_BYTES = 25 * 1024 * 1024
# More than LOOP_LIMIT mails from one sender to one ticket within LOOP_WINDOW is a loop, whatever they say.
LOOP_LIMIT = 5
LOOP_WINDOW = timedelta(hours=1)
# What is kept for staff to read.
KEEP_HEADERS = 16_000
KEEP_TEXT = 50_000
_MAX_ID = 255

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?)$", re.IGNORECASE)
_NOT_BULK = frozenset({"", "no"})


@dataclass
class _Mail:
    raw: bytes
    msg: EmailMessage | None
    envelope_to: list[str]
    source: str
    key: str
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""


def _header(msg: EmailMessage | None, name: str) -> str:
    """Return the header's text, '' when absent or unreadable (a malformed header never stops the mail)."""
    if msg is None:
        return ""
    try:
        values = msg.get_all(name) or []
        return " ".join(str(value) for value in values).strip()
    except Exception:  # noqa: BLE001 - the email package's header parsers raise many kinds of error on junk
        return ""


def _key(msg: EmailMessage | None, raw: bytes) -> str:
    message_id = " ".join(_header(msg, "Message-ID").split())
    if message_id and len(message_id) <= _MAX_ID:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _parse(raw: bytes, headers_only: bool) -> EmailMessage | None:
    try:
        return BytesParser(policy=policy.default).parsebytes(raw, headersonly=headers_only)
    except Exception:  # noqa: BLE001 - anything a broken message makes the parser raise
        log.warning("unreadable inbound mail", exc_info=True)
        return None


def _header_block(raw: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return head[:KEEP_HEADERS].decode("utf-8", errors="replace").replace("\r\n", "\n")


def _content(part) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - an unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else ""


def _body_text(msg: EmailMessage) -> str:
    """Return the text the sender wrote: the plain part, else the HTML part cleaned like a message and as text."""
    try:
        plain = msg.get_body(preferencelist=("plain",))
        rich = None if plain is not None else msg.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001 - a broken MIME tree
        return ""
    if plain is not None:
        return _content(plain)
    if rich is not None:
        return plain_text(clean_message_html(_content(rich)))
    return ""


@dataclass
class _Attachment:
    """An attached file, shaped like the uploads add_message takes."""

    filename: str
    stream: object


def _is_attachment(part) -> bool:
    """A part marked as an attachment, or a file sent without a disposition; inline images (logos) are not."""
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    return (disposition is None and part.get_content_maintype() not in ("text", "multipart", "message")
            and part["Content-ID"] is None)


def _attachments(msg: EmailMessage) -> list[tuple[str, bytes]]:
    found = []
    try:
        for part in msg.walk():
            if part.is_multipart() or not _is_attachment(part):
                continue
            payload = part.get_payload(decode=True)
            found.append((part.get_filename() or "", payload if isinstance(payload, bytes) else b""))
    except Exception:  # noqa: BLE001 - a broken MIME tree keeps the files read so far
        log.warning("could not read every attachment of an inbound mail", exc_info=True)
    return found


def _check_attachments(msg: EmailMessage) -> tuple[list[_Attachment], list[dict]]:
    """Return the files to attach and those refused ({"name", "why"}), by the rules of an upload."""
    accepted, refused = [], []
    for name, data in _attachments(msg):
        shown = (name or "?")[:100]
        if len(accepted) >= files.MAX_FILES:
            refused.append({"name": shown, "why": "count"})
            continue
        stream = io.BytesIO(data)
        try:
            files.inspect_upload(stream, name or "attachment")
        except ValidationError:
            why = "empty" if not data else "size" if len(data) > files.MAX_BYTES else "kind"
            refused.append({"name": shown, "why": why})
            continue
        accepted.append(_Attachment(name or "attachment", stream))
    return accepted, refused


def _is_ours(address: str) -> bool:
    """Our own sender, or the reply mailbox (with or without a ticket's token)."""
    return address == parseaddr(current_app.config["MAIL_SENDER"])[1].lower() or is_reply_mailbox(address)


def _automatic(mail: _Mail) -> KeptReason | None:
    """Say whether the mail is a bounce, an automatic reply or a loop, from its headers alone."""
    msg = mail.msg
    local = mail.sender.rpartition("@")[0]
    return_path = _header(msg, "Return-Path").replace(" ", "")
    if return_path == "<>" or msg.get_content_type() == "multipart/report" or _BOUNCE_SENDERS.match(local):
        return KeptReason.bounce
    if _is_ours(mail.sender):
        return KeptReason.loop
    loop = _header(msg, "X-Loop").lower()
    if loop and any(_is_ours(address.lower()) for _name, address in getaddresses([loop])):
        return KeptReason.loop
    if (_header(msg, "Auto-Submitted").split(";", 1)[0].strip().lower() not in _NOT_BULK
            or _header(msg, "Precedence").lower() in ("bulk", "junk", "list")
            or _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond") or _header(msg, "List-Id")):
        return KeptReason.auto_reply
    return None


def known_addresses(customer: User) -> set[str]:
    """Return the addresses mail from the shopper may come from: the current one and those they changed from.

    An earlier address counts only while nobody else has it now (the audit log keeps each confirmed change).
    """
    known = {customer.email.lower()}
    earlier = db.session.scalars(db.select(AuditEntry.before).where(
        AuditEntry.target == f"user:{customer.id}", AuditEntry.action == "email.change_confirmed"))
    candidates = {str((before or {}).get("email") or "").lower() for before in earlier} - {""} - known
    if candidates:
        taken = db.session.scalars(db.select(User.email).where(db.func.lower(User.email).in_(candidates)))
        known |= candidates - {address.lower() for address in taken}
    return known


def _too_many(ticket: Ticket, sender: str) -> bool:
    recent = db.session.scalar(db.select(db.func.count(InboundMail.id)).where(
        InboundMail.ticket_id == ticket.id, InboundMail.sender == sender,
        InboundMail.received_at >= now() - LOOP_WINDOW))
    return recent >= LOOP_LIMIT


def _clean(text: str, limit: int) -> str:
    # PostgreSQL text holds no NUL character; a mail may.
    return str(text or "").replace("\x00", "\ufffd")[:limit]


def _record(mail: _Mail, state: InboundState, reason: KeptReason | None = None, ticket: Ticket | None = None,
            **more) -> InboundMail:
    row = InboundMail(
        message_id=_clean(mail.key, _MAX_ID), source=_clean(mail.source, 20), received_at=now(),
        sender=_clean(mail.sender, 254), recipients=_clean(", ".join(mail.recipients), KEEP_HEADERS),
        subject=_clean(mail.subject, 300), size=len(mail.raw), headers=_clean(_header_block(mail.raw), KEEP_HEADERS),
        text=_clean(mail.text, KEEP_TEXT), state=state, reason=reason,
        ticket_id=ticket.id if ticket is not None else None, **more)
    db.session.add(row)
    db.session.flush()
    if reason is not None:
        log.info("inbound mail %s kept aside: %s", mail.key, reason.value)
    return row


def _keep(mail: _Mail, reason: KeptReason, ticket: Ticket | None = None) -> InboundMail:
    return _record(mail, InboundState.kept, reason, ticket)


def _refused_note(refused: list[dict]) -> str:
    whys = {"count": _("too many files"), "empty": _("empty"), "size": _("too large"),
            "kind": _("not an image or a PDF")}
    with force_locale(StoreSettings.get().default_locale):
        lines = [_("Not attached: %(name)s (%(why)s)", name=item["name"], why=whys[item["why"]]) for item in refused]
    return "\n".join(lines)


def _latest_follow_up(ticket: Ticket) -> Ticket:
    """Return the newest ticket continuing this one (answers to an old e-mail go where the last one went)."""
    for _hop in range(10):
        newer = db.session.scalar(db.select(Ticket).where(Ticket.previous_ticket_id == ticket.id)
                                  .order_by(Ticket.id.desc()).limit(1))
        if newer is None:
            break
        ticket = newer
    return ticket


def _post(mail: _Mail, ticket: Ticket, reply: str, uploads, refused: list[dict]) -> InboundMail:
    body = html.escape(reply, quote=False)
    if refused:
        body += "\n\n" + html.escape(_refused_note(refused), quote=False)
    customer = ticket.customer
    if lifecycle.can_reopen_by_reply(ticket):
        message = lifecycle.reply_as_customer(ticket, customer, body, uploads)
        target = ticket
    else:
        target = lifecycle.open_follow_up(ticket, customer, body, uploads)
        message = target.messages[0]
        outbox.queue_email(**follow_up_mail(target, ticket), ticket=target, message=message)
    return _record(mail, InboundState.posted, None, target, ticket_message_id=message.id,
                   refused_attachments=refused or None)


def _recipients(msg: EmailMessage, envelope_to: list[str]) -> list[str]:
    values = [_header(msg, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To")]
    return [address for _name, address in getaddresses([v for v in values if v] + list(envelope_to)) if address]


def _start(raw, envelope_to, source: str) -> tuple[_Mail, InboundMail | None]:
    """Read the headers; return the mail, and its row when this Message-ID was handled before."""
    raw = bytes(raw) if isinstance(raw, bytes | bytearray | memoryview) else b""
    head = _parse(raw, headers_only=True)
    mail = _Mail(raw=raw, msg=head, envelope_to=[str(a) for a in envelope_to or []], source=source,
                 key=_key(head, raw))
    mail.sender = parseaddr(_header(head, "From"))[1].lower()
    mail.subject = " ".join(_header(head, "Subject").split())
    existing = db.session.scalar(db.select(InboundMail).where(InboundMail.message_id == _clean(mail.key, _MAX_ID)))
    return mail, existing


def receive(raw: bytes, *, envelope_to: list[str] | None = None, source: str = "smtp") -> InboundMail:
    """Post one received e-mail to its ticket or keep it aside; flush, never commit.

    The same Message-ID again returns the row of the first time and changes nothing.
    """
    mail, existing = _start(raw, envelope_to, source)
    if existing is not None:
        return existing
    head, raw = mail.msg, mail.raw
    mail.recipients = _recipients(head, mail.envelope_to) if head is not None else list(mail.envelope_to)
    if head is None or not raw.strip():
        return _keep(mail, KeptReason.malformed)
    if len(raw) > current_app.config.get("INBOUND_MAIL_MAX_BYTES", MAX_BYTES):
        return _keep(mail, KeptReason.too_large)
    mail.msg = _parse(raw, headers_only=False)
    if mail.msg is None:
        return _keep(mail, KeptReason.malformed)
    mail.text = _body_text(mail.msg).replace("\x00", "")
    reason = _automatic(mail)
    if reason is not None:
        return _keep(mail, reason)
    if not mail.sender:
        return _keep(mail, KeptReason.unknown_sender)
    number = ticket_number_from(mail.recipients)
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number)) if number else None
    if ticket is None:
        return _keep(mail, KeptReason.no_token)
    ticket = _latest_follow_up(ticket)
    if mail.sender not in known_addresses(ticket.customer):
        return _keep(mail, KeptReason.unknown_sender, ticket)
    if _too_many(ticket, mail.sender):
        return _keep(mail, KeptReason.loop, ticket)
    reply = latest_reply(mail.text)[:MAX_BODY - 1000]
    if not reply.strip():
        return _keep(mail, KeptReason.no_text, ticket)
    uploads, refused = _check_attachments(mail.msg)
    return _post(mail, ticket, reply, uploads, refused)


def receive_and_commit(raw: bytes, *, envelope_to: list[str] | None = None, source: str = "smtp") -> InboundMail:
    """Receive the e-mail (in the current app context) and commit; never raise for what the mail holds.

    When handling fails unexpectedly, the work is rolled back and the mail is kept aside as "error".
    """
    try:
        row = receive(raw, envelope_to=envelope_to, source=source)
        db.session.commit()
        return row
    except Exception:
        db.session.rollback()
        log.exception("inbound mail could not be handled")
    mail, existing = _start(raw, envelope_to, source)
    if existing is not None:  # a copy delivered at the same moment was handled by another process
        return existing
    row = _keep(mail, KeptReason.error)
    db.session.commit()
    return row
