"""Turn API request bodies into service inputs, naming the field of the first problem found."""
import json
import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext as _

import trackers

from ...core.errors import DomainError, ValidationError
from ...models import Channel
from ...orders.intake import ItemInput, OrderInput
from ...orders.invoices import is_valid_access_key, normalise_access_key

MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = 1_000_000
MAX_ITEMS = 500
MAX_NOTE = 2000
ADDRESS_FIELDS = frozenset({
    "name", "street", "number", "complement", "district", "city", "state", "postal_code", "country",
})
ORDER_FIELDS = frozenset({
    "number", "customer", "channel", "status", "marketplace_order_number", "delivery_number", "placed_at",
    "paid_at", "shipped_at", "expected_delivery_on", "shipping_code", "carrier", "payment_method", "currency",
    "totals", "invoice", "items", "delivery_address", "billing_address",
})
TOTAL_FIELDS = {"subtotal": "subtotal", "shipping": "shipping_total", "discount": "discount_total", "total": "total"}
ITEM_FIELDS = frozenset({"sku", "name", "quantity", "unit_price"})

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?", re.ASCII)
_CURRENCY = re.compile(r"[A-Za-z]{3}", re.ASCII)


class InvalidJSON(DomainError):
    status_code = 400
    code = "invalid_json"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def json_body() -> dict:
    """Read the request body as a JSON object, or raise InvalidJSON."""
    if not request.is_json:
        raise InvalidJSON(_("Send a JSON object with the header Content-Type: application/json."))
    try:
        body = json.loads(request.get_data(cache=False), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidJSON(_("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise InvalidJSON(_("The request body must be a JSON object."))
    return body


def _fail(path: str, message: str):
    raise ValidationError(message, field=path)


def _object(value, path: str, allowed: frozenset) -> dict:
    if not isinstance(value, dict):
        _fail(path, _("Expected an object."))
    for key in sorted(set(value) - allowed):
        _fail(f"{path}.{key}" if path else key, _("Unknown field."))
    return value


def text(value, path: str, max_length: int, required: bool = False, multiline: bool = False) -> str | None:
    """Return the trimmed string, None when absent or blank, or raise naming the field."""
    if value is None:
        return _fail(path, _("This field is required.")) if required else None
    if not isinstance(value, str):
        _fail(path, _("Expected a string."))
    value = value.strip()
    if not value:
        return _fail(path, _("This field is required.")) if required else None
    if len(value) > max_length:
        _fail(path, _("At most %(n)d characters.", n=max_length))
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        _fail(path, _("Control characters are not allowed."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _fail(path, _("The text contains invalid characters."))
    return value


def _money(value, path: str, required: bool = False) -> Decimal:
    if value is None and not required:
        return Decimal("0")
    message = _("Expected an amount of zero or more with at most two decimals, such as \"19.90\".")
    if isinstance(value, str) and _AMOUNT.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            _fail(path, message)
    else:
        return _fail(path, _("This field is required.") if value is None else message)
    if amount > MAX_MONEY:
        _fail(path, _("The amount is too large."))
    return amount if amount else Decimal("0")


def _datetime(value, path: str, zone: tzinfo, required: bool = False) -> datetime | None:
    if value is None:
        return _fail(path, _("This field is required.")) if required else None
    message = _("Expected an ISO 8601 date and time, such as 2026-11-02T15:30:00-03:00.")
    if not isinstance(value, str) or len(value) > 64:
        _fail(path, message)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return _fail(path, message)
    if not 1900 <= parsed.year <= 2999:
        _fail(path, _("The date is out of range."))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _date(value, path: str) -> date | None:
    if value is None:
        return None
    message = _("Expected a date, such as 2026-11-20.")
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip(), re.ASCII):
        _fail(path, message)
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        return _fail(path, message)
    if not 1900 <= parsed.year <= 2999:
        _fail(path, _("The date is out of range."))
    return parsed


def _url(value, path: str) -> str | None:
    url = text(value, path, 2048)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        _fail(path, _("Enter an http or https address."))
    return url


def _address(value, path: str) -> dict | None:
    if value is None:
        return None
    _object(value, path, ADDRESS_FIELDS)
    clean = {key: text(value[key], f"{path}.{key}", 200) for key in sorted(value)}
    return {key: part for key, part in clean.items() if part} or None


def _item(value, path: str) -> ItemInput:
    _object(value, path, ITEM_FIELDS)
    quantity = value.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        _fail(f"{path}.quantity", _("Expected a whole number."))
    if not 1 <= quantity <= MAX_QUANTITY:
        _fail(f"{path}.quantity", _("Expected a whole number from 1 to %(n)d.", n=MAX_QUANTITY))
    return ItemInput(
        name=text(value.get("name"), f"{path}.name", 300, required=True),
        quantity=quantity,
        unit_price=_money(value.get("unit_price"), f"{path}.unit_price", required=True),
        sku=text(value.get("sku"), f"{path}.sku", 80) or "",
    )


def _items(value) -> tuple[ItemInput, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail("items", _("Expected a list."))
    if len(value) > MAX_ITEMS:
        _fail("items", _("At most %(n)d items.", n=MAX_ITEMS))
    return tuple(_item(item, f"items[{i}]") for i, item in enumerate(value))


def _invoice(value) -> dict:
    if value is None:
        return {}
    _object(value, "invoice", frozenset({"number", "access_key", "url"}))
    key = text(value.get("access_key"), "invoice.access_key", 64)
    if key is not None:
        key = normalise_access_key(key)
        if not is_valid_access_key(key):
            _fail("invoice.access_key", _("The access key needs 44 digits ending in a valid check digit."))
    return {
        "invoice_number": text(value.get("number"), "invoice.number", 40),
        "invoice_key": key,
        "invoice_url": _url(value.get("url"), "invoice.url"),
    }


def _totals(value) -> dict:
    if value is None:
        return {}
    _object(value, "totals", frozenset(TOTAL_FIELDS))
    return {attr: _money(value.get(key), f"totals.{key}") for key, attr in TOTAL_FIELDS.items()}


def order_number(number: str) -> str:
    """Return the order number from the URL, or raise naming the field `number`."""
    clean = text(number, "number", 40, required=True)
    if clean != number:
        _fail("number", _("The order number may not start or end with spaces."))
    return clean


def _currency(value) -> str:
    currency = text(value, "currency", 3)
    if currency is None:
        return "BRL"
    if not _CURRENCY.fullmatch(currency):
        _fail("currency", _("Expected a three-letter currency code, such as BRL."))
    return currency.upper()


def parse_order(number: str, body: dict, zone: tzinfo) -> OrderInput:
    """Build the OrderInput for PUT /orders/<number> from its JSON body."""
    number = order_number(number)
    _object(body, "", ORDER_FIELDS)
    if "number" in body and body["number"] != number:
        _fail("number", _("The number in the body differs from the one in the address."))
    customer = body.get("customer")
    if customer is None:
        _fail("customer", _("This field is required."))
    _object(customer, "customer", frozenset({"email", "name"}))
    return OrderInput(
        number=number,
        customer_email=text(customer.get("email"), "customer.email", 254, required=True),
        customer_name=text(customer.get("name"), "customer.name", 200) or "",
        channel=text(body.get("channel"), "channel", 50) or Channel.STORE_CODE,
        status=text(body.get("status"), "status", 80),
        marketplace_order_number=text(body.get("marketplace_order_number"), "marketplace_order_number", 80),
        delivery_number=text(body.get("delivery_number"), "delivery_number", 80),
        placed_at=_datetime(body.get("placed_at"), "placed_at", zone, required=True),
        paid_at=_datetime(body.get("paid_at"), "paid_at", zone),
        shipped_at=_datetime(body.get("shipped_at"), "shipped_at", zone),
        expected_delivery_on=_date(body.get("expected_delivery_on"), "expected_delivery_on"),
        shipping_code=text(body.get("shipping_code"), "shipping_code", 2048),
        carrier=text(body.get("carrier"), "carrier", 100),
        payment_method=text(body.get("payment_method"), "payment_method", 100),
        currency=_currency(body.get("currency")),
        delivery_address=_address(body.get("delivery_address"), "delivery_address"),
        billing_address=_address(body.get("billing_address"), "billing_address"),
        items=_items(body.get("items")),
        **_totals(body.get("totals")),
        **_invoice(body.get("invoice")),
    )


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


def parse_status_change(body: dict) -> tuple[str, str | None]:
    """Return the status name and note of POST /orders/<number>/status."""
    _object(body, "", frozenset({"status", "note"}))
    return (
        text(body.get("status"), "status", 80, required=True),
        text(body.get("note"), "note", MAX_NOTE, multiline=True),
    )


def parse_new_status(body: dict) -> str:
    """Return the name of the status POST /statuses should create."""
    _object(body, "", frozenset({"name"}))
    return text(body.get("name"), "name", 80, required=True)
