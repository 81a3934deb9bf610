"""What the store's back office is told about orders placed in the portal, and its settings.

Each event is an outbox row of its own kind, added in the transaction of the order change behind it, posted
as signed JSON (the marketplaces' HMAC scheme) to the back-office address only when that address is public
(or this machine outside production), with the marketplace deliveries' timeouts and retries.
"""
import uuid
from dataclasses import replace

from flask_babel import lazy_gettext as _l

from ..accounts import audit
from ..core import outbox
from ..core.errors import ValidationError
from ..core.outbox import Work
from ..extensions import db
from ..marketplaces import delivery
from ..marketplaces.channels import check_web_url
from ..models import Order, OutboxItem, OutboxKind, StoreSettings
from ..models.base import utcnow

EVENTS = ("order.created", "order.approved", "order.rejected")
MAX_SECRET = 200
MAX_LINK_DAYS = 90


def _cents(value) -> int:
    return int(round(value * 100))


def order_payload(order: Order) -> dict:
    """Return what the back office is told about an order: amounts in cents, prices by hand with their reason."""
    return {
        "number": order.number, "status": order.status.name, "price_approval": str(order.price_approval),
        "customer": {"email": order.customer.email, "name": order.customer.name or ""},
        "placed_by_email": order.placed_by_email, "payment_method": order.payment_method,
        "placed_at": order.placed_at.isoformat(), "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "currency": order.currency, "subtotal_cents": _cents(order.subtotal),
        "shipping_cents": _cents(order.shipping_total), "total_cents": _cents(order.total),
        "delivery_address": order.delivery_address,
        "price_decision_note": order.price_decision_note,
        "items": [{
            "sku": item.sku, "name": item.name, "quantity": item.quantity, "unit_price_cents": _cents(item.unit_price),
            "list_price_cents": _cents(item.list_price) if item.list_price is not None else None,
            "manual_price_reason": item.manual_price_reason,
        } for item in order.items],
    }


def queue_event(order: Order, event: str) -> OutboxItem | None:
    """Queue an event about an order placed in the portal; nothing when no back office is set up."""
    settings = StoreSettings.get()
    if event not in EVENTS or not order.created_in_portal or not settings.backoffice_url:
        return None
    event_id = str(uuid.uuid4())
    payload = {"event_id": event_id, "event": event, "occurred_at": utcnow().isoformat(),
               "order": order_payload(order)}
    return outbox.add(OutboxKind.backoffice, f"backoffice:{event}:{order.number}", payload, event=event[:40])


def prepare(_item: OutboxItem, work: Work) -> Work:
    """Add the back office's address and secret, read now (the merchant may have changed them since)."""
    settings = StoreSettings.get()
    if not settings.backoffice_url:
        return replace(work, problem="no_address")
    if not settings.backoffice_secret:
        return replace(work, problem="no_secret")
    return replace(work, url=settings.backoffice_url, secret=settings.backoffice_secret)


def save_settings(actor, url: str, secret: str, ceiling_cents: int, link_days: int) -> StoreSettings:
    """Save the telesales settings (audited; the secret is never written to the log)."""
    url = check_web_url(url, "backoffice_url") if (url or "").strip() else ""
    secret = (secret or "").strip()
    if len(secret) > MAX_SECRET:
        raise ValidationError(_l("Use at most %(max)d characters.", max=MAX_SECRET), field="backoffice_secret")
    if url and not secret:
        raise ValidationError(_l("Give the signing secret the back office checks."), field="backoffice_secret")
    if not 1 <= int(link_days) <= MAX_LINK_DAYS:
        raise ValidationError(_l("A link lives from 1 to 90 days."), field="cart_link_days")
    if int(ceiling_cents) <= 0:
        raise ValidationError(_l("The amount must be more than zero."), field="manual_price_ceiling")
    settings = db.session.get(StoreSettings, 1) or StoreSettings(id=1)
    db.session.add(settings)
    before = {"backoffice_url": settings.backoffice_url, "secret_set": bool(settings.backoffice_secret),
              "manual_price_ceiling_cents": settings.manual_price_ceiling_cents,
              "cart_link_days": settings.cart_link_days}
    secret_changed = secret != settings.backoffice_secret
    settings.backoffice_url, settings.backoffice_secret = url, secret
    settings.manual_price_ceiling_cents, settings.cart_link_days = int(ceiling_cents), int(link_days)
    db.session.flush()
    after = {"backoffice_url": url, "secret_set": bool(secret), "manual_price_ceiling_cents": int(ceiling_cents),
             "cart_link_days": int(link_days)}
    before, after = audit.changes(before, after)
    if after or secret_changed:
        audit.record(actor, "telesales.settings", "telesales", before, {**after, "secret_changed": secret_changed})
    return settings


outbox.register_transport(OutboxKind.backoffice, prepare, delivery.send)
