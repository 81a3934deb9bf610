"""Apply an integrated marketplace's webhook events to its tickets, once each, in whatever order they arrive.

Every event carries its ticket block, so whichever event comes first creates the ticket (the unique
(channel, marketplace ticket code) keeps it one); a message is added once per marketplace message id;
an event id already recorded changes nothing. The status effect of an event (a message makes the ticket
open, a status change sets the status) applies only when the event happened after the newest one applied
(`Ticket.marketplace_state_at`): an older event delivered late adds its message but leaves the state alone.
See docs/integrations.md.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.errors import NotFound, ValidationError
from ..extensions import db
from ..models import AuthorKind, Channel, IntegrationEvent, Order, Ticket, TicketMessage, TicketStatus, Visibility
from ..tickets import events
from ..tickets.common import (
    add_message,
    clock_for_customer_message,
    flush,
    now,
    pause_clock,
    resume_clock,
    start_clock,
)
from ..tickets.lifecycle import _new_ticket, close_ticket, create_channel_ticket
from . import secrets as channel_secrets
from . import signing

TICKET_CREATED = "ticket.created"
MESSAGE_CREATED = "message.created"
STATUS_CHANGED = "ticket.status_changed"
EVENT_TYPES = (TICKET_CREATED, MESSAGE_CREATED, STATUS_CHANGED)

APPLIED = "applied"
DUPLICATE = "duplicate"
STALE = "stale"

# Fields named by the ticket verbs, as paths in the webhook payload.
_PAYLOAD_FIELDS = {"subject": "ticket.subject", "body": "message.body", "marketplace_ticket_code": "ticket.id"}
# A request for a code that is no integrated channel is checked against this throwaway secret and then refused as
# badly signed: the same work and the same answer as a wrong signature, so channel codes cannot be probed.
DECOY_SECRET = signing.new_secret()


class UnknownOrder(NotFound):
    code = "unknown_order"


@dataclass(frozen=True)
class InboundMessage:
    id: str
    body: str


@dataclass(frozen=True)
class InboundEvent:
    event_id: str
    type: str
    occurred_at: datetime
    ticket_code: str
    order_ref: str
    subject: str | None = None
    message: InboundMessage | None = None
    status: TicketStatus | None = None


@dataclass(frozen=True)
class Outcome:
    result: str
    ticket: Ticket | None


def integrated_channel(code: str) -> Channel | None:
    """Return the active integrated marketplace channel with this code, or None."""
    channel = None
    if 0 < len(code) <= 50 and "\x00" not in code:  # no code holds a NUL (and PostgreSQL refuses to look one up)
        channel = db.session.scalar(select(Channel).where(Channel.code == code))
    if channel is None or not channel.is_integrated or not channel.active:
        return None
    return channel


def webhook_secrets(channel: Channel | None) -> list[str]:
    """Return the secrets that may sign the channel's webhooks; for no channel, the decoy (refused anyway)."""
    return channel_secrets.accepted_secrets(channel) if channel is not None else [DECOY_SECRET]


def find_order(channel: Channel, reference: str) -> Order:
    """Return the channel's order with this marketplace order number, else with this site number."""
    for column in (Order.marketplace_order_number, Order.number):
        order = db.session.scalar(
            select(Order).where(Order.channel_id == channel.id, column == reference).order_by(Order.id).limit(1))
        if order is not None:
            return order
    raise UnknownOrder(_l("There is no order with this number on this channel."), field="ticket.order")


def apply_event(channel: Channel, event: InboundEvent, request_id: str | None) -> Outcome:
    """Apply the event to its ticket and record it; an event id already recorded changes nothing."""
    seen = db.session.scalar(select(IntegrationEvent).where(
        IntegrationEvent.channel_id == channel.id, IntegrationEvent.event_id == event.event_id))
    if seen is not None:
        return Outcome(DUPLICATE, db.session.get(Ticket, seen.ticket_id) if seen.ticket_id else None)
    try:
        ticket, result = _apply(channel, event)
    except ValidationError as error:
        error.field = _PAYLOAD_FIELDS.get(error.field, error.field)
        raise
    db.session.add(IntegrationEvent(channel_id=channel.id, event_id=event.event_id, kind=event.type,
                                    ticket_id=ticket.id, request_id=request_id, received_at=now()))
    flush()
    return Outcome(result, ticket)


def _apply(channel: Channel, event: InboundEvent) -> tuple[Ticket, str]:
    order = find_order(channel, event.order_ref)
    ticket = db.session.scalar(select(Ticket).where(
        Ticket.channel_id == channel.id, Ticket.marketplace_ticket_code == event.ticket_code))
    if ticket is not None and ticket.order_id != order.id:
        raise ValidationError(_l("This ticket belongs to another order."), field="ticket.order")
    if ticket is None:
        ticket = _create(order, channel, event)
        if event.type == STATUS_CHANGED:
            _change_status(ticket, event)
        return ticket, APPLIED
    if event.type == STATUS_CHANGED:
        return ticket, _change_status(ticket, event)
    if event.message is not None and _add_message(ticket, event):
        return ticket, APPLIED
    return ticket, DUPLICATE


def _is_newer(ticket: Ticket, event: InboundEvent) -> bool:
    return ticket.marketplace_state_at is None or event.occurred_at > ticket.marketplace_state_at


def _create(order: Order, channel: Channel, event: InboundEvent) -> Ticket:
    """Create the ticket from the event's ticket block, with the event's message when it has one."""
    if not event.subject:
        raise ValidationError(_l("Send the subject: this ticket does not exist yet."), field="ticket.subject")
    if event.message is None:
        ticket = _new_ticket(order, channel, event.subject, None, event.ticket_code)
        if event.type != STATUS_CHANGED:
            ticket.marketplace_state_at = event.occurred_at
        flush()
        events.opened(ticket, None)
        flush()
    else:
        ticket = create_channel_ticket(
            order, channel, event.subject, event.message.body, event.ticket_code, message_id=event.message.id,
            state_at=event.occurred_at if event.type != STATUS_CHANGED else None)
    return ticket


def _add_message(ticket: Ticket, event: InboundEvent) -> bool:
    """Add the marketplace's message unless its id is already on the ticket; say whether it was added."""
    external_id = event.message.id
    if db.session.scalar(select(TicketMessage.id).where(
            TicketMessage.ticket_id == ticket.id, TicketMessage.external_id == external_id)) is not None:
        return False
    moment = now()
    before = ticket.status
    message = add_message(ticket, None, AuthorKind.marketplace, Visibility.customer, event.message.body,
                          moment=moment)
    message.external_id = external_id
    if _is_newer(ticket, event):
        if before is TicketStatus.waiting:
            clock_for_customer_message(ticket, moment)
        elif before is TicketStatus.closed:
            ticket.closed_at = None
            start_clock(ticket, moment)
        ticket.marketplace_state_at = event.occurred_at
    ticket.updated_at = moment
    flush()
    if before is TicketStatus.closed and ticket.status is TicketStatus.open:
        events.reopened(ticket, None, message.id)
    else:
        events.message(ticket, None, message.id, Visibility.customer.value, before, ticket.status)
    flush()
    return True


def _change_status(ticket: Ticket, event: InboundEvent) -> str:
    """Set the status the marketplace sent, unless a newer change was applied already."""
    if not _is_newer(ticket, event):
        return STALE
    ticket.marketplace_state_at = event.occurred_at
    before, target = ticket.status, event.status
    if target is TicketStatus.closed and before is not TicketStatus.closed:
        # The marketplace reported the closing itself: nothing to send back.
        close_ticket(ticket, None, notify_marketplace=False)
    elif target is not before:
        moment = now()
        if before is TicketStatus.closed:
            ticket.closed_at = None
            start_clock(ticket, moment)
            if target is TicketStatus.waiting:
                pause_clock(ticket, moment)
        elif target is TicketStatus.open:
            resume_clock(ticket, moment)
        else:
            pause_clock(ticket, moment)
        ticket.updated_at = moment
        _record_status(ticket, before, target)
    flush()
    return APPLIED


def _record_status(ticket: Ticket, before: TicketStatus, target: TicketStatus) -> None:
    if before is TicketStatus.closed and target is TicketStatus.open:
        events.reopened(ticket, None)
    else:
        events.status_changed(ticket, None, before, target)
