"""Orders, statuses and errors as the JSON the API answers with."""
from datetime import datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, jsonify
from flask_babel import gettext as _

import trackers

from ...models import Order, OrderItem, OrderStatus, OrderStatusChange, StoreSettings
from ...orders.intake import OrderInput
from ...store import lookups

CENT = Decimal("0.01")


def store_timezone() -> tzinfo:
    """Return the store's time zone, falling back to the configured default."""
    try:
        return ZoneInfo(StoreSettings.get().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def iso(value: datetime | None, zone: tzinfo) -> str | None:
    return value.astimezone(zone).isoformat() if value else None


def money(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def status_json(status: OrderStatus) -> dict:
    return {
        "name": status.name,
        "type": status.type.value if status.type else None,
        "builtin": status.is_builtin,
        "retired": status.retired,
    }


def _history_json(change: OrderStatusChange, zone: tzinfo) -> dict:
    return {
        "from_status": change.from_status.name if change.from_status else None,
        "to_status": change.to_status.name,
        "changed_at": iso(change.changed_at, zone),
        "source": change.source,
        "note": change.note,
    }


def _item_json(item: OrderItem) -> dict:
    return {
        "sku": item.sku,
        "name": item.name,
        "quantity": item.quantity,
        "unit_price": money(item.unit_price),
        "line_total": money(item.line_total),
    }


def tracking_json(shipping_code: str | None) -> dict:
    link = trackers.classify(shipping_code or "", lookups.trusted_hosts())
    return {"kind": str(link.kind.value), "url": link.url, "code": link.code}


def order_json(order: Order) -> dict:
    """Describe the order the way GET /orders/<number> answers."""
    zone = store_timezone()
    return {
        "number": order.number,
        "channel": {"code": order.channel.code, "name": order.channel.name,
                    "is_marketplace": order.channel.is_marketplace},
        "customer": {"email": order.customer.email, "name": order.customer.name},
        "status": {"name": order.status.name, "type": order.status.type.value if order.status.type else None},
        "marketplace_order_number": order.marketplace_order_number,
        "delivery_number": order.delivery_number,
        "placed_at": iso(order.placed_at, zone),
        "paid_at": iso(order.paid_at, zone),
        "shipped_at": iso(order.shipped_at, zone),
        "expected_delivery_on": order.expected_delivery_on.isoformat() if order.expected_delivery_on else None,
        "shipping_code": order.shipping_code,
        "tracking": tracking_json(order.shipping_code),
        "carrier": order.carrier,
        "payment_method": order.payment_method,
        "currency": order.currency,
        "totals": {
            "subtotal": money(order.subtotal),
            "shipping": money(order.shipping_total),
            "discount": money(order.discount_total),
            "total": money(order.total),
        },
        "invoice": {"number": order.invoice_number, "access_key": order.invoice_key, "url": order.invoice_url},
        "items": [_item_json(item) for item in order.items],
        "delivery_address": order.delivery_address,
        "billing_address": order.billing_address,
        "history": [_history_json(change, zone) for change in order.history],
        "created_at": iso(order.created_at, zone),
        "updated_at": iso(order.updated_at, zone),
    }


def error_json(status: int, code: str, message, field: str | None = None, headers: dict | None = None):
    """Answer with the API's error body and status."""
    response = jsonify(error={"code": code, "message": str(message), "field": field})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def order_warnings(data: OrderInput) -> list[dict]:
    """List what was accepted but looks wrong, such as a Correios code with a bad check digit."""
    s10 = trackers.parse_s10(data.shipping_code) if data.shipping_code else None
    if s10 is not None and not s10.valid:
        return [{
            "field": "shipping_code",
            "code": "s10_check_digit",
            "message": _("The check digit of the Correios code %(code)s is wrong; it will not get a tracking link.",
                         code=s10.code),
        }]
    return []
