"""Telesales: the store's catalogue, customers' addresses, carts an operator builds, and shared cart links."""
import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .users import User


class Product(db.Model):
    """A product the back office pushes through the API; prices in integer cents."""

    __tablename__ = "products"
    __table_args__ = (Index("ix_products_active_name", "active", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stock: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CustomerAddress(db.Model):
    """One address of a customer's address book ("Minha conta")."""

    __tablename__ = "customer_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(20), default="")
    complement: Mapped[str] = mapped_column(String(100), default="")
    district: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(3), default="")
    postal_code: Mapped[str] = mapped_column(String(12), default="")
    country: Mapped[str] = mapped_column(String(2), default="BR")
    # The address new orders and the delivery-address form offer first; at most one per customer.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Compare-and-set counter: two tabs saving the same address never lose one silently.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    def as_order_address(self) -> dict:
        """Return the address as an order stores it (only the filled parts)."""
        parts = {key: getattr(self, key) for key in (
            "name", "street", "number", "complement", "district", "city", "state", "postal_code", "country")}
        return {key: value for key, value in sorted(parts.items()) if value}


class CartState(enum.StrEnum):
    open = "open"
    placed = "placed"
    discarded = "discarded"


class Cart(db.Model):
    """A cart an operator builds for a customer (while acting) or to share as a link."""

    __tablename__ = "carts"
    __table_args__ = (Index("ix_carts_operator_state", "operator_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    address_id: Mapped[int | None] = mapped_column(ForeignKey("customer_addresses.id", ondelete="SET NULL"))
    shipping_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_method: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[CartState] = mapped_column(Enum(CartState, native_enum=False, length=20), default=CartState.open)
    # A shared cart: only the hash of the link's token is kept; the link expires and works once.
    share_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    share_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), unique=True)
    # Compare-and-set counter: two tabs (or two shoppers with one link) cannot place it twice.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    operator: Mapped[User] = relationship(foreign_keys=[operator_id])
    customer: Mapped[User | None] = relationship(foreign_keys=[customer_id])
    address: Mapped[CustomerAddress | None] = relationship()
    items: Mapped[list["CartItem"]] = relationship(back_populates="cart", cascade="all, delete-orphan",
                                                   order_by="CartItem.id")

    __mapper_args__ = {"version_id_col": version}


class CartItem(db.Model):
    """A line of a cart: the catalogue price when added, and the operator's manual price with its reason."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "product_id", name="uq_cart_items_cart_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    list_price_cents: Mapped[int] = mapped_column(BigInteger)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    manual_reason: Mapped[str | None] = mapped_column(String(300))

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    @property
    def is_manual(self) -> bool:
        return self.unit_price_cents != self.list_price_cents

    @property
    def line_cents(self) -> int:
        return self.unit_price_cents * self.quantity
