""""Minha conta": the shopper's personal data and address book, also kept by an operator serving them."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ...accounts import profile
from ...accounts.documents import format_document
from ...core.errors import DomainError, NotFound
from ...extensions import db
from ..forms import EmptyForm
from ..ticket_forms import csrf_failed
from . import bp
from .serving import operator as acting_operator
from .tickets import attach_error


class AccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    document = StringField(_l("CPF or CNPJ"), validators=[Optional(), Length(max=20)])


class AddressForm(FlaskForm):
    label = StringField(_l("Label (e.g. Home, Work)"), validators=[Optional(), Length(max=60)])
    name = StringField(_l("Recipient"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("CEP"), validators=[Optional(), Length(max=12)])
    street = StringField(_l("Street"), validators=[DataRequired(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=20)])
    complement = StringField(_l("Complement"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    state = StringField(_l("State"), validators=[Optional(), Length(max=3)])


def _owner():
    """The account these pages keep: the shopper's own, or the served customer's; staff have no such account."""
    if g.customer.role.is_staff:
        abort(403)
    return g.customer


def _status(form, error: DomainError | None = None) -> int:
    if error is not None:
        return error.status_code
    return (400 if csrf_failed(form) else 422) if form.is_submitted() else 200


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Show and change the name, phone and CPF/CNPJ; the e-mail address is shown, never changed here."""
    customer = _owner()
    form = AccountForm(data={"name": customer.name, "phone": customer.phone,
                             "document": format_document(customer.document)})
    error = None
    if form.validate_on_submit():
        try:
            profile.update_personal_data(customer, form.name.data, form.phone.data, form.document.data,
                                         operator=acting_operator())
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            error = exc
        else:
            db.session.commit()
            flash(_("Your details were saved."), "success")
            return redirect(url_for(".account"), 303)
    changed = profile.last_service_change(customer, ("account.update",))
    return render_template("customer/account.html", form=form, customer=customer,
                           service_change=changed), _status(form, error)


@bp.route("/account/addresses")
def addresses():
    """List the customer's addresses with the buttons to edit and delete them."""
    customer = _owner()
    changed = profile.last_service_change(customer, ("address.add", "address.update", "address.delete"))
    return render_template("customer/addresses.html", addresses=profile.customer_addresses(customer),
                           delete_form=EmptyForm(), service_change=changed)


def _address_or_404(address_id: int):
    try:
        return profile.get_address(_owner(), address_id)
    except NotFound:
        abort(404)


def _save_address(form, address=None):
    """Add or change an address from a valid form; return the error to show, or None once committed."""
    values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    try:
        if address is None:
            profile.add_address(g.customer, values, operator=acting_operator())
        else:
            profile.update_address(address, values, operator=acting_operator())
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc)
        return exc
    db.session.commit()
    return None


@bp.route("/account/addresses/new", methods=["GET", "POST"])
def new_address():
    _owner()
    form = AddressForm()
    error = None
    if form.validate_on_submit() and (error := _save_address(form)) is None:
        flash(_("Address added."), "success")
        return redirect(url_for(".addresses"), 303)
    return render_template("customer/address_form.html", form=form, address=None), _status(form, error)


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
def edit_address(address_id: int):
    address = _address_or_404(address_id)
    form = AddressForm(obj=address)
    error = None
    if form.validate_on_submit() and (error := _save_address(form, address)) is None:
        flash(_("Address saved."), "success")
        return redirect(url_for(".addresses"), 303)
    return render_template("customer/address_form.html", form=form, address=address), _status(form, error)


@bp.route("/account/addresses/<int:address_id>/delete", methods=["POST"])
def delete_address(address_id: int):
    address = _address_or_404(address_id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".addresses"), 303)
    profile.delete_address(address, operator=acting_operator())
    db.session.commit()
    flash(_("Address deleted."), "success")
    return redirect(url_for(".addresses"), 303)
