"""Verbs on orders: create or update from the back office, change status."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..accounts.users import get_or_create_customer
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import Channel, Order, OrderItem, OrderStatus, OrderStatusChange, PriceApproval
from ..models.base import utcnow
from . import mail as order_mail
from .statuses import check_transition, get_status

DEFAULT_STATUS = "AGUARDANDO PAGAMENTO"


@dataclass(frozen=True)
class ItemInput:
    name: str
    quantity: int
    unit_price: Decimal
    sku: str = ""


@dataclass(frozen=True)
class OrderInput:
    """An order as the back office describes it, already type-checked."""

    number: str
    customer_email: str
    placed_at: datetime
    customer_name: str = ""
    channel: str = Channel.STORE_CODE
    status: str | None = None
    marketplace_order_number: str | None = None
    delivery_number: str | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    expected_delivery_on: date | None = None
    shipping_code: str | None = None
    carrier: str | None = None
    payment_method: str | None = None
    currency: str = "BRL"
    subtotal: Decimal = Decimal("0")
    shipping_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    invoice_number: str | None = None
    invoice_key: str | None = None
    invoice_url: str | None = None
    delivery_address: dict | None = None
    billing_address: dict | None = None
    items: tuple[ItemInput, ...] = field(default_factory=tuple)


SCALAR_FIELDS = (
    "marketplace_order_number", "delivery_number", "placed_at", "paid_at", "shipped_at", "expected_delivery_on",
    "shipping_code",
    "carrier", "payment_method", "currency", "subtotal", "shipping_total", "discount_total", "total",
    "invoice_number", "invoice_key", "invoice_url", "delivery_address", "billing_address",
)


@dataclass
class UpsertResult:
    order: Order
    created: bool
    changed: bool
    customer_created: bool


def get_channel(code: str, field_name: str = "channel") -> Channel:
    channel = db.session.scalar(db.select(Channel).filter_by(code=code))
    if channel is None:
        raise ValidationError(_l("Unknown channel: %(code)s.", code=code), field=field_name)
    return channel


def require_status(name: str, field_name: str = "status") -> OrderStatus:
    status = get_status(name)
    if status is None or status.retired:
        raise ValidationError(_l("Unknown status: %(name)s.", name=name), field=field_name)
    return status


def _same_items(order: Order, items: tuple[ItemInput, ...]) -> bool:
    current = [(i.sku, i.name, i.quantity, i.unit_price) for i in order.items]
    wanted = [(i.sku, i.name, i.quantity, Decimal(i.unit_price)) for i in items]
    return current == wanted


def upsert_order(data: OrderInput, source: str) -> UpsertResult:
    """Create the order or bring it in line with `data`; an identical repeat changes nothing."""
    channel = get_channel(data.channel)
    order = db.session.scalar(db.select(Order).filter_by(number=data.number))
    status = require_status(data.status) if data.status else None
    customer, customer_created = get_or_create_customer(data.customer_email, data.customer_name)
    created = order is None
    changed = created
    before = None if created else order_mail.furthest_event(order)
    if not created and order.price_approval is PriceApproval.pending and (
            (status is not None and status.id != order.status_id) or not _same_items(order, data.items)):
        raise _awaiting_approval(order)
    if created:
        status = status or require_status(DEFAULT_STATUS)
        order = Order(number=data.number, customer=customer, channel=channel, status=status)
        db.session.add(order)
        db.session.add(OrderStatusChange(order=order, to_status=status, source=source))
    else:
        if order.customer_id != customer.id:
            order.customer = customer
            changed = True
        if order.channel_id != channel.id:
            order.channel = channel
            changed = True
    for name in SCALAR_FIELDS:
        value = getattr(data, name)
        if getattr(order, name) != value:
            setattr(order, name, value)
            changed = True
    if not _same_items(order, data.items):
        order.items = [
            OrderItem(position=i, sku=item.sku, name=item.name, quantity=item.quantity, unit_price=item.unit_price)
            for i, item in enumerate(data.items)
        ]
        changed = True
    if not created and status is not None and status.id != order.status_id:
        _change_status(order, status, source=source)
        changed = True
    if changed and not created:
        # Replacing only the items touches no column of the order row, so its onupdate would not fire.
        order.updated_at = utcnow()
    db.session.flush()
    if changed:
        order_mail.notify_change(order, before)
    return UpsertResult(order=order, created=created, changed=changed, customer_created=customer_created)


def change_order_status(order: Order, status: OrderStatus, source: str, note: str | None = None) -> bool:
    """Move the order to `status` if the rules allow it, recording the change; False if already there.

    Every status change goes through here (or upsert_order): the shopper is mailed the event it reaches.
    """
    before = order_mail.furthest_event(order)
    if not _change_status(order, status, source, note):
        return False
    order_mail.notify_change(order, before)
    return True


def _change_status(order: Order, status: OrderStatus, source: str, note: str | None = None) -> bool:
    if order.status_id == status.id:
        return False
    if order.price_approval is PriceApproval.pending:
        raise _awaiting_approval(order)
    check_transition(order.status, status)
    db.session.add(OrderStatusChange(
        order=order, from_status_id=order.status_id, to_status=status, source=source, note=note,
    ))
    order.status = status
    db.session.flush()
    return True


def _awaiting_approval(order: Order) -> Conflict:
    """Until someone allowed to approve prices decides, an order with a manual price keeps its status and lines."""
    return Conflict(_l("Order %(number)s awaits the approval of its manual prices: its status and items change "
                       "only once they are approved or rejected.", number=order.number), field="status")
