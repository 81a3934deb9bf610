"""The order's full history: status changes, payment, shipping, carrier events and ticket messages, in one list.

Built from what the order page has already loaded (the order, its status history, its timeline, its
cancelled units) plus two queries whatever the order's size: the stored Correios snapshot
(`tracking_refresh.stored_history`, never the Correios API) and the messages of the order's tickets.
Newest first (docs/timeline.md).
"""
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

import trackers

from ..extensions import db
from ..models import StatusType, Ticket, TicketMessage, Visibility
from ..orders import carrier_delivery, tracking_refresh

# The newest messages shown; the ticket threads hold the rest.
MAX_MESSAGES = 200

KIND_LABELS = {
    "placed": _l("Order placed"),
    "status": _l("Status changed"),
    "paid": _l("Payment confirmed"),
    "shipped": _l("Order shipped"),
    "carrier": _l("Correios"),
    "message": _l("Message"),
    "unit_cancelled": _l("Purchase unit cancelled"),
}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    kind: str  # placed | status | paid | shipped | carrier | message | unit_cancelled
    # status: the status reached and its type (the name only where the viewer may see it)
    status_name: str | None = None
    status_type: StatusType | None = None
    # paid: the invoice registered with the payment
    invoice_number: str | None = None
    invoice_url: str | None = None
    # shipped: carrier and shipping code (the code only when it is one, not a link)
    carrier: str | None = None
    shipping_code: str | None = None
    # carrier: one event of the Correios history; `delivered` when it reports the delivery
    description: str | None = None
    detail: str | None = None
    place: str | None = None
    delivered: bool = False
    # message: one message of a ticket of the order
    ticket_number: str | None = None
    ticket_subject: str | None = None
    message_id: int | None = None
    author_kind: object = None
    visibility: Visibility | None = None
    body_html: str | None = None
    # unit_cancelled: how many units of which item (the reason only for the staff)
    item_name: str | None = None
    item_sku: str | None = None
    quantity: int | None = None
    reason: str | None = None

    @property
    def label(self):
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class OrderHistory:
    entries: list[HistoryEntry]
    # The order's Correios code, and whether its stored history is missing or stale (the worker was asked).
    carrier_code: str | None = None
    carrier_refreshing: bool = False
    carrier_available: bool = True


def build_history(order, steps, *, staff: bool = False, cancelled=None) -> OrderHistory:
    """Return everything that happened to the order, newest first, as the viewer may see it.

    `steps` is the order's timeline (orders.timeline.build_timeline): payment and shipping appear when their
    step is done, so that the history never says more than the timeline. Shoppers see the messages addressed
    to them; `staff` also see internal notes and marketplace-only messages. `cancelled` is the order's
    cancelled units (actions.cancelled_units), read by the caller, who shows them beside the items too.
    """
    done = {step.name: step for step in steps if step.state == "done"}
    entries = _status_changes(order, staff)
    if "paid" in done and order.paid_at is not None:
        entries.append(HistoryEntry(when=order.paid_at, kind="paid", invoice_number=order.invoice_number,
                                    invoice_url=done["paid"].invoice_url))
    link = done["shipped"].tracking if "shipped" in done else None
    if "shipped" in done and order.shipped_at is not None:
        shown_code = link is not None and link.kind in (trackers.TrackingKind.correios, trackers.TrackingKind.none)
        entries.append(HistoryEntry(when=order.shipped_at, kind="shipped", carrier=order.carrier,
                                    shipping_code=order.shipping_code if shown_code else None))
    carrier = {}
    if link is not None and link.kind is trackers.TrackingKind.correios:
        history = tracking_refresh.stored_history(link.code)
        entries += _carrier_events(history.events)
        carrier = {"carrier_code": link.code, "carrier_refreshing": history.refreshing,
                   "carrier_available": history.available or history.refreshing}
    if order.carrier_delivered_at is not None and not any(entry.delivered for entry in entries):
        entries.append(HistoryEntry(when=order.carrier_delivered_at, kind="carrier", delivered=True))
    entries += _messages(order, staff)
    for row in (cancelled.rows if cancelled else ()):
        entries.append(HistoryEntry(when=row.created_at, kind="unit_cancelled", item_name=row.order_item.name,
                                    item_sku=row.order_item.sku, quantity=row.quantity,
                                    ticket_number=row.ticket.number, reason=row.reason if staff else None))
    entries.sort(key=lambda entry: (_utc(entry.when), _ORDER[entry.kind]), reverse=True)
    return OrderHistory(entries=entries, **carrier)


# Between entries of the same moment, the later kind is listed first (newest first).
_ORDER = {"placed": 0, "status": 1, "paid": 2, "shipped": 3, "carrier": 4, "unit_cancelled": 5, "message": 6}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _status_changes(order, staff: bool) -> list[HistoryEntry]:
    """The placing (with the order's first status) and each recorded change of status after it."""
    entries, first = [], True
    for change in order.history:
        status = change.to_status
        kind = "placed" if first and change.from_status_id is None else "status"
        first = False
        entries.append(HistoryEntry(
            when=order.placed_at if kind == "placed" else change.changed_at, kind=kind,
            status_type=status.effective_type,
            status_name=status.name if staff or status.shown_to_customer else None))
    if not entries or entries[0].kind != "placed":
        entries.insert(0, HistoryEntry(when=order.placed_at, kind="placed"))
    return entries


def _carrier_events(events: list[dict]) -> list[HistoryEntry]:
    entries = []
    for event in events:
        try:
            when = datetime.fromisoformat(event.get("when") or "")
        except (TypeError, ValueError):
            continue
        entries.append(HistoryEntry(when=when, kind="carrier", description=event.get("description"),
                                    detail=event.get("detail"), place=event.get("place"),
                                    delivered=carrier_delivery.is_delivery(event)))
    return entries


def _messages(order, staff: bool) -> list[HistoryEntry]:
    """The newest messages of the order's tickets the viewer may read, in one query (plain rows, no objects)."""
    query = (db.select(TicketMessage.id, TicketMessage.created_at, TicketMessage.author_kind,
                       TicketMessage.visibility, TicketMessage.body_html, Ticket.number, Ticket.subject)
             .join(Ticket, TicketMessage.ticket_id == Ticket.id)
             .where(Ticket.order_id == order.id)
             .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc()).limit(MAX_MESSAGES))
    if not staff:
        query = query.where(TicketMessage.visibility == Visibility.customer)
    return [HistoryEntry(when=row.created_at, kind="message", ticket_number=row.number,
                         ticket_subject=row.subject, message_id=row.id, author_kind=row.author_kind,
                         visibility=row.visibility, body_html=row.body_html)
            for row in db.session.execute(query)]
