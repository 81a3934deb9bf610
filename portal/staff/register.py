"""Register by hand a ticket a non-integrated marketplace opened in its own seller portal."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..models import Channel, Order, Ticket
from ..services import tickets
from ..services.errors import DomainError, ValidationError
from ..ticket_forms import MAX_BODY, csrf_failed
from . import bp
from .workspace import attach_error

AMBIGUOUS_SHOWN = 5


class RegisterTicketForm(FlaskForm):
    order = StringField(_l("Order"), validators=[DataRequired(), Length(max=80)])
    channel = SelectField(_l("Marketplace"), coerce=lambda value: int(value) if value else None,
                          validate_choice=True)
    marketplace_ticket_code = StringField(_l("The marketplace's ticket code"),
                                          validators=[DataRequired(), Length(max=80)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(_l("The customer's question"), validators=[DataRequired(), Length(max=MAX_BODY)])


def marketplace_channels() -> list[Channel]:
    return list(db.session.scalars(
        db.select(Channel).where(Channel.is_marketplace.is_(True), Channel.active.is_(True))
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


def show_existing(ticket: Ticket):
    flash(_("The ticket %(code)s of %(channel)s is already registered: here it is.",
            code=ticket.marketplace_ticket_code, channel=ticket.channel.name), "info")
    return redirect(url_for(".ticket", ticket_number=ticket.number))


def render_register(form, status: int = 200):
    return render_template("staff/register.html", form=form), status


def _resolve(form) -> tuple[Order, Channel]:
    chosen = db.session.get(Channel, form.channel.data) if form.channel.data else None
    order = find_order(form.order.data, chosen)
    channel = chosen or order.channel
    if not channel.is_marketplace:
        raise ValidationError(_l("This order was placed in the store itself: choose the marketplace the ticket "
                                 "came from."), field="channel")
    return order, channel


@bp.route("/tickets/new", methods=["GET", "POST"])
def register_ticket():
    """Register a marketplace's ticket in the queue, with the channel's SLA; a known code shows its ticket."""
    form = RegisterTicketForm()
    form.channel.choices = [("", _("The order's marketplace"))] + [(c.id, c.name) for c in marketplace_channels()]
    if not form.validate_on_submit():
        return render_register(form, (400 if csrf_failed(form) else 422) if form.is_submitted() else 200)
    try:
        order, channel = _resolve(form)
        if (found := existing_ticket(channel, form.marketplace_ticket_code.data)) is not None:
            return show_existing(found)
        ticket = tickets.create_channel_ticket(order, channel, form.subject.data, form.message.data,
                                               form.marketplace_ticket_code.data, user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_register(form, error.status_code)
    except IntegrityError:
        # Someone registered the same code between the check and the insert.
        db.session.rollback()
        found = existing_ticket(channel, form.marketplace_ticket_code.data)
        return show_existing(found) if found else render_register(form, 409)
    flash(_("Ticket %(number)s registered.", number=ticket.number), "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number))
