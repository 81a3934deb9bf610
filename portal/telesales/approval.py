"""Manual prices wait for someone allowed to approve prices, who is never the operator behind them."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..accounts import audit
from ..core.errors import Conflict, DomainError, ValidationError
from ..extensions import db
from ..models import Cart, Order, OrderStatus, PriceApproval, User
from ..models.base import utcnow
from ..orders.intake import change_order_status, require_status
from . import backoffice, carts, checkout

MAX_NOTE = 500


class NotYours(DomainError):
    """The approver is the operator who placed the order or set its prices."""

    status_code = 403
    code = "forbidden"


def pending_query():
    """Select the orders waiting for a price decision, oldest first, with their lines and people."""
    return (db.select(Order).where(Order.price_approval == PriceApproval.pending)
            .options(selectinload(Order.items), selectinload(Order.customer), selectinload(Order.placed_by),
                     selectinload(Order.status))
            .order_by(Order.placed_at, Order.id))


def operator_ids(order: Order) -> set[int]:
    """Return who may not decide: the operator who placed the order and the one who built its cart."""
    ids = {order.placed_by_id} if order.placed_by_id else set()
    cart_operator = db.session.scalar(db.select(Cart.operator_id).where(Cart.order_id == order.id))
    if cart_operator:
        ids.add(cart_operator)
    return ids


def _check(actor: User, order: Order) -> None:
    if order.price_approval is not PriceApproval.pending:
        raise Conflict(_l("The prices of order %(number)s were already decided.", number=order.number),
                       field="order")
    if actor.id in operator_ids(order):
        raise NotYours(_l("You set or placed these prices, so someone else must approve or reject them."),
                       field="order")


def _lines(order: Order) -> tuple[dict, dict]:
    """Return the catalogue and manual prices of the manual lines, keyed by position and SKU."""
    manual = [item for item in order.items if item.list_price is not None]
    before = {f"{item.position + 1}:{item.sku}": f"{item.list_price:.2f}" for item in manual}
    after = {f"{item.position + 1}:{item.sku}": f"{item.unit_price:.2f}" for item in manual}
    return before, after


def _decide(actor: User, order: Order, decision: PriceApproval, status: OrderStatus, note: str | None) -> Order:
    order.price_approval = decision
    order.price_decided_by_id = actor.id
    order.price_decided_at = utcnow()
    order.price_decision_note = note
    change_order_status(order, status, source=checkout.SOURCE, note=note)
    before, after = _lines(order)
    # Before: the catalogue price of each manual line; after: the manual price, the new status and the note.
    audit.record(actor, f"order.price_{decision.value}", order.number, before,
                 {**after, "status": status.name, "note": note})
    backoffice.queue_event(order, f"order.{decision.value}")
    return order


def approve(actor: User, order: Order) -> Order:
    """Approve the manual prices: the order moves on as if placed without them (promissória is paid now)."""
    _check(actor, order)
    status = require_status(checkout.next_status_name(order.payment_method))
    if order.payment_method == carts.PROMISSORIA:
        order.paid_at = utcnow()
    return _decide(actor, order, PriceApproval.approved, status, None)


def reject(actor: User, order: Order, reason: str) -> Order:
    """Reject the manual prices with a reason kept for the operator; the order is cancelled."""
    _check(actor, order)
    note = " ".join(str(reason or "").split())
    if len(note) < 3:
        raise ValidationError(_l("Say why the prices are rejected (at least 3 characters)."), field="reason")
    if len(note) > MAX_NOTE:
        raise ValidationError(_l("The reason can have at most 500 characters."), field="reason")
    return _decide(actor, order, PriceApproval.rejected, require_status("CANCELADO"), note)
