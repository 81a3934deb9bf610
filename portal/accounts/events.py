"""What the store's back office is told about a customer's account: `customer.updated`, and the shared queueing.

Each event is an outbox row of the back office's kind (its transport, registered by `telesales.backoffice`,
signs and posts it, with the marketplace deliveries' timeouts and retries), added in the transaction of the
change behind it; nothing is queued while no back-office address is set up.
"""
import uuid

from ..core import outbox
from ..extensions import db
from ..models import CustomerAddress, OutboxItem, OutboxKind, StoreSettings, User
from ..models.base import utcnow

ADDRESS_KEYS = ("label", "name", "street", "number", "complement", "district", "city", "state", "postal_code",
                "country")


def address_payload(address: CustomerAddress) -> dict:
    return {"id": address.id, "default": bool(address.is_default), "version": address.version,
            **{key: getattr(address, key) or "" for key in ADDRESS_KEYS}}


def customer_payload(customer: User) -> dict:
    """Return what the back office is told about a customer: contact data, CPF/CNPJ digits and addresses."""
    addresses = db.session.scalars(db.select(CustomerAddress).where(CustomerAddress.user_id == customer.id)
                                   .order_by(CustomerAddress.id))
    return {"id": customer.id, "email": customer.email, "name": customer.name or "", "phone": customer.phone or "",
            "document": customer.document or "", "addresses": [address_payload(row) for row in addresses]}


def queue(event: str, subject: str, body: dict) -> OutboxItem | None:
    """Queue one back-office event (a fresh id and key each time); nothing when no back office is set up."""
    if not StoreSettings.get().backoffice_url:
        return None
    event_id = str(uuid.uuid4())
    payload = {"event_id": event_id, "event": event, "occurred_at": utcnow().isoformat(), **body}
    return outbox.add(OutboxKind.backoffice, f"backoffice:{event}:{subject}:{event_id}", payload, event=event[:40])


def customer_updated(customer: User) -> OutboxItem | None:
    """Tell the back office the customer's data as it stands after this change."""
    db.session.flush()
    return queue("customer.updated", str(customer.id), {"customer": customer_payload(customer)})
