"""Verbs on tickets: open, reply, close, reopen, and what the thread and text modules need.

Status rules (DESIGN.md section 5): a ticket opens `open`; a customer or marketplace message makes it
`open` again; a staff answer to the customer or to the marketplace makes it `waiting` (an internal note
changes nothing); staff cannot answer a closed ticket without reopening it; a shopper's reply reopens a
closed ticket within REOPEN_DAYS of its closing, later they are asked to open a new one.

SLA: `due_at` is the channel's SLA from when the ticket became open; while `waiting` the clock is paused
(`due_at` None, the time left kept in `sla_remaining_seconds`). A customer message after a staff answer
starts a fresh SLA ("next reply"); a ticket paused without an answer resumes with the time left, or with
the full SLA when none was left (see docs/tickets.md).

Every verb flushes and never commits; each writes exactly one TicketEvent. A stale `expected_version`
raises StaleTicket before anything is written; a race lost to another process is caught at flush by the
ticket's version column and raises StaleTicket too, after which the caller must roll back. The shopper is
e-mailed when the store answers them, and an integrated marketplace is told of staff answers and closings:
both are outbox rows written with the answer, handed to the queue only after the view commits; a failure
to queue or send them is recorded on the row without touching the committed answer.
"""
import re
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ..core import outbox
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import AuthorKind, Channel, Order, StoreSettings, Ticket, TicketReason, TicketStatus, Visibility
from ..models.tickets import REOPEN_DAYS
from . import events, signals, survey
from .actions import cancel_unit, cancelled_units, escalate_ticket, forward_ticket, refund, refunded_total, take_ticket
from .common import (
    StaleTicket,
    add_message,
    attachments_dir,
    check_version,
    clock_for_customer_message,
    flush,
    now,
    pause_clock,
    record_first_response,
    start_clock,
    stop_clock,
)
from .mail import answer_mail, closed_mail, received_mail, shopper_mailed
from .numbers import new_ticket_number

__all__ = [
    "StaleTicket", "attachments_dir", "cancel_unit", "cancelled_units", "close_ticket", "create_channel_ticket",
    "escalate_ticket", "expected_delivery", "fill_placeholders", "forward_ticket", "open_follow_up",
    "open_proactive_ticket",
    "open_ticket", "refund", "refunded_total", "reopen_ticket", "reply_as_customer", "reply_as_staff", "take_ticket",
]

MAX_SUBJECT = 200
MAX_CODE = 80


def _unused_number() -> str:
    for _attempt in range(10):
        number = new_ticket_number()
        if db.session.scalar(db.select(Ticket.id).where(Ticket.number == number)) is None:
            return number
    raise Conflict(_l("Could not allocate a ticket number. Please try again."))


def _subject(subject: str | None) -> str:
    text = " ".join((subject or "").split())
    if not text:
        raise ValidationError(_l("Write a subject."), field="subject")
    if len(text) > MAX_SUBJECT:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_SUBJECT), field="subject")
    return text


def _new_ticket(order: Order, channel: Channel, subject: str, reason: TicketReason | None,
                code: str | None) -> Ticket:
    moment = now()
    ticket = Ticket(number=_unused_number(), order=order, channel=channel, customer_id=order.customer_id,
                    reason=reason, subject=_subject(subject), marketplace_ticket_code=code or None,
                    created_at=moment, updated_at=moment)
    start_clock(ticket, moment)
    db.session.add(ticket)
    return ticket


def open_ticket(order: Order, user, reason_id: int | None, subject: str, body: str, uploads=(),
                operator=None) -> Ticket:
    """Open a ticket on the order's channel for its shopper, with their first message.

    `operator` is the call-centre operator who opens it while acting for the shopper.
    """
    reason = db.session.get(TicketReason, reason_id) if reason_id is not None else None
    if reason is None or not reason.active:
        raise ValidationError(_l("Choose a reason from the list."), field="reason")
    ticket = _new_ticket(order, order.channel, subject, reason, None)
    ticket.opened_by_operator = operator
    message = add_message(ticket, user, AuthorKind.customer, Visibility.customer, body, uploads,
                          moment=ticket.created_at, operator=operator)
    flush()
    event = events.opened(ticket, user, message.id)
    flush()
    _confirm(ticket, event)
    return ticket


def create_channel_ticket(order: Order, channel: Channel, subject: str, body: str,
                          marketplace_ticket_code: str | None, user=None, *, message_id: str | None = None,
                          state_at: datetime | None = None) -> Ticket:
    """Register a ticket that arrived through a channel (a marketplace's, or typed in by staff).

    A marketplace's delivery gives its message's id and the moment of the ticket's state there; both are
    written with the rows, not after them.
    """
    code = (marketplace_ticket_code or "").strip()
    if len(code) > MAX_CODE:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_CODE), field="marketplace_ticket_code")
    ticket = _new_ticket(order, channel, subject, None, code)
    ticket.marketplace_state_at = state_at
    kind = AuthorKind.marketplace if channel.is_marketplace else AuthorKind.customer
    message = add_message(ticket, user, kind, Visibility.customer, body, moment=ticket.created_at)
    message.external_id = message_id
    flush()
    event = events.opened(ticket, user, message.id)
    flush()
    _confirm(ticket, event)
    return ticket


def _confirm(ticket: Ticket, event) -> None:
    """Confirm a new ticket to its shopper (store channels, the merchant's switch on)."""
    if StoreSettings.get().mail_ticket_received is not False and shopper_mailed(ticket):
        outbox.queue_email(**received_mail(ticket, event.id), ticket=ticket)


def open_proactive_ticket(order: Order, channel: Channel, subject: str, body: str, reason: TicketReason | None,
                          cause: str) -> Ticket:
    """Open a ticket the store starts itself (no user acts), with the store's message to the shopper.

    It opens `open`, so that staff see it in the queue; `cause` says why (such as "late_order").
    """
    ticket = _new_ticket(order, channel, subject, reason, None)
    message = add_message(ticket, None, AuthorKind.system, Visibility.customer, body, moment=ticket.created_at)
    flush()
    events.opened_proactively(ticket, message.id, cause)
    flush()
    return ticket


def can_reopen_by_reply(ticket: Ticket) -> bool:
    """Say whether a shopper's reply may still reopen the ticket."""
    if ticket.status is not TicketStatus.closed:
        return True
    return ticket.closed_at is None or now() - ticket.closed_at <= timedelta(days=REOPEN_DAYS)


def reply_as_customer(ticket: Ticket, user, body: str, uploads=(), operator=None):
    """Add the shopper's message: a waiting ticket becomes open, a recently closed one is reopened.

    `operator` is the call-centre operator who writes it while acting for the shopper.
    """
    if not can_reopen_by_reply(ticket):
        raise Conflict(_l("This ticket was closed more than %(days)d days ago. Please open a new ticket about "
                          "this order.", days=REOPEN_DAYS), field="body")
    moment = now()
    before = ticket.status
    message = add_message(ticket, user, AuthorKind.customer, Visibility.customer, body, uploads, moment,
                          operator=operator)
    if before is TicketStatus.waiting:
        clock_for_customer_message(ticket, moment)
    elif before is TicketStatus.closed:
        ticket.closed_at = None
        start_clock(ticket, moment)
    ticket.updated_at = moment
    flush(body)
    if before is TicketStatus.closed:
        events.reopened(ticket, user, message.id)
    else:
        events.message(ticket, user, message.id, Visibility.customer.value, before, ticket.status)
    flush(body)
    return message


def open_follow_up(previous: Ticket, user, body: str, uploads=()) -> Ticket:
    """Open a new ticket continuing `previous`, closed too long ago for the shopper's answer to reopen it.

    It is about the same order, on the same channel, for the same reason, and links back to `previous`.
    """
    ticket = _new_ticket(previous.order, previous.channel, previous.subject, previous.reason, None)
    ticket.previous_ticket = previous
    message = add_message(ticket, user, AuthorKind.customer, Visibility.customer, body, uploads,
                          moment=ticket.created_at)
    flush(body)
    events.opened_as_follow_up(ticket, user, message.id, previous)
    flush(body)
    return ticket


def reply_as_staff(ticket: Ticket, user, body: str, visibility: Visibility, uploads=(), *,
                   expected_version: int | None):
    """Answer the customer, the marketplace only, or leave an internal note; answers make the ticket waiting."""
    check_version(ticket, expected_version, body)
    if ticket.status is TicketStatus.closed:
        raise Conflict(_l("This ticket is closed. Reopen it before answering."), field="body")
    visibility = Visibility(visibility)
    if visibility is Visibility.marketplace and not ticket.channel.is_marketplace:
        raise ValidationError(_l("This ticket did not come from a marketplace."), field="visibility")
    moment = now()
    before = ticket.status
    message = add_message(ticket, user, AuthorKind.staff, visibility, body, uploads, moment)
    if visibility is not Visibility.internal:
        record_first_response(ticket, moment, user)
        pause_clock(ticket, moment)
    ticket.updated_at = moment
    flush(body)
    events.message(ticket, user, message.id, visibility.value, before, ticket.status)
    flush(body)
    if visibility is Visibility.customer:
        outbox.queue_email(**answer_mail(ticket, message), ticket=ticket, message=message)
    signals.message_added.send(ticket, actor=user, message=message)
    return message


def close_ticket(ticket: Ticket, user, expected_version: int | None = None, *,
                 notify_marketplace: bool = True) -> Ticket:
    """Close the ticket (staff, its shopper, or the marketplace with no user) and record who closed it.

    A staff closing on an integrated channel is delivered to the marketplace unless `notify_marketplace`
    is False (a closing the marketplace itself reported).
    """
    check_version(ticket, expected_version)
    if ticket.status is TicketStatus.closed:
        raise Conflict(_l("This ticket is already closed."), field="status")
    before = ticket.status
    moment = now()
    stop_clock(ticket, moment)
    ticket.updated_at = moment
    event = events.closed(ticket, user, before)
    flush()
    # One mail per closing: the closing's own carries the survey's question when both are due.
    tell = StoreSettings.get().mail_ticket_closed is not False and shopper_mailed(ticket)
    asked = survey.ask(ticket, event, send_mail=not tell)
    if tell:
        outbox.queue_email(**closed_mail(ticket, event.id, asked), ticket=ticket)
    if notify_marketplace:
        signals.closed.send(ticket, actor=user, event=event)
    return ticket


def reopen_ticket(ticket: Ticket, user, expected_version: int | None = None) -> Ticket:
    """Reopen a closed ticket so that staff can answer it; the SLA starts again."""
    check_version(ticket, expected_version)
    if ticket.status is not TicketStatus.closed:
        raise Conflict(_l("This ticket is not closed."), field="status")
    if not user.is_staff and not can_reopen_by_reply(ticket):
        raise Conflict(_l("This ticket was closed more than %(days)d days ago. Please open a new ticket about "
                          "this order.", days=REOPEN_DAYS), field="status")
    moment = now()
    ticket.closed_at = None
    start_clock(ticket, moment)
    ticket.updated_at = moment
    events.reopened(ticket, user)
    flush()
    return ticket


def expected_delivery(order: Order) -> date | None:
    """Return the delivery date promised for the order, when the back office sent one (it does not yet)."""
    value = getattr(order, "expected_delivery_on", None)
    return value if isinstance(value, date) else None


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholder_values(ticket: Ticket) -> dict[str, str]:
    """Return what each text-module placeholder stands for on this ticket ('' when unknown)."""
    order = ticket.order
    promised = expected_delivery(order)
    return {
        "cliente": ticket.customer.name or "",
        "pedido": order.number,
        "pedido_marketplace": order.marketplace_order_number or "",
        "ticket": ticket.number,
        "rastreio": order.shipping_code or "",
        "previsao_entrega": format_date(promised) if promised else "",
    }


def fill_placeholders(text: str, ticket: Ticket) -> tuple[str, list[str]]:
    """Fill the placeholders; those without a value stay as {name} and are listed, in order, as missing."""
    values = placeholder_values(ticket)
    missing: list[str] = []

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        if not values[name]:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return values[name]

    return _PLACEHOLDER.sub(fill, text or ""), missing
