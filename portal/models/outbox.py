"""Work that must leave the portal (e-mails, marketplace deliveries), written with the change that caused it.

A row is committed in the same transaction as the answer or action behind it, so nothing a user did is lost
when the queue, SMTP or a marketplace is down; a Huey task sends it, and a periodic sweep re-queues what waits.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class OutboxKind(enum.StrEnum):
    email = "email"
    marketplace = "marketplace"
    backoffice = "backoffice"


class OutboxState(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"

    @property
    def label(self):
        return OUTBOX_STATE_LABELS[self]

    @property
    def css_class(self) -> str:
        return f"delivery--{self.value}"


OUTBOX_STATE_LABELS = {
    OutboxState.queued: _l("Queued"),
    OutboxState.sending: _l("Sending"),
    OutboxState.delivered: _l("Delivered"),
    OutboxState.failed: _l("Failed"),
}


class OutboxItem(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        # The sweep reads what is due: state, then time.
        Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(Enum(OutboxKind, native_enum=False, length=20))
    # Idempotency: one row per thing to send (e.g. "ticket-answer:<number>:<message id>").
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # What the marketplace delivery reports: message, escalated, refunded, closed.
    event: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[OutboxState] = mapped_column(Enum(OutboxState, native_enum=False, length=20),
                                               default=OutboxState.queued)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True)

    channel = relationship("Channel")
