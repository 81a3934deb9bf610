""""Minha conta": a customer's personal data and address book, kept by the customer or an operator acting.

Every change is audited: the customer's own with the customer as the actor, an operator's while acting with
the operator as the actor and the customer as `on_behalf_of`; each is told to the back office
(`customer.updated`). An address carries a version, so that two tabs saving it never lose one silently, and
at most one address is the default (the first one added becomes it). E-mail and password: `credentials`.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..core.errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import AuditEntry, CustomerAddress, User
from . import audit, events
from .documents import digits_of, normalise_document

CEP = re.compile(r"\A(\d{5})-?(\d{3})\Z")
PHONE = re.compile(r"\A[0-9 ()+.-]{8,30}\Z")
# The 27 federative units (26 states and the Distrito Federal), as the Correios write them.
UFS = ("AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI",
       "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO")
ADDRESS_FIELDS = ("label", "name", "street", "number", "complement", "district", "city", "state", "postal_code")
LIMITS = {"label": 60, "name": 200, "street": 200, "number": 20, "complement": 100, "district": 100, "city": 100}


ADDRESS_CHANGED_MEANWHILE = _l("This address was changed meanwhile (in another tab or by customer service). "
                               "Check the address saved now and save again: your entries are kept below.")


def _audit(operator: User | None, customer: User, action: str, target: str, before=None, after=None) -> None:
    """Audit a change to the account (by the customer, or by the operator serving them) and tell the back office."""
    if operator is not None:
        audit.record(operator, action, target, before, after, on_behalf_of=customer)
    else:
        audit.record(customer, action, target, before, after)
    events.customer_updated(customer)


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
    clean["state"] = clean["state"].upper()
    if clean["state"] not in UFS:
        raise ValidationError(_l("Choose the state (UF) from the list."), field="state")
    match = CEP.match(clean["postal_code"])
    if match is None:
        raise ValidationError(_l("Write the CEP as eight digits, e.g. 01001-000."), field="postal_code")
    clean["postal_code"] = f"{match.group(1)}-{match.group(2)}"
    return clean


def clean_address(values: dict) -> dict:
    """Return the address fields trimmed, the UF upper-cased and the CEP as 00000-000; raise on a bad one."""
    return _clean_address(values)


def customer_addresses(customer: User) -> list[CustomerAddress]:
    return list(db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id)
                                   .order_by(CustomerAddress.is_default.desc(), CustomerAddress.id)))


def get_address(customer: User, address_id: int) -> CustomerAddress:
    """Return one of the customer's addresses; another customer's is as missing as one that does not exist."""
    address = db.session.get(CustomerAddress, address_id)
    if address is None or address.user_id != customer.id:
        raise NotFound(_l("We could not find this address."))
    return address


def _values(address: CustomerAddress) -> dict:
    return {key: getattr(address, key) for key in ADDRESS_FIELDS}


def _default_of(customer_id: int) -> CustomerAddress | None:
    return db.session.scalar(db.select(CustomerAddress).where(CustomerAddress.user_id == customer_id,
                                                              CustomerAddress.is_default.is_(True)).limit(1))


def add_address(customer: User, values: dict, operator: User | None = None) -> CustomerAddress:
    """Add an address to the book; the customer's first address becomes the default."""
    clean = _clean_address(values)
    address = CustomerAddress(user_id=customer.id, country="BR", version=1,
                              is_default=_default_of(customer.id) is None, **clean)
    db.session.add(address)
    db.session.flush()
    _audit(operator, customer, "address.add", f"address:{address.id}", None,
           {**_values(address), "default": address.is_default})
    return address


def update_address(address: CustomerAddress, values: dict, version: int | None,
                   operator: User | None = None) -> CustomerAddress:
    """Save the address only if nobody saved it since `version` was read (one UPDATE ... AND version = :v)."""
    clean = _clean_address(values)
    before = _values(address)
    result = db.session.execute(
        update(CustomerAddress).where(CustomerAddress.id == address.id, CustomerAddress.version == version)
        .values(**clean, version=CustomerAddress.version + 1).execution_options(synchronize_session=False))
    if version is None or result.rowcount != 1:
        raise Conflict(ADDRESS_CHANGED_MEANWHILE, field="version")
    db.session.refresh(address)
    old, new = audit.changes(before, clean)
    if new:
        _audit(operator, address.user, "address.update", f"address:{address.id}", old, new)
    return address


def set_default_address(address: CustomerAddress, operator: User | None = None) -> CustomerAddress:
    """Make this the customer's one default address."""
    if address.is_default:
        return address
    previous = _default_of(address.user_id)
    if previous is not None:
        previous.is_default = False
        db.session.flush()  # the old default is cleared before the new one is set
    address.is_default = True
    db.session.flush()
    _audit(operator, address.user, "address.default", f"address:{address.id}",
           {"default": f"address:{previous.id}" if previous else None}, {"default": f"address:{address.id}"})
    return address


def delete_address(address: CustomerAddress, operator: User | None = None) -> None:
    """Delete an address; when it was the default, the oldest remaining one becomes the default."""
    customer, was_default, address_id = address.user, address.is_default, address.id
    before = {**_values(address), "default": was_default}
    db.session.delete(address)
    db.session.flush()
    if was_default:
        successor = db.session.scalar(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id)
                                      .order_by(CustomerAddress.id).limit(1))
        if successor is not None:
            successor.is_default = True
            db.session.flush()
    _audit(operator, customer, "address.delete", f"address:{address_id}", before, None)


def last_service_change(customer: User, actions: tuple[str, ...]) -> AuditEntry | None:
    """The latest of these changes an operator made for the customer ("pela central de atendimento")."""
    return db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.on_behalf_of_id == customer.id, AuditEntry.action.in_(actions))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(1))
