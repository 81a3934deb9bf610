"""Registering by hand a ticket that a non-integrated marketplace opened in its own seller portal."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from ..core.errors import ValidationError
from ..extensions import db
from ..models import Channel, Order, Ticket

AMBIGUOUS_SHOWN = 5


def registrable_channels() -> list[Channel]:
    """Return the active marketplaces whose tickets staff register by hand (integrated ones arrive by webhook)."""
    return list(db.session.scalars(
        db.select(Channel).where(Channel.is_marketplace.is_(True), Channel.active.is_(True),
                                 Channel.integrated.is_(False))
        .order_by(Channel.name)))


def find_order(reference: str, channel: Channel | None) -> Order:
    """Return the one order with this site, marketplace or delivery number; the chosen channel breaks a tie."""
    text = reference.strip()
    found = list(db.session.scalars(
        db.select(Order).options(selectinload(Order.channel))
        .where(or_(Order.number == text, Order.marketplace_order_number == text, Order.delivery_number == text))
        .order_by(Order.number).limit(AMBIGUOUS_SHOWN + 1)))
    if len(found) > 1 and channel is not None:
        found = [order for order in found if order.channel_id == channel.id] or found
    if not found:
        raise ValidationError(_l("No order has this number. Type the site order number, the marketplace's order "
                                 "number or the delivery number."), field="order")
    if len(found) > 1:
        numbers = ", ".join(order.number for order in found[:AMBIGUOUS_SHOWN])
        raise ValidationError(_l("Several orders have this number (site orders %(numbers)s): type the site order "
                                 "number, or choose the marketplace.", numbers=numbers), field="order")
    return found[0]


def existing_ticket(channel: Channel, code: str) -> Ticket | None:
    return db.session.scalar(db.select(Ticket).where(Ticket.channel_id == channel.id,
                                                     Ticket.marketplace_ticket_code == code.strip()))


def resolve(reference: str, channel_id: int | None) -> tuple[Order, Channel]:
    """Return the order and the marketplace channel the ticket belongs to; the chosen channel wins."""
    chosen = db.session.get(Channel, channel_id) if channel_id else None
    order = find_order(reference, chosen)
    channel = chosen or order.channel
    if not channel.is_marketplace:
        raise ValidationError(_l("This order was placed in the store itself: choose the marketplace the ticket "
                                 "came from."), field="channel")
    if channel.is_integrated:
        raise ValidationError(_l("%(channel)s sends its tickets to the portal by itself: they are already in the "
                                 "queue.", channel=channel.name), field="channel")
    return order, channel
