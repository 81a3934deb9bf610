"""E-mail that arrived at the ticket reply address: posted to a ticket, or kept aside with the reason why."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .tickets import Ticket, TicketMessage
from .users import User


class InboundState(enum.StrEnum):
    posted = "posted"
    kept = "kept"
    discarded = "discarded"


class KeptReason(enum.StrEnum):
    """Why an e-mail was kept aside instead of being posted to a ticket."""

    no_token = "no_token"  # noqa: S105 - a reason code, not a secret
    unknown_sender = "unknown_sender"
    auto_reply = "auto_reply"
    bounce = "bounce"
    loop = "loop"
    too_large = "too_large"
    no_text = "no_text"
    malformed = "malformed"
    error = "error"

    @property
    def label(self):
        return KEPT_REASON_LABELS[self]


KEPT_REASON_LABELS = {
    KeptReason.no_token: _l("No valid ticket reply address"),
    KeptReason.unknown_sender: _l("Sender is not the ticket's customer"),
    KeptReason.auto_reply: _l("Automatic reply"),
    KeptReason.bounce: _l("Delivery failure report"),
    KeptReason.loop: _l("Mail loop"),
    KeptReason.too_large: _l("Too large"),
    KeptReason.no_text: _l("No text"),
    KeptReason.malformed: _l("Unreadable message"),
    KeptReason.error: _l("Processing error"),
}


class InboundMail(db.Model):
    """One received e-mail, kept once per Message-ID (a mailbox fetched again adds nothing)."""

    __tablename__ = "inbound_mails"
    __table_args__ = (
        # The staff list reads kept mail newest first, page by page.
        Index("ix_inbound_mails_state_received", "state", "received_at", "id"),
        # The loop guard counts one sender's recent mail to one ticket.
        Index("ix_inbound_mails_ticket_sender_received", "ticket_id", "sender", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID, or "sha256:<digest of the bytes>" for a mail without one.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender: Mapped[str] = mapped_column(String(254), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    # The header block and the plain text as received (cut to a readable length), shown to staff escaped.
    headers: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InboundState] = mapped_column(Enum(InboundState, native_enum=False, length=20))
    reason: Mapped[KeptReason | None] = mapped_column(Enum(KeptReason, native_enum=False, length=30))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    ticket_message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_messages.id", ondelete="SET NULL"),
                                                          index=True)
    # Attachments not taken, each {"name": ..., "why": ...}.
    refused_attachments: Mapped[list | None] = mapped_column(JSON)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    ticket: Mapped[Ticket | None] = relationship()
    ticket_message: Mapped[TicketMessage | None] = relationship()
    discarded_by: Mapped[User | None] = relationship()

    @property
    def is_kept(self) -> bool:
        return self.state is InboundState.kept
