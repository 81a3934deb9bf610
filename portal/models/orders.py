"""Orders, their items and their append-only status history."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .channels import Channel
from .statuses import OrderStatus
from .users import User

Money = Numeric(12, 2)


class PriceApproval(enum.StrEnum):
    none = "none"
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_placed", "customer_id", "placed_at"),
        Index("ix_orders_marketplace_number", "marketplace_order_number"),
        Index("ix_orders_delivery_number", "delivery_number"),
        # The call centre's list (telesales/all_orders.py): each filter walks its own rows newest first.
        Index("ix_orders_status", "status_id", "placed_at"),
        Index("ix_orders_channel_placed", "channel_id", "placed_at"),
        Index("ix_orders_channel_status_placed", "channel_id", "status_id", "placed_at"),
        Index("ix_orders_total", "total", "id"),
        Index("ix_orders_placed", "placed_at"),
        Index("ix_orders_portal_placed", "created_in_portal", "placed_at"),
        Index("ix_orders_placed_by_email", "placed_by_email", "placed_at"),
        Index("ix_orders_price_approval", "price_approval", "placed_at"),
        # Late orders (tickets/late_orders.py) and orders the carrier delivered before the store closed them.
        Index("ix_orders_late_since", "late_since"),
        Index("ix_orders_carrier_delivered", "carrier_delivered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    marketplace_order_number: Mapped[str | None] = mapped_column(String(80))
    delivery_number: Mapped[str | None] = mapped_column(String(80))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status_id: Mapped[int] = mapped_column(ForeignKey("order_statuses.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The delivery date promised to the buyer, as the back office (or the carrier) gives it.
    expected_delivery_on: Mapped[date | None] = mapped_column(Date)
    shipping_code: Mapped[str | None] = mapped_column(String(2048))
    carrier: Mapped[str | None] = mapped_column(String(100))
    payment_method: Mapped[str | None] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), default="BRL")
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    shipping_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    discount_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    invoice_number: Mapped[str | None] = mapped_column(String(40))
    invoice_key: Mapped[str | None] = mapped_column(String(44))
    invoice_url: Mapped[str | None] = mapped_column(String(2048))
    delivery_address: Mapped[dict | None] = mapped_column(JSON)
    billing_address: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Telesales: an order placed in the portal (by the shopper from a shared cart, or by an operator acting
    # for them). The operator's e-mail is kept only when the operator placed it.
    created_in_portal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placed_by_email: Mapped[str | None] = mapped_column(String(254))
    # Manual prices wait for someone allowed to approve prices, who is never the operator who set them.
    price_approval: Mapped[PriceApproval] = mapped_column(
        Enum(PriceApproval, native_enum=False, length=20), default=PriceApproval.none,
        server_default=PriceApproval.none.value)
    price_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    price_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    price_decision_note: Mapped[str | None] = mapped_column(String(500))
    # Late: since when (None while on time), why ("expected_date" or "carrier_quiet"), and when the shopper
    # or staff were told in this episode; an episode ends when the order is on time again or finished.
    late_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_reason: Mapped[str | None] = mapped_column(String(20))
    late_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Correios history reported the parcel delivered (the first such event's time).
    carrier_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Compare-and-set counter of the shopper's delivery-address form.
    address_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    channel: Mapped[Channel] = relationship()
    customer: Mapped[User] = relationship(foreign_keys=[customer_id])
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    price_decided_by: Mapped[User | None] = relationship(foreign_keys=[price_decided_by_id])
    status: Mapped[OrderStatus] = relationship()
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.position"
    )
    history: Mapped[list["OrderStatusChange"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id"
    )

    @property
    def is_late(self) -> bool:
        return self.late_since is not None

    @property
    def has_invoice_link(self) -> bool:
        return self.paid_at is not None and bool(self.invoice_url)


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[str] = mapped_column(String(80), default="")
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    # Set when an operator changed the price: the catalogue price, and why it was changed.
    list_price: Mapped[Decimal | None] = mapped_column(Money)
    manual_price_reason: Mapped[str | None] = mapped_column(String(300))

    order: Mapped[Order] = relationship(back_populates="items")

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderStatusChange(db.Model):
    """One row per status change; never updated or deleted."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status_id: Mapped[int | None] = mapped_column(ForeignKey("order_statuses.id"))
    to_status_id: Mapped[int] = mapped_column(ForeignKey("order_statuses.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="history")
    from_status: Mapped[OrderStatus | None] = relationship(foreign_keys=[from_status_id])
    to_status: Mapped[OrderStatus] = relationship(foreign_keys=[to_status_id])
