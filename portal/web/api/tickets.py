"""API routes for tickets that arrive through a channel: register one on an order, show one."""
from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...core.errors import NotFound, ValidationError
from ...extensions import db
from ...models import Channel, Ticket, TicketMessage, Visibility
from ...tickets import lifecycle as tickets
from ...tickets.numbers import normalise_ticket_number
from . import bp, schemas
from .serializers import iso, store_timezone
from .views import _load_order

TICKET_FIELDS = frozenset({"subject", "message", "channel", "marketplace_ticket_code"})


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
def create_ticket(number: str):
    """Register a ticket on the order; the same marketplace ticket code twice answers the first ticket."""
    order = _load_order(number)
    body = schemas.json_body()
    for key in sorted(set(body) - TICKET_FIELDS):
        raise ValidationError(_("Unknown field."), field=key)
    subject = schemas.text(body.get("subject"), "subject", 200, required=True)
    message = schemas.text(body.get("message"), "message", 10_000, required=True, multiline=True)
    channel = _channel(schemas.text(body.get("channel"), "channel", 50), order.channel)
    code = schemas.text(body.get("marketplace_ticket_code"), "marketplace_ticket_code", 80)
    existing = code and db.session.scalar(
        db.select(Ticket).where(Ticket.channel_id == channel.id, Ticket.marketplace_ticket_code == code))
    ticket = existing or tickets.create_channel_ticket(order, channel, subject, message, code)
    db.session.commit()
    return jsonify(ticket_json(_load_ticket(ticket.number))), 200 if existing else 201


@bp.get("/tickets/<number>")
def get_ticket(number: str):
    """Show one ticket."""
    body = ticket_json(_load_ticket(number))
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)
