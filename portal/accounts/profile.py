""""Minha conta": a customer's personal data and address book, kept by the customer or an operator acting.

Changes an operator makes while acting are audited with the operator as the actor and the customer as
`on_behalf_of`. Nothing here changes an e-mail address or a password.
"""
import re

from flask_babel import lazy_gettext as _l

from ..core.errors import NotFound, ValidationError
from ..extensions import db
from ..models import AuditEntry, CustomerAddress, User
from . import audit
from .documents import digits_of, normalise_document

CEP = re.compile(r"\A(\d{5})-?(\d{3})\Z")
PHONE = re.compile(r"\A[0-9 ()+.-]{8,30}\Z")
STATE = re.compile(r"\A[A-Za-z]{2}\Z")
ADDRESS_FIELDS = ("label", "name", "street", "number", "complement", "district", "city", "state", "postal_code")
LIMITS = {"label": 60, "name": 200, "street": 200, "number": 20, "complement": 100, "district": 100, "city": 100}


def _audit(operator: User | None, customer: User, action: str, target: str, before=None, after=None) -> None:
    if operator is not None:
        audit.record(operator, action, target, before, after, on_behalf_of=customer)


def update_personal_data(customer: User, name: str, phone: str, document: str, operator: User | None = None):
    """Set the customer's name, phone and CPF/CNPJ (stored as digits; the check digits must be right)."""
    name, phone, document = (name or "").strip(), (phone or "").strip(), (document or "").strip()
    if not name:
        raise ValidationError(_l("Write your name."), field="name")
    if len(name) > 200:
        raise ValidationError(_l("Write at most %(max)d characters.", max=200), field="name")
    if phone and not PHONE.match(phone):
        raise ValidationError(_l("Write the phone number with its area code, e.g. (11) 91234-5678."), field="phone")
    digits = None
    if document:
        digits = normalise_document(document)
        if digits is None:
            kind = len(digits_of(document))
            raise ValidationError(_l("This CNPJ is not valid.") if kind == 14 else _l("This CPF is not valid."),
                                  field="document")
    before = {"name": customer.name, "phone": customer.phone, "document": customer.document}
    customer.name, customer.phone, customer.document = name, phone or None, digits
    old, new = audit.changes(before, {"name": name, "phone": phone or None, "document": digits})
    if new:
        _audit(operator, customer, "account.update", f"user:{customer.id}", old, new)
    db.session.flush()
    return customer


def _clean_address(values: dict) -> dict:
    clean = {key: (values.get(key) or "").strip() for key in ADDRESS_FIELDS}
    for key, limit in LIMITS.items():
        if len(clean[key]) > limit:
            raise ValidationError(_l("Write at most %(max)d characters.", max=limit), field=key)
    if not clean["street"]:
        raise ValidationError(_l("Write the street."), field="street")
    if not clean["city"]:
        raise ValidationError(_l("Write the city."), field="city")
    if clean["state"]:
        if not STATE.match(clean["state"]):
            raise ValidationError(_l("Write the state as two letters, e.g. SP."), field="state")
        clean["state"] = clean["state"].upper()
    if clean["postal_code"]:
        match = CEP.match(clean["postal_code"])
        if match is None:
            raise ValidationError(_l("Write the CEP as eight digits, e.g. 01001-000."), field="postal_code")
        clean["postal_code"] = f"{match.group(1)}-{match.group(2)}"
    return clean


def customer_addresses(customer: User) -> list[CustomerAddress]:
    return list(db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id)
                                   .order_by(CustomerAddress.id)))


def get_address(customer: User, address_id: int) -> CustomerAddress:
    """Return one of the customer's addresses; another customer's is as missing as one that does not exist."""
    address = db.session.get(CustomerAddress, address_id)
    if address is None or address.user_id != customer.id:
        raise NotFound(_l("We could not find this address."))
    return address


def _values(address: CustomerAddress) -> dict:
    return {key: getattr(address, key) for key in ADDRESS_FIELDS}


def add_address(customer: User, values: dict, operator: User | None = None) -> CustomerAddress:
    address = CustomerAddress(user_id=customer.id, country="BR", **_clean_address(values))
    db.session.add(address)
    db.session.flush()
    _audit(operator, customer, "address.add", f"address:{address.id}", None, _values(address))
    return address


def update_address(address: CustomerAddress, values: dict, operator: User | None = None) -> CustomerAddress:
    clean = _clean_address(values)
    old, new = audit.changes(_values(address), clean)
    for key, value in clean.items():
        setattr(address, key, value)
    if new:
        _audit(operator, address.user, "address.update", f"address:{address.id}", old, new)
    db.session.flush()
    return address


def delete_address(address: CustomerAddress, operator: User | None = None) -> None:
    _audit(operator, address.user, "address.delete", f"address:{address.id}", _values(address), None)
    db.session.delete(address)
    db.session.flush()


def last_service_change(customer: User, actions: tuple[str, ...]) -> AuditEntry | None:
    """The latest of these changes an operator made for the customer ("pela central de atendimento")."""
    return db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.on_behalf_of_id == customer.id, AuditEntry.action.in_(actions))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(1))
