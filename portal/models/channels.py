"""Sales channels: the store's own site and the marketplaces it sells on, and what their integrations delivered."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class Channel(db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_marketplace: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Response time owed on an open ticket, counted in calendar hours or in working-day hours.
    sla_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    sla_working_days: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Integrated marketplaces post tickets to the portal's webhook and receive answers at `outbound_url`;
    # both directions are signed with the secret (the previous one is still accepted until it expires).
    integrated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outbound_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    previous_webhook_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Non-integrated marketplaces: where staff handle the ticket, e.g. https://seller.example/d/{delivery_number}.
    seller_portal_url: Mapped[str | None] = mapped_column(String(2048))
    # The language its customers read (a marketplace's country); None: the store's default language.
    locale: Mapped[str | None] = mapped_column(String(10))
    # A marketplace surveys its own buyers; the portal asks them only when the merchant turns this on.
    survey_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    STORE_CODE = "loja"

    @property
    def is_integrated(self) -> bool:
        return self.is_marketplace and self.integrated


class IntegrationEvent(db.Model):
    """One event a marketplace delivered to the webhook, kept so that a repeated delivery changes nothing."""

    __tablename__ = "integration_events"
    __table_args__ = (UniqueConstraint("channel_id", "event_id", name="uq_integration_events_channel_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    event_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
