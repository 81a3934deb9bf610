"""The shopper's "Change delivery address" page of an order: one of their addresses or a new one, until shipping."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from ... import access
from ...accounts import profile
from ...core.errors import Conflict, DomainError
from ...extensions import db
from ...orders import delivery_address
from ..forms import VersionField
from . import bp
from .account import UF_CHOICES
from .serving import operator as acting_operator
from .tickets import attach_error

NEW = "new"


class OrderAddressForm(FlaskForm):
    """Pick a saved address or write a new one; the service checks the new one as the address book does."""

    address = RadioField(_l("Deliver to"), choices=[], validate_choice=False)
    version = VersionField(validators=[Optional()])
    name = StringField(_l("Recipient"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("CEP"), validators=[Optional(), Length(max=12)])
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=20)])
    complement = StringField(_l("Complement"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("State (UF)"), choices=UF_CHOICES, validate_choice=False)

    def address_values(self) -> dict:
        return {name: self[name].data for name in profile.ADDRESS_FIELDS if name in self}


@bp.app_template_global()
def can_change_delivery_address(order) -> bool:
    """Whether the order page offers "Change delivery address" (the store has not shipped the order yet)."""
    return delivery_address.can_change(order)


def _form(order, addresses) -> OrderAddressForm:
    form = OrderAddressForm()
    form.address.choices = [(str(row.id), row.label or row.street) for row in addresses] + [(NEW, _("A new address"))]
    if request.method == "GET":
        default = next((row for row in addresses if row.is_default), None)
        form.address.data = str(default.id) if default else NEW
        form.version.data = order.address_version
    return form


def _save(form, order) -> DomainError | None:
    choice = form.address.data or NEW
    try:
        delivery_address.change_address(order, g.customer, form.version.data,
                                        address_id=None if choice == NEW else choice,
                                        values=form.address_values() if choice == NEW else None,
                                        operator=acting_operator())
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, Conflict) and exc.field == "version":
            form.version.raw_data, form.version.data = None, order.address_version  # reloaded after the rollback
            form.form_errors.append(str(exc.message))
        else:
            attach_error(form, exc)
        return exc
    db.session.commit()
    return None


@bp.route("/orders/<number>/address", methods=["GET", "POST"])
def order_address(number: str):
    """Change where the order goes while the store has not shipped it; otherwise say why not."""
    if g.customer.role.is_staff:
        abort(403)  # staff change an order's address as the customer they serve, never as themselves
    order = access.get_order_or_404(number, g.customer)
    addresses = profile.customer_addresses(g.customer)
    form = _form(order, addresses)
    error = None
    if form.validate_on_submit():
        if (error := _save(form, order)) is None:
            flash(_("The delivery address of order %(number)s was changed.", number=order.number), "success")
            return redirect(url_for(".order", number=order.number), 303)
    refusal = delivery_address.refusal(order)
    status = error.status_code if error else (400 if form.is_submitted() else 200)
    return render_template("customer/order_address.html", order=order, form=form, addresses=addresses,
                           refusal=refusal, conflict=isinstance(error, Conflict) and error.field == "version"), status
