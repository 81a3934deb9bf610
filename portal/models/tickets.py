"""Tickets: a shopper's or a marketplace's request about an order, its thread, history and money actions."""
import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .channels import Channel
from .orders import Order, OrderItem
from .users import User


class TicketStatus(enum.StrEnum):
    open = "open"
    waiting = "waiting"
    closed = "closed"

    @property
    def label(self):
        return TICKET_STATUS_LABELS[self]

    @property
    def css_class(self) -> str:
        return f"ticket-status--{self.value}"


TICKET_STATUS_LABELS = {
    TicketStatus.open: _l("Open"),
    TicketStatus.waiting: _l("Waiting"),
    TicketStatus.closed: _l("Closed"),
}

QUEUE_TABS = (TicketStatus.open, TicketStatus.waiting, TicketStatus.closed)


class Visibility(enum.StrEnum):
    customer = "customer"
    marketplace = "marketplace"
    internal = "internal"

    @property
    def label(self):
        return VISIBILITY_LABELS[self]

    def label_for(self, channel) -> str:  # who reads it there: the store's own channel has no marketplace
        own = self is Visibility.customer and channel is not None and not channel.is_marketplace
        return _l("Customer") if own else VISIBILITY_LABELS[self]

    @property
    def css_class(self) -> str:
        return f"message--{self.value}"


VISIBILITY_LABELS = {
    Visibility.customer: _l("Customer and marketplace"),
    Visibility.marketplace: _l("Marketplace only"),
    Visibility.internal: _l("Internal note"),
}


class AuthorKind(enum.StrEnum):
    customer = "customer"
    staff = "staff"
    marketplace = "marketplace"
    system = "system"

    @property
    def label(self):
        return AUTHOR_KIND_LABELS[self]


AUTHOR_KIND_LABELS = {
    AuthorKind.customer: _l("Customer"),
    AuthorKind.staff: _l("Store"),
    AuthorKind.marketplace: _l("Marketplace"),
    AuthorKind.system: _l("System"),
}

# Why a ticket is handed to customer service (seeds 001/004: when the seller cannot help further).
ESCALATION_REASONS = (
    ("cannot_help", _l("We cannot help the customer and need support to settle the request")),
    ("not_for_us", _l("The request is not addressed to us")),
    ("invoice_model", _l("Questions about the invoice under the marketplace's supplier model")),
    ("payments", _l("Payment provider, credit payouts or vouchers")),
    ("loyalty", _l("Loyalty card or coupons")),
    ("account", _l("Login, password change or deleting the customer account")),
)
ESCALATION_REASON_CODES = frozenset(code for code, _label in ESCALATION_REASONS)

# How long after closing a shopper may still reopen a ticket by replying.
REOPEN_DAYS = 14

_status_enum = Enum(TicketStatus, native_enum=False, length=20)


# The reasons the first migration creates, with their pt_BR label there and their source text here.
BUILTIN_REASONS = {
    "onde_esta_meu_pedido": ("Onde está meu pedido?", _l("Where is my order?")),
    "produto_com_defeito": ("Produto com defeito", _l("Defective product")),
    "troca_ou_devolucao": ("Troca ou devolução", _l("Exchange or return")),
    "cancelamento": ("Cancelamento", _l("Cancellation")),
    "nota_fiscal": ("Nota fiscal", _l("Invoice")),
    "outro_assunto": ("Outro assunto", _l("Something else")),
}


def reason_label(code: str, label: str, labels: dict | None, locale: str | None) -> str:
    """A reason's label in that language: the merchant's own, else a built-in reason's translation if never renamed."""
    stored = (labels or {}).get(locale or "")
    if stored:
        return stored
    builtin = BUILTIN_REASONS.get(code)
    if builtin is None or label != builtin[0] or not locale:
        return label
    if locale == str(get_locale() or ""):
        return str(builtin[1])
    with force_locale(locale):
        return str(builtin[1])


class TicketReason(db.Model):
    """One entry of the store's list of reasons a shopper can pick when opening a ticket."""

    __tablename__ = "ticket_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The help page answers "where is my order?" before offering a ticket for this reason.
    about_delivery: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The label in other languages ({"cs": "...", "de": "..."}); `label` is read where none is given.
    labels: Mapped[dict | None] = mapped_column(JSON)

    def label_in(self, locale: str | None) -> str:
        """The merchant's label in that language; a built-in reason never renamed speaks every catalog language."""
        return reason_label(self.code, self.label, self.labels, locale)

    @property
    def shown_label(self) -> str:
        """The label in the language of the page being drawn."""
        return self.label_in(str(get_locale() or ""))


ANSWERED = text("first_response_seconds IS NOT NULL")


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        # The queue reads a tab in due order, page by page; the id makes the order total, so a page is an index range.
        # On PostgreSQL each filter's index also carries the other filters' columns: two filters together (a
        # channel and an assignee) are counted and paged from one index alone.
        Index("ix_tickets_status_due", "status", "due_at", "id"),
        Index("ix_tickets_status_channel_due", "status", "channel_id", "due_at", "id",
              postgresql_include=["reason_id", "assignee_id", "created_at"]),
        Index("ix_tickets_assignee_status_due", "assignee_id", "status", "due_at", "id",
              postgresql_include=["channel_id", "reason_id", "created_at"]),
        Index("ix_tickets_reason_status_due", "reason_id", "status", "due_at", "id",
              postgresql_include=["channel_id", "assignee_id", "created_at"]),
        # Period filters and the newest/oldest sorts read a tab in creation order. On PostgreSQL the index
        # also carries the other filters' columns, so a period combined with them is counted from the index.
        Index("ix_tickets_status_created", "status", "created_at", "id",
              postgresql_include=["channel_id", "reason_id", "assignee_id", "due_at"]),
        Index("ix_tickets_marketplace_code", "marketplace_ticket_code"),
        # A marketplace's ticket exists once per channel, however often (or in parallel) it is delivered.
        UniqueConstraint("channel_id", "marketplace_ticket_code", name="uq_tickets_channel_marketplace_code"),
        Index("ix_tickets_customer_updated", "customer_id", "updated_at"),
        # The KPI dashboard reads a period's tickets by creation time, then by channel.
        Index("ix_tickets_created_channel", "created_at", "channel_id"),
        # The response percentiles read every answered ticket of a period, in total and by day, by channel and
        # by agent, each group from its own index range (on PostgreSQL from the indexes alone).
        Index("ix_tickets_first_response", "first_response_at", "channel_id",
              postgresql_include=["first_response_seconds", "first_response_by_id"]),
        Index("ix_tickets_channel_first_response", "channel_id", "first_response_at",
              postgresql_include=["first_response_seconds"], postgresql_where=ANSWERED, sqlite_where=ANSWERED),
        Index("ix_tickets_responder_first_response", "first_response_by_id", "first_response_at",
              postgresql_include=["first_response_seconds", "channel_id"], postgresql_where=ANSWERED,
              sqlite_where=ANSWERED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(11), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_reasons.id"))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[TicketStatus] = mapped_column(_status_enum, default=TicketStatus.open)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    forward_note: Mapped[str | None] = mapped_column(Text)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    # The call-centre operator who opened the ticket while acting for the customer.
    opened_by_operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    escalation_reason: Mapped[str | None] = mapped_column(String(50))
    marketplace_ticket_code: Mapped[str | None] = mapped_column(String(80))
    # When the ticket last became open: "days pending" counts from here.
    open_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA time left when the ticket went to waiting; used when it becomes open again.
    sla_remaining_seconds: Mapped[int | None] = mapped_column(Integer)
    # When the marketplace's newest status change happened: an older one delivered late changes nothing.
    marketplace_state_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The store's first answer to the shopper or the marketplace, and the working time it took (KPIs).
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    first_response_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The closed ticket a shopper answered too late to reopen, which this one continues.
    previous_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    order: Mapped[Order] = relationship()
    channel: Mapped[Channel] = relationship()
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    reason: Mapped[TicketReason | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    forwarded_by: Mapped[User | None] = relationship(foreign_keys=[forwarded_by_id])
    opened_by_operator: Mapped[User | None] = relationship(foreign_keys=[opened_by_operator_id])
    previous_ticket: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[previous_ticket_id])
    messages: Mapped[list["TicketMessage"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketMessage.id"
    )
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status is TicketStatus.open

    @property
    def is_closed(self) -> bool:
        return self.status is TicketStatus.closed

    @property
    def escalation_label(self):
        return dict(ESCALATION_REASONS).get(self.escalation_reason or "")


class TicketMessage(db.Model):
    """One message of a ticket's thread; its body is sanitised HTML."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("ticket_id", "external_id", name="uq_ticket_messages_ticket_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_kind: Mapped[AuthorKind] = mapped_column(Enum(AuthorKind, native_enum=False, length=20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The operator who wrote a customer message while acting for them ("pela central de atendimento").
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=20))
    body_html: Mapped[str] = mapped_column(Text)
    # The marketplace's own id for a message it delivered (None for messages written in the portal).
    external_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    operator: Mapped[User | None] = relationship(foreign_keys=[operator_id])
    attachments: Mapped[list["TicketAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="TicketAttachment.id"
    )


class TicketAttachment(db.Model):
    """A file sent with a message, stored outside static/ under a random key."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)

    message: Mapped[TicketMessage] = relationship(back_populates="attachments")


class TicketEvent(db.Model):
    """One thing that happened to a ticket; never updated or deleted."""

    __tablename__ = "ticket_events"
    # The KPI dashboard counts a period's closings, reopenings and escalations.
    __table_args__ = (Index("ix_ticket_events_kind_created", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Refund(db.Model):
    """A partial refund of an order, granted while handling a ticket."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    created_by: Mapped[User | None] = relationship()


class CancelledUnit(db.Model):
    """Units of an order item cancelled while handling a ticket."""

    __tablename__ = "cancelled_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    order_item: Mapped[OrderItem] = relationship()
    created_by: Mapped[User | None] = relationship()


# Placeholders a text module may use, in the order the editor lists them.
PLACEHOLDERS = ("cliente", "pedido", "pedido_marketplace", "ticket", "rastreio", "previsao_entrega")


class TextModule(db.Model):
    """A canned answer for a channel (or every channel), with {placeholders}."""

    __tablename__ = "text_modules"
    __table_args__ = (Index("ix_text_modules_channel_position", "channel_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The text in other languages ({"cs": {"title": ..., "body": ...}}); title and body are read where none is.
    texts: Mapped[dict | None] = mapped_column(JSON)

    channel: Mapped[Channel | None] = relationship()

    def text_in(self, locale: str | None) -> tuple[str, str, bool]:
        """Return (title, body, translated): the module's text in the language, else its own text."""
        own = (self.texts or {}).get(locale or "")
        if own and own.get("body"):
            return own.get("title") or self.title, own["body"], True
        return self.title, self.body, False
