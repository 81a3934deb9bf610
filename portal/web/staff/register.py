"""Register by hand a ticket a non-integrated marketplace opened in its own seller portal."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...core.errors import DomainError
from ...extensions import db
from ...marketplaces import manual as manual_tickets
from ...models import Ticket
from ...tickets import lifecycle as tickets
from ..ticket_forms import MAX_BODY, csrf_failed
from . import bp
from .workspace import attach_error


class RegisterTicketForm(FlaskForm):
    order = StringField(_l("Order"), validators=[DataRequired(), Length(max=80)])
    channel = SelectField(_l("Marketplace"), coerce=lambda value: int(value) if value else None,
                          validate_choice=True)
    marketplace_ticket_code = StringField(_l("The marketplace's ticket code"),
                                          validators=[DataRequired(), Length(max=80)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    message = TextAreaField(_l("The customer's question"), validators=[DataRequired(), Length(max=MAX_BODY)])


def show_existing(ticket: Ticket):
    flash(_("The ticket %(code)s of %(channel)s is already registered: here it is.",
            code=ticket.marketplace_ticket_code, channel=ticket.channel.name), "info")
    return redirect(url_for(".ticket", ticket_number=ticket.number))


def render_register(form, status: int = 200):
    return render_template("staff/register.html", form=form), status


@bp.route("/tickets/new", methods=["GET", "POST"])
def register_ticket():
    """Register a marketplace's ticket in the queue, with the channel's SLA; a known code shows its ticket."""
    form = RegisterTicketForm()
    form.channel.choices = [("", _("The order's marketplace"))] + [
        (c.id, c.name) for c in manual_tickets.registrable_channels()]
    if not form.validate_on_submit():
        return render_register(form, (400 if csrf_failed(form) else 422) if form.is_submitted() else 200)
    try:
        order, channel = manual_tickets.resolve(form.order.data, form.channel.data)
        if (found := manual_tickets.existing_ticket(channel, form.marketplace_ticket_code.data)) is not None:
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
        found = manual_tickets.existing_ticket(channel, form.marketplace_ticket_code.data)
        return show_existing(found) if found else render_register(form, 409)
    flash(_("Ticket %(number)s registered.", number=ticket.number), "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number))
