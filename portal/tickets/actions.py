"""The staff's actions on a ticket: forward, take, escalate, refund part of the order, cancel a purchase unit.

Each checks the ticket version the form was rendered with (StaleTicket when it changed), refuses a
closed ticket, writes one event, and flushes. Forwarding e-mails the colleague; escalations and refunds on
an integrated channel's ticket are delivered to the marketplace (both through the outbox, after commit).
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from ..core import outbox
from ..core.errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import CancelledUnit, Order, OrderItem, Refund, Ticket
from ..models.tickets import ESCALATION_REASON_CODES
from . import events, signals
from .common import check_version, flush, now, pause_clock, require_not_closed
from .mail import forwarded_mail

MAX_NOTE = 2000
MAX_REASON = 500
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def _touch(ticket: Ticket) -> None:
    ticket.updated_at = now()


def _text(value: str | None, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_l("Give a reason."), field=field)
    if len(text) > limit:
        raise ValidationError(_l("Write at most %(max)d characters.", max=limit), field=field)
    return text


def forward_ticket(ticket: Ticket, user, to_user, note: str | None, *, expected_version: int | None) -> Ticket:
    """Make a colleague the assignee; they see who forwarded it ("Recebido de") and the note."""
    check_version(ticket, expected_version)
    require_not_closed(ticket)
    if to_user is None or not to_user.is_staff or not to_user.active:
        raise ValidationError(_l("Choose a colleague from the list."), field="to_user")
    if to_user.id == user.id:
        raise ValidationError(_l("Choose a colleague other than yourself."), field="to_user")
    text = _text(note, "note", MAX_NOTE, required=False)
    ticket.assignee = to_user
    ticket.forwarded_by = user
    ticket.forward_note = text or None
    _touch(ticket)
    event = events.forwarded(ticket, user, to_user, text)
    flush()
    outbox.queue_email(**forwarded_mail(ticket, user, to_user, text, event.id), ticket=ticket)
    return ticket


def take_ticket(ticket: Ticket, user, *, expected_version: int | None) -> Ticket:
    """Make the acting user the assignee."""
    check_version(ticket, expected_version)
    require_not_closed(ticket)
    if ticket.assignee_id == user.id:
        raise Conflict(_l("This ticket is already yours."), field="assignee")
    previous = ticket.assignee_id
    ticket.assignee = user
    ticket.forwarded_by = None
    ticket.forward_note = None
    _touch(ticket)
    events.taken(ticket, user, previous)
    flush()
    return ticket


def escalate_ticket(ticket: Ticket, user, reason_code: str, note: str | None, *,
                    expected_version: int | None) -> Ticket:
    """Hand the ticket to customer service: it waits for them and shows it is escalated."""
    check_version(ticket, expected_version)
    require_not_closed(ticket)
    if reason_code not in ESCALATION_REASON_CODES:
        raise ValidationError(_l("Choose a reason from the list."), field="reason")
    if ticket.escalated:
        raise Conflict(_l("This ticket is already with customer service."), field="reason")
    text = _text(note, "note", MAX_NOTE, required=False)
    before = ticket.status
    pause_clock(ticket, now())
    ticket.escalated = True
    ticket.escalation_reason = reason_code
    _touch(ticket)
    event = events.escalated(ticket, user, reason_code, text, before)
    flush()
    signals.escalated.send(ticket, actor=user, event=event)
    return ticket


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_l("Type an amount such as 25,90."), field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_l("The amount must be greater than zero."), field="amount")
    if amount > MAX_AMOUNT:  # the column holds 12 digits; a larger one could not be stored
        raise ValidationError(_l("The amount is too large."), field="amount")
    if amount != amount.quantize(CENT):
        raise ValidationError(_l("Use at most two decimal places."), field="amount")
    return amount.quantize(CENT)


def _lock_order(order_id: int) -> None:
    """Hold the order row until commit, so that refunds and cancellations on its tickets are summed one at a time.

    The ticket version protects one ticket; two tickets of the same order could otherwise both pass the check.
    (SQLite takes the write lock at the first write instead; a writer overtaken there fails at flush.)
    """
    db.session.execute(db.select(Order.id).where(Order.id == order_id).with_for_update())


def refunded_total(order) -> Decimal:
    """Return how much of the order was refunded so far."""
    total = db.session.scalar(db.select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.order_id == order.id))
    return Decimal(total or 0).quantize(CENT)


def refund(ticket: Ticket, user, amount, reason: str, *, expected_version: int | None) -> Refund:
    """Refund part of the order: more than zero and no more than what is left to refund."""
    check_version(ticket, expected_version)
    require_not_closed(ticket)
    value = _amount(amount)
    text = _text(reason, "reason", MAX_REASON, required=True)
    _lock_order(ticket.order_id)
    left = ticket.order.total - refunded_total(ticket.order)
    if value > left:
        shown = format_currency(max(left, 0), ticket.order.currency or "BRL")
        raise ValidationError(_l("Only %(left)s is left to refund on this order.", left=shown),
                              field="amount")
    row = Refund(ticket=ticket, order_id=ticket.order_id, amount=value, reason=text, created_by=user,
                 created_at=now())
    db.session.add(row)
    _touch(ticket)
    flush()
    events.refunded(ticket, user, row.id, value, text)
    flush()
    signals.refunded.send(ticket, actor=user, refund=row)
    return row


@dataclass(frozen=True)
class CancelledUnits:
    """The units cancelled on an order: every cancellation, oldest first, and the total per item."""

    rows: list
    by_item: dict

    def __bool__(self) -> bool:
        return bool(self.rows)


def cancelled_units(order) -> CancelledUnits:
    """Return the order's cancelled units, in one query whatever the order's size."""
    rows = list(db.session.scalars(
        db.select(CancelledUnit).join(OrderItem, CancelledUnit.order_item_id == OrderItem.id)
        .where(OrderItem.order_id == order.id)
        .options(joinedload(CancelledUnit.order_item), joinedload(CancelledUnit.ticket))
        .order_by(CancelledUnit.created_at, CancelledUnit.id)))
    by_item: dict[int, int] = {}
    for row in rows:
        by_item[row.order_item_id] = by_item.get(row.order_item_id, 0) + row.quantity
    return CancelledUnits(rows=rows, by_item=by_item)


def cancelled_quantity(item: OrderItem) -> int:
    """Return how many units of the item were cancelled so far."""
    return db.session.scalar(db.select(func.coalesce(func.sum(CancelledUnit.quantity), 0))
                             .where(CancelledUnit.order_item_id == item.id)) or 0


def cancel_unit(ticket: Ticket, user, item_id: int, quantity: int, reason: str, *,
                expected_version: int | None) -> CancelledUnit:
    """Cancel a quantity of one of the order's items: at least one, no more than is still not cancelled."""
    check_version(ticket, expected_version)
    require_not_closed(ticket)
    item = db.session.get(OrderItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.order_id != ticket.order_id:
        raise NotFound(_l("This item is not part of the order."), field="item")
    text = _text(reason, "reason", MAX_REASON, required=True)
    _lock_order(ticket.order_id)
    left = item.quantity - cancelled_quantity(item)
    if not isinstance(quantity, int) or quantity < 1:
        raise ValidationError(_l("Cancel at least one unit."), field="quantity")
    if quantity > left:
        raise ValidationError(_l("Only %(left)d units of this item can still be cancelled.", left=left),
                              field="quantity")
    row = CancelledUnit(ticket=ticket, order_item=item, quantity=quantity, reason=text, created_by=user,
                        created_at=now())
    db.session.add(row)
    _touch(ticket)
    flush()
    events.unit_cancelled(ticket, user, row.id, item.id, item.sku, quantity, text)
    flush()
    return row
