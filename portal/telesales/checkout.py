"""Placing a cart: a real order through the orders package, in price approval when a price was set by hand."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..accounts import audit
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import Cart, CartState, Channel, Order, PriceApproval, User
from ..models.base import utcnow
from ..models.statuses import PRICE_APPROVAL
from ..orders.intake import ItemInput, OrderInput, require_status, upsert_order
from . import backoffice, carts, pricing

SOURCE = "telesales"
NUMBER_PREFIX = "TV-"


def order_number(cart: Cart) -> str:
    """Return the order number of a cart: one cart makes at most one order, so its id makes the number unique."""
    return f"{NUMBER_PREFIX}{cart.id:06d}"


def next_status_name(payment_method: str | None) -> str:
    """Return where an order goes once its prices are fine: promissória is paid at once, the rest wait."""
    return "A ENVIAR" if payment_method == carts.PROMISSORIA else "AGUARDANDO PAGAMENTO"


def _check_ready(cart: Cart, customer: User | None) -> User:
    carts.require_open(cart)
    customer = customer or cart.customer
    if customer is None:
        raise ValidationError(_l("This cart has no customer yet."), field="cart")
    if not cart.items:
        raise ValidationError(_l("Add at least one product before placing the order."), field="cart")
    if cart.payment_method not in carts.PAYMENT_METHODS:
        raise ValidationError(_l("Choose a payment method."), field="payment_method")
    return customer


def _claim(cart: Cart, customer: User) -> None:
    """Mark the cart placed with one conditional UPDATE: of two confirmations at once, only one gets the row."""
    db.session.flush()  # pending changes first, so that the version compared is the one in the database
    claimed = db.session.execute(
        update(Cart).where(Cart.id == cart.id, Cart.state == CartState.open, Cart.version == cart.version)
        .values(state=CartState.placed, placed_at=utcnow(), customer_id=customer.id, version=Cart.version + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict(_l("This cart was changed or placed meanwhile. Reload it and try again."), field="cart")
    db.session.refresh(cart)


def place(cart: Cart, *, customer: User | None = None, operator: User | None = None) -> Order:
    """Create the order of the cart for its customer; `operator` is who placed it when an operator did.

    An order with a manual price waits in price approval; otherwise promissória goes to "A ENVIAR", paid now,
    and other methods wait for payment. Totals are computed here from the cart's lines, never taken from a form.
    """
    customer = _check_ready(cart, customer)
    if cart.customer_id is not None and cart.customer_id != customer.id:
        raise Conflict(_l("This cart belongs to another customer."), field="cart")
    _claim(cart, customer)
    manual = carts.has_manual_price(cart)
    status = PRICE_APPROVAL if manual else next_status_name(cart.payment_method)
    now = utcnow()
    subtotal = carts.subtotal_cents(cart)
    data = OrderInput(
        number=order_number(cart), customer_email=customer.email, customer_name=customer.name or "",
        placed_at=now, channel=Channel.STORE_CODE, status=require_status(status).name,
        payment_method=cart.payment_method, subtotal=pricing.to_decimal(subtotal),
        shipping_total=pricing.to_decimal(cart.shipping_cents or 0),
        total=pricing.to_decimal(subtotal + (cart.shipping_cents or 0)),
        paid_at=now if not manual and cart.payment_method == carts.PROMISSORIA else None,
        delivery_address=cart.address.as_order_address() if cart.address else None,
        items=tuple(ItemInput(name=item.name, quantity=item.quantity, sku=item.sku,
                              unit_price=pricing.to_decimal(item.unit_price_cents)) for item in cart.items),
    )
    result = upsert_order(data, source=SOURCE)
    if not result.created:
        raise Conflict(_l("This cart was already placed."), field="cart")
    order = result.order
    for order_item, cart_item in zip(order.items, cart.items, strict=True):
        if cart_item.is_manual:
            order_item.list_price = pricing.to_decimal(cart_item.list_price_cents)
            order_item.manual_price_reason = cart_item.manual_reason
    order.created_in_portal = True
    order.placed_by_id = operator.id if operator else None
    order.placed_by_email = operator.email if operator else None
    order.price_approval = PriceApproval.pending if manual else PriceApproval.none
    db.session.flush()
    cart.order_id = order.id
    db.session.flush()
    if operator is not None:
        audit.record(operator, "order.place", order.number, after={
            "number": order.number, "total_cents": subtotal + (cart.shipping_cents or 0),
            "payment_method": cart.payment_method, "price_approval": order.price_approval.value,
        }, on_behalf_of=customer)
    backoffice.queue_event(order, "order.created")
    return order
