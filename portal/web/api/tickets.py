"""API routes for tickets that arrive through a channel: register one on an order, show one."""
from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...core.errors import NotFound
from ...extensions import db
from ...models import Channel, Ticket, TicketMessage, Visibility
from ...tickets import lifecycle as tickets
from ...tickets.numbers import normalise_ticket_number
from . import bp
from .schemas.tickets import Ticket as TicketReply
from .schemas.tickets import TicketInput
from .serializers import iso, store_timezone
from .spec import WRITE_ERRORS, operation
from .views import NUMBER, _load_order


def ticket_json(ticket: Ticket) -> dict:
    """Return the ticket with the messages the customer and the marketplace see."""
    zone = store_timezone()
    return {
        "number": ticket.number, "order": ticket.order.number, "channel": ticket.channel.code,
        "status": ticket.status.value, "subject": ticket.subject,
        "marketplace_ticket_code": ticket.marketplace_ticket_code, "escalated": ticket.escalated,
        "open_since": iso(ticket.open_since, zone), "due_at": iso(ticket.due_at, zone),
        "created_at": iso(ticket.created_at, zone), "updated_at": iso(ticket.updated_at, zone),
        "closed_at": iso(ticket.closed_at, zone),
        "messages": [
            {"author": m.author_kind.value, "visibility": m.visibility.value, "body_html": m.body_html,
             "created_at": iso(m.created_at, zone)}
            for m in ticket.messages if m.visibility is not Visibility.internal
        ],
    }


def _load_ticket(number: str) -> Ticket:
    digits = normalise_ticket_number(number[:40])
    ticket = digits and db.session.scalar(
        db.select(Ticket).where(Ticket.number == digits)
        .options(selectinload(Ticket.messages).selectinload(TicketMessage.attachments))
    )
    if not ticket:
        raise NotFound(_("There is no ticket with this number."), field="number")
    return ticket


def _channel(code: str | None, default: Channel) -> Channel:
    if code is None:
        return default
    channel = db.session.scalar(db.select(Channel).where(Channel.code == code))
    if channel is None:
        raise NotFound(_("There is no channel with this code."), field="channel")
    return channel


@bp.post("/orders/<number>/tickets")
@operation("createTicket", "Register a ticket on an order", body=TicketInput, path_parameters=NUMBER,
           responses={200: (TicketReply, "A ticket with this marketplace code already existed."),
                      201: (TicketReply, "Created; due_at is the channel's SLA.")},
           errors=(404, *WRITE_ERRORS))
def create_ticket(number: str, body: TicketInput):
    """Register a ticket on the order; the same marketplace ticket code twice answers the first ticket."""
    order = _load_order(number)
    channel = _channel(body.channel, order.channel)
    subject, message, code = body.subject, body.message, body.marketplace_ticket_code
    existing = code and db.session.scalar(
        db.select(Ticket).where(Ticket.channel_id == channel.id, Ticket.marketplace_ticket_code == code))
    ticket = existing or tickets.create_channel_ticket(order, channel, subject, message, code)
    db.session.commit()
    return jsonify(ticket_json(_load_ticket(ticket.number))), 200 if existing else 201


@bp.get("/tickets/<number>")
@operation("getTicket", "Show a ticket", responses={200: (TicketReply, "The ticket.")}, errors=(404,),
           path_parameters={"number": ("The ticket's 11 digits; spaces and dots are ignored.", 40)})
def get_ticket(number: str):
    """Show one ticket."""
    body = ticket_json(_load_ticket(number))
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)
