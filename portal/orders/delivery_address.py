"""The shopper changes where an order goes, while the store has not shipped it yet.

The address is one of the shopper's saved addresses or a new one (checked as the address book checks it); the
save is a compare-and-set on `orders.address_version`, so that two tabs never overwrite each other silently.
Each change is audited and told to the back office (`order.address_changed`).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..accounts import audit, events, profile
from ..core.errors import Conflict, NotFound
from ..extensions import db
from ..models import Order, StatusType, User

CHANGED_MEANWHILE = _l("The delivery address of this order was changed meanwhile. Check the address saved now "
                       "and send yours again: your entries are kept below.")


def refusal(order: Order):
    """Say why the delivery address can no longer change, or None while it can."""
    status = order.status
    if status.effective_type is StatusType.cancelled:
        return _l("This order was cancelled, so its delivery address cannot change.")
    if status.effective_type is StatusType.completed or status.is_delivered:
        return _l("This order is completed, so its delivery address cannot change.")
    if order.shipped_at is not None or not (status.is_before_shipping or status.is_before_payment):
        return _l("This order has already been shipped, so its delivery address cannot change. If you need "
                  "help, ask us through \"I need help with this order\".")
    return None


def can_change(order: Order) -> bool:
    return refusal(order) is None


def _from_book(customer: User, address_id) -> dict:
    try:
        return profile.get_address(customer, int(address_id)).as_order_address()
    except (TypeError, ValueError):
        raise NotFound(_l("We could not find this address."), field="address") from None


def _from_form(values: dict) -> dict:
    clean = profile.clean_address(values)
    clean.pop("label", None)
    return {key: value for key, value in sorted({**clean, "country": "BR"}.items()) if value}


def change_address(order: Order, customer: User, version: int | None, *, address_id=None, values: dict | None = None,
                   operator: User | None = None) -> Order:
    """Write the new delivery address if the order may still change and nobody changed it since `version`."""
    reason = refusal(order)
    if reason is not None:
        raise Conflict(reason, field="address")
    new = _from_book(customer, address_id) if address_id not in (None, "", "new") else _from_form(values or {})
    before = order.delivery_address
    result = db.session.execute(
        update(Order).where(Order.id == order.id, Order.address_version == version)
        .values(delivery_address=new, address_version=Order.address_version + 1)
        .execution_options(synchronize_session=False))
    if version is None or result.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE, field="version")
    db.session.refresh(order)
    target = f"order:{order.number}"
    if operator is not None:
        audit.record(operator, "order.address", target, before, new, on_behalf_of=customer)
    else:
        audit.record(customer, "order.address", target, before, new)
    events.queue("order.address_changed", order.number, {"order": {
        "number": order.number, "delivery_address": order.delivery_address,
        "address_version": order.address_version, "customer_id": customer.id}})
    return order
