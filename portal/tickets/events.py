"""One constructor per kind of ticket event; the history is append-only and each action writes one event."""
from decimal import Decimal

from ..extensions import db
from ..models import Ticket, TicketEvent, TicketStatus
from .common import now


def _record(ticket: Ticket, kind: str, actor, **data) -> TicketEvent:
    # By id, not through ticket.events: appending to the collection would bump the ticket's version again.
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor_id=actor.id if actor else None, created_at=now(),
                        data={key: value for key, value in data.items() if value is not None})
    db.session.add(event)
    return event


def opened(ticket: Ticket, actor, message_id: int | None = None) -> TicketEvent:
    return _record(ticket, "opened", actor, message_id=message_id, status=TicketStatus.open.value)


def opened_as_follow_up(ticket: Ticket, actor, message_id: int, previous: Ticket) -> TicketEvent:
    """Record a ticket opened by a shopper's answer to a ticket closed too long ago to reopen."""
    return _record(ticket, "opened", actor, message_id=message_id, status=TicketStatus.open.value,
                   follows=previous.number)


def opened_proactively(ticket: Ticket, message_id: int, cause: str) -> TicketEvent:
    """Record a ticket the store opened itself, before the shopper asked (a late order, say)."""
    return _record(ticket, "opened", None, message_id=message_id, status=TicketStatus.open.value, proactive=True,
                   cause=cause)


def message(ticket: Ticket, actor, message_id: int, visibility: str, status_from: TicketStatus,
            status_to: TicketStatus) -> TicketEvent:
    """Record a message; when it moved the ticket, the event says from which status to which."""
    changed = status_from is not status_to
    return _record(ticket, "message", actor, message_id=message_id, visibility=visibility,
                   status_from=status_from.value if changed else None,
                   status_to=status_to.value if changed else None)


def status_changed(ticket: Ticket, actor, status_from: TicketStatus, status_to: TicketStatus,
                   note: str | None = None) -> TicketEvent:
    return _record(ticket, "status_changed", actor, status_from=status_from.value, status_to=status_to.value,
                   note=note or None)


def forwarded(ticket: Ticket, actor, to_user, note: str | None) -> TicketEvent:
    return _record(ticket, "forwarded", actor, to_user_id=to_user.id, to_name=to_user.display_name,
                   note=note or None)


def taken(ticket: Ticket, actor, previous_assignee_id: int | None) -> TicketEvent:
    return _record(ticket, "taken", actor, previous_assignee_id=previous_assignee_id)


def escalated(ticket: Ticket, actor, reason_code: str, note: str | None, status_from: TicketStatus) -> TicketEvent:
    return _record(ticket, "escalated", actor, reason=reason_code, note=note or None,
                   status_from=status_from.value, status_to=TicketStatus.waiting.value)


def refunded(ticket: Ticket, actor, refund_id: int, amount: Decimal, reason: str) -> TicketEvent:
    return _record(ticket, "refunded", actor, refund_id=refund_id, amount=str(amount), reason=reason)


def unit_cancelled(ticket: Ticket, actor, cancelled_id: int, item_id: int, sku: str, quantity: int,
                   reason: str) -> TicketEvent:
    return _record(ticket, "unit_cancelled", actor, cancelled_id=cancelled_id, item_id=item_id, sku=sku,
                   quantity=quantity, reason=reason)


def details_viewed(ticket: Ticket, actor) -> TicketEvent:
    """Record that staff opened the order's printable details from the ticket (seed 000's first step)."""
    return _record(ticket, "details_viewed", actor)


def closed(ticket: Ticket, actor, status_from: TicketStatus) -> TicketEvent:
    return _record(ticket, "closed", actor, status_from=status_from.value)


def reopened(ticket: Ticket, actor, message_id: int | None = None) -> TicketEvent:
    """Record a reopening, by a staff action or by the shopper's reply (then with its message)."""
    return _record(ticket, "reopened", actor, message_id=message_id)
