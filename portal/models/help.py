"""Help deflection: the answer a shopper was shown before opening a ticket, and whether it was enough."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .orders import Order
from .tickets import Ticket, TicketReason


class DeflectionOutcome(enum.StrEnum):
    resolved = "resolved"
    needed_help = "needed_help"

    @property
    def label(self):
        return DEFLECTION_OUTCOME_LABELS[self]


DEFLECTION_OUTCOME_LABELS = {
    DeflectionOutcome.resolved: _l("This solved it"),
    DeflectionOutcome.needed_help: _l("I still need help"),
}


class HelpDeflection(db.Model):
    """One answer shown on the help page for a reason about delivery; `outcome` stays None until a button is used."""

    __tablename__ = "help_deflections"
    __table_args__ = (
        # The merchant's report counts a period's answers per reason.
        Index("ix_help_deflections_reason_shown", "reason_id", "shown_at"),
        Index("ix_help_deflections_shown", "shown_at"),
        # A reload of the same answer reuses the shopper's undecided row instead of counting it again.
        Index("ix_help_deflections_customer_order", "customer_id", "order_id", "shown_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_reasons.id", ondelete="SET NULL"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[DeflectionOutcome | None] = mapped_column(Enum(DeflectionOutcome, native_enum=False, length=20))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    # What the page said: step, latest carrier event, expected date, late flag (tickets/deflection.py).
    shown: Mapped[dict] = mapped_column(JSON, default=dict)

    order: Mapped[Order] = relationship()
    reason: Mapped[TicketReason | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
