"""The satisfaction survey asked at each closing of a ticket."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .tickets import Ticket
from .users import User


class TicketSurvey(db.Model):
    """The satisfaction question asked once per closing of a ticket, and the shopper's one answer to it.

    Agent, channel and reason are the ticket's at the closing, so that the figures stay with who answered
    it even when the ticket is later forwarded. `rating` is 1-5, None until answered.
    """

    __tablename__ = "ticket_surveys"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        # The dashboard reads the answers of a period, by channel, agent and reason.
        Index("ix_ticket_surveys_answered", "answered_at", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    # One survey per closing: the closing event is unique.
    closed_event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id", ondelete="CASCADE"), unique=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_reasons.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship()
    agent: Mapped[User | None] = relationship()

    @property
    def satisfied(self) -> bool:
        return self.rating is not None and self.rating >= 4
