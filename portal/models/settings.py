"""Store-wide settings, trusted tracking hosts and cached tracking histories."""
import secrets
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

DEFAULT_PRIMARY = "#0b5cad"
DEFAULT_ACCENT = "#0a7d4f"


class StoreSettings(db.Model):
    """The single row of store-wide settings (id 1)."""

    __tablename__ = "store_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_name: Mapped[str] = mapped_column(String(120), default="Loja Exemplo")
    support_email: Mapped[str] = mapped_column(String(254), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Sao_Paulo")
    country: Mapped[str] = mapped_column(String(2), default="BR")
    state: Mapped[str] = mapped_column(String(3), default="SP")
    default_locale: Mapped[str] = mapped_column(String(10), default="pt_BR")
    primary_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_PRIMARY)
    accent_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_ACCENT)
    # On by default so that an existing store keeps working; the merchant area shows what is still missing.
    portal_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    old_portal_url: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    # Compare-and-set counters, one per form: a form saves only if nobody saved the same form since it was
    # rendered (store settings; colours; the portal switch), so saving one never conflicts with another.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    colours_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    switch_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Compare-and-set counter of the status rules matrix (saved apart from the settings forms).
    rules_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A new random token whenever a channel, a ticket reason, a staff account or a trusted host changes
    # (store/lookups.py).
    lists_version: Mapped[str | None] = mapped_column(String(16), default=lambda: secrets.token_hex(8))
    statuses_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Telesales: the highest manual price an operator may set (cents), how long a shared cart link lives,
    # and the back-office endpoint that is told about orders placed in the portal (signed like webhooks).
    manual_price_ceiling_cents: Mapped[int] = mapped_column(BigInteger, default=10_000_000, server_default="10000000")
    cart_link_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    backoffice_url: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    backoffice_secret: Mapped[str] = mapped_column(String(200), default="", server_default="")
    rules_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Late orders: working days without carrier news after which a shipped order is late, and what the
    # portal does once per episode (open a proactive ticket, e-mail the shopper).
    late_quiet_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    late_opens_ticket: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    late_emails_shopper: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "Minha conta" pages; off, "Meus endereços" and "Meus dados" lead to the old central instead.
    account_pages_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # E-mails to the shopper, one switch per event (docs/notifications.md); the late mail's switch is
    # late_emails_shopper above.
    mail_ticket_received: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    mail_ticket_closed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    mail_order_shipped: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    mail_order_delivered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    mail_order_cancelled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def rules_need_review(self) -> bool:
        """Tell whether the status rules were never reviewed, or not since the statuses last changed."""
        if self.rules_reviewed_at is None:
            return True
        return self.statuses_changed_at is not None and self.rules_reviewed_at < self.statuses_changed_at

    @classmethod
    def get(cls) -> "StoreSettings":
        """Return the settings row, or unsaved defaults when there is none yet.

        The session keeps the row (its identity map holds unchanged rows only weakly), so that a request
        reads it once however often it asks; a commit or a rollback still makes it read afresh.
        """
        settings = db.session.get(cls, 1)
        if settings is None:
            return cls(id=1)
        db.session.info["store_settings"] = settings
        return settings


class TrustedHost(db.Model):
    """A host whose https tracking pages may be shown inside the portal."""

    __tablename__ = "trusted_hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def all_hosts(cls) -> list[str]:
        return list(db.session.scalars(db.select(cls.host).order_by(cls.host)))


class TrackingSnapshot(db.Model):
    """The last Correios history fetched for a code, shared by every process."""

    __tablename__ = "tracking_snapshots"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    events: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
