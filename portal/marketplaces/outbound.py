"""What an integrated marketplace is told about its tickets: staff answers, escalations, refunds and closings.

The ticket verbs announce each (`tickets.signals`); the receivers here queue it (`delivery`) with the
payload of docs/integrations.md, only for a staff actor on a ticket of an integrated channel with a delivery
address; what came from the marketplace itself is never echoed back.
"""
from datetime import UTC, datetime

from ..models import Refund, Ticket, TicketEvent, TicketMessage, Visibility
from ..tickets import signals
from ..tickets.sanitize import plain_text
from . import delivery

EVENT_TYPES = {
    "message": "message.created",
    "escalated": "ticket.escalated",
    "refunded": "ticket.refunded",
    "closed": "ticket.closed",
}


def wants_delivery(ticket: Ticket, actor) -> bool:
    """Tell whether what this actor did on the ticket goes to the marketplace."""
    channel = ticket.channel
    return bool(actor is not None and getattr(actor, "is_staff", False) and channel is not None
                and channel.is_integrated and channel.outbound_url)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _payload(ticket: Ticket, event: str, key: str, moment: datetime, **blocks) -> dict:
    order = ticket.order
    return {
        "event_id": key,
        "type": EVENT_TYPES[event],
        "occurred_at": _iso(moment),
        "ticket": {"id": ticket.marketplace_ticket_code or None, "number": ticket.number,
                   "order": order.marketplace_order_number or order.number},
        **blocks,
    }


def _key(ticket: Ticket, event: str, ident: int) -> str:
    return f"marketplace:{ticket.number}:{event}:{ident}"


@signals.message_added.connect
def message_created(ticket: Ticket, actor, message: TicketMessage) -> None:
    """Queue a staff answer addressed to the customer or to the marketplace (never an internal note)."""
    if message.visibility is Visibility.internal or not wants_delivery(ticket, actor):
        return
    key = _key(ticket, "message", message.id)
    block = {"id": str(message.id), "visibility": message.visibility.value, "body_html": message.body_html,
             "body_text": plain_text(message.body_html)}
    delivery.queue_marketplace(ticket, "message", _payload(ticket, "message", key, message.created_at, message=block),
                             message=message)


@signals.escalated.connect
def escalated(ticket: Ticket, actor, event: TicketEvent) -> None:
    """Queue the news that the ticket went to customer service, with the reason."""
    if not wants_delivery(ticket, actor):
        return
    key = _key(ticket, "escalated", event.id)
    data = event.data or {}
    block = {"reason": data.get("reason"), "note": data.get("note") or ""}
    delivery.queue_marketplace(ticket, "escalated", _payload(ticket, "escalated", key, event.created_at,
                                                           escalation=block))


@signals.refunded.connect
def refunded(ticket: Ticket, actor, refund: Refund) -> None:
    """Queue a partial refund: amount, currency and reason."""
    if not wants_delivery(ticket, actor):
        return
    key = _key(ticket, "refunded", refund.id)
    block = {"amount": f"{refund.amount:.2f}", "currency": ticket.order.currency or "BRL", "reason": refund.reason}
    delivery.queue_marketplace(ticket, "refunded", _payload(ticket, "refunded", key, refund.created_at, refund=block))


@signals.closed.connect
def closed(ticket: Ticket, actor, event: TicketEvent) -> None:
    """Queue the closing of the ticket."""
    if not wants_delivery(ticket, actor):
        return
    key = _key(ticket, "closed", event.id)
    delivery.queue_marketplace(ticket, "closed", _payload(ticket, "closed", key, event.created_at))
