""""Minha conta": the shopper's personal data and address book, also kept by an operator serving them."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...accounts import profile
from ...accounts.documents import format_document
from ...core.errors import Conflict, DomainError, NotFound
from ...extensions import db
from ...models import CustomerAddress
from ..forms import EmptyForm, VersionField
from ..ticket_forms import csrf_failed
from . import bp
from .serving import operator as acting_operator
from .tickets import attach_error


class AccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    document = StringField(_l("CPF or CNPJ"), validators=[Optional(), Length(max=20)])


# The federative units' names, for the UF list (proper names: the same in every language).
UF_NAMES = {"AC": "Acre", "AL": "Alagoas", "AP": "Amapá", "AM": "Amazonas", "BA": "Bahia", "CE": "Ceará",
            "DF": "Distrito Federal", "ES": "Espírito Santo", "GO": "Goiás", "MA": "Maranhão", "MT": "Mato Grosso",
            "MS": "Mato Grosso do Sul", "MG": "Minas Gerais", "PA": "Pará", "PB": "Paraíba", "PR": "Paraná",
            "PE": "Pernambuco", "PI": "Piauí", "RJ": "Rio de Janeiro", "RN": "Rio Grande do Norte",
            "RS": "Rio Grande do Sul", "RO": "Rondônia", "RR": "Roraima", "SC": "Santa Catarina", "SP": "São Paulo",
            "SE": "Sergipe", "TO": "Tocantins"}
UF_CHOICES = [("", _l("Choose the state"))] + [(uf, f"{uf} – {UF_NAMES[uf]}") for uf in profile.UFS]


class AddressFields(FlaskForm):
    """The fields of an address (the address book's form and the order's new-address form)."""

    name = StringField(_l("Recipient"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("CEP"), validators=[DataRequired(), Length(max=12)])
    street = StringField(_l("Street"), validators=[DataRequired(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=20)])
    complement = StringField(_l("Complement"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    # Any value reaches the service, which refuses what is not one of the 27 UFs with its own message.
    state = SelectField(_l("State (UF)"), choices=UF_CHOICES, validate_choice=False)

    def address_values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}


class AddressForm(AddressFields):
    label = StringField(_l("Label (e.g. Home, Work)"), validators=[Optional(), Length(max=60)])
    version = VersionField(validators=[Optional()])


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
    return render_template("customer/account.html", form=form, customer=customer, order_mail_form=EmptyForm(),
                           service_change=changed), _status(form, error)


@bp.route("/account/addresses")
def addresses():
    """List the customer's addresses with the buttons to edit and delete them."""
    customer = _owner()
    changed = profile.last_service_change(customer, ("address.add", "address.update", "address.delete",
                                                     "address.default"))
    return render_template("customer/addresses.html", addresses=profile.customer_addresses(customer),
                           delete_form=EmptyForm(), service_change=changed)


def _address_or_404(address_id: int):
    try:
        return profile.get_address(_owner(), address_id)
    except NotFound:
        abort(404)


def _save_address(form, address=None):
    """Add or change an address from a valid form; return the error to show, or None once committed.

    A stale version keeps the user's entries and offers the version saved meanwhile, so that saving again wins.
    """
    values = form.address_values()
    address_id = address.id if address is not None else None
    try:
        if address is None:
            profile.add_address(g.customer, values, operator=acting_operator())
        else:
            profile.update_address(address, values, form.version.data, operator=acting_operator())
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, Conflict) and address_id is not None:
            current = db.session.get(CustomerAddress, address_id)
            if current is None:
                abort(404)
            form.version.raw_data, form.version.data = None, current.version
            form.form_errors.append(str(exc.message))
        else:
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
    form = AddressForm(obj=address) if request.method == "GET" else AddressForm()  # the version is the form's
    error = None
    if form.validate_on_submit() and (error := _save_address(form, address)) is None:
        flash(_("Address saved."), "success")
        return redirect(url_for(".addresses"), 303)
    conflict = address if isinstance(error, Conflict) else None
    return render_template("customer/address_form.html", form=form, address=address,
                           conflict=conflict), _status(form, error)


@bp.route("/account/addresses/<int:address_id>/default", methods=["POST"])
def default_address(address_id: int):
    """Make the address the one new orders and the delivery-address form offer first."""
    address = _address_or_404(address_id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".addresses"), 303)
    profile.set_default_address(address, operator=acting_operator())
    db.session.commit()
    flash(_("Default address chosen."), "success")
    return redirect(url_for(".addresses"), 303)


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
