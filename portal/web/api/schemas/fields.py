"""Field types of the API's models: each one validates the way the API always has and describes itself.

Every check raises a translated message; `spec.validation_error` turns the first one into the API's error body.
"""
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from ....orders.invoices import is_valid_access_key, normalise_access_key

MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = 1_000_000
# An event dated further ahead than this would make every later event look stale.
MAX_FUTURE = timedelta(hours=1)

# Dates are refused outside the years 1900 to 2999 (the document's pattern says so).
YEARS = r"^\s*(19|2[0-9])[0-9]{2}-"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?", re.ASCII)
_CURRENCY = re.compile(r"[A-Za-z]{3}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def fail(message) -> None:
    """Refuse the value with a message the caller reads as it is."""
    raise PydanticCustomError("portal", "{message}", {"message": str(message)})


def clean_text(value, max_length: int, required: bool = False, multiline: bool = False) -> str | None:
    """Return the trimmed string, None when absent or blank, or refuse it."""
    if value is None:
        return fail(_("This field is required.")) if required else None
    if not isinstance(value, str):
        fail(_("Expected a string."))
    value = value.strip()
    if not value:
        return fail(_("This field is required.")) if required else None
    if len(value) > max_length:
        fail(_("At most %(n)d characters.", n=max_length))
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        fail(_("Control characters are not allowed."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        fail(_("The text contains invalid characters."))
    return value


def _schema(schema: dict, required: bool, description: str | None) -> dict:
    schema = dict(schema)
    if not required:
        schema["type"] = [schema["type"], "null"]
    if description:
        schema["description"] = description
    return schema


def text(max_length: int, *, required: bool = False, multiline: bool = False, description: str | None = None,
         **schema) -> Any:
    """A trimmed string of at most `max_length` characters without control characters; blank counts as absent.

    The document's pattern says what is refused: control characters (but tabs and line breaks in multi-line
    text), and, when required, a value without a character that is not a space."""
    refused = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f" if multiline else r"\x00-\x1f\x7f"
    pattern = f"^[^{refused}]*[^\\s{refused}][^{refused}]*$" if required else f"^[^{refused}]*$"
    schema = {**({"minLength": 1} if required else {}), "pattern": pattern, **schema}
    return Annotated[
        str if required else str | None,
        PlainValidator(lambda value: clean_text(value, max_length, required, multiline)),
        WithJsonSchema(_schema({"type": "string", "maxLength": max_length, **schema}, required, description)),
    ]


def choice(values: tuple[str, ...], *, message=None, description: str | None = None) -> Any:
    """One of `values` (required)."""
    longest = max(len(value) for value in values)

    def check(value):
        value = clean_text(value, max(longest, 40), required=True)
        if value not in values:
            fail(message() if message else _("Expected one of: %(values)s.", values=", ".join(values)))
        return value

    return Annotated[str, PlainValidator(check),
                     WithJsonSchema(_schema({"type": "string", "enum": list(values)}, True, description))]


def _money(value) -> Decimal:
    message = _("Expected an amount of zero or more with at most two decimals, such as \"19.90\".")
    if value is None:
        fail(_("This field is required."))
    if isinstance(value, str) and _AMOUNT.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            fail(message)
    else:
        fail(message)
    if amount > MAX_MONEY:
        fail(_("The amount is too large."))
    return amount if amount else Decimal("0")


Money = Annotated[Decimal, PlainValidator(_money), WithJsonSchema({
    "description": "Zero or more, at most two decimals; a decimal string is safest.",
    "oneOf": [
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$", "examples": ["19.90"]},
        {"type": "number", "minimum": 0, "maximum": float(MAX_MONEY), "multipleOf": 0.01},
    ],
})]
# The same, for a price that must be more than zero (a product's).
PositiveMoney = Annotated[Decimal, PlainValidator(_money), WithJsonSchema({
    "description": "More than zero, at most two decimals; a decimal string is safest.",
    "oneOf": [
        {"type": "string", "pattern": r"^(?!0*(\.0{1,2})?$)[0-9]{1,10}(\.[0-9]{1,2})?$", "examples": ["19.90"]},
        {"type": "number", "exclusiveMinimum": 0, "maximum": float(MAX_MONEY), "multipleOf": 0.01},
    ],
})]


def whole(value):
    """Return 3 for 3.0 (JSON does not tell them apart), and anything else as it is."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def _quantity(value) -> int:
    value = whole(value)
    if isinstance(value, bool) or not isinstance(value, int):
        fail(_("Expected a whole number."))
    if not 1 <= value <= MAX_QUANTITY:
        fail(_("Expected a whole number from 1 to %(n)d.", n=MAX_QUANTITY))
    return value


Quantity = Annotated[int, PlainValidator(_quantity),
                     WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY})]


def _local_datetime(value) -> datetime | None:
    if value is None:
        return None
    message = _("Expected an ISO 8601 date and time, such as 2026-11-02T15:30:00-03:00.")
    if not isinstance(value, str) or len(value) > 64:
        fail(message)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(message)
    if not 1900 <= parsed.year <= 2999:
        fail(_("The date is out of range."))
    return parsed


def local_datetime(*, required: bool = False, description: str | None = None) -> Any:
    """An ISO 8601 date and time; one without an offset is read later in the store's time zone."""
    def check(value):
        if value is None and required:
            fail(_("This field is required."))
        return _local_datetime(value)

    text = description or "ISO 8601; without an offset the time is read in the store's time zone."
    return Annotated[datetime if required else datetime | None, PlainValidator(check),
                     WithJsonSchema(_schema({"type": "string", "format": "date-time", "pattern": YEARS},
                                            required, text))]


def _moment(value) -> datetime:
    if value is None:
        fail(_("This field is required."))
    try:
        parsed = datetime.fromisoformat(value.strip()) if isinstance(value, str) and len(value) <= 64 else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not 2000 <= parsed.year <= 2999:
        fail(_("Expected an ISO 8601 date and time with an offset, such as 2026-12-01T10:00:00Z."))
    parsed = parsed.astimezone(UTC)
    if parsed > datetime.now(UTC) + MAX_FUTURE:
        fail(_("The event is dated in the future."))
    return parsed


Moment = Annotated[datetime, PlainValidator(_moment), WithJsonSchema({
    "type": "string", "format": "date-time", "description": "ISO 8601 with an offset; at most an hour ahead.",
})]


def _date(value) -> date | None:
    if value is None:
        return None
    message = _("Expected a date, such as 2026-11-20.")
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        fail(message)
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        fail(message)
    if not 1900 <= parsed.year <= 2999:
        fail(_("The date is out of range."))
    return parsed


Day = Annotated[date | None, PlainValidator(_date), WithJsonSchema({
    "type": ["string", "null"], "format": "date", "pattern": YEARS,
    "description": "Delivery date promised to the shopper (YYYY-MM-DD).",
})]


def _url(value) -> str | None:
    url = clean_text(value, 2048)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        fail(_("Enter an http or https address."))
    return url


Url = Annotated[str | None, PlainValidator(_url), WithJsonSchema({
    "description": "http or https; blank counts as absent.",
    "anyOf": [
        {"type": "string", "maxLength": 2048,
         "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://([^\s/?#@]*@)?[^\s/?#@:\[\]\x00-\x1f\x7f]+"
                    r"([:/?#][^\s\x00-\x1f\x7f]*)?\s*$"},
        {"type": "string", "pattern": r"^\s*$"},
        {"type": "null"},
    ],
})]


def _access_key(value) -> str | None:
    if isinstance(value, str) and len(value) > 64:  # counted as sent, spaces included, as the document says
        fail(_("At most %(n)d characters.", n=64))
    key = clean_text(value, 64)
    if key is None:
        return None
    key = normalise_access_key(key)
    if not is_valid_access_key(key):
        fail(_("The access key needs 44 digits ending in a valid check digit."))
    return key


AccessKey = Annotated[str | None, PlainValidator(_access_key), WithJsonSchema({
    "description": "NF-e access key: 44 digits with a valid check digit; spaces are ignored, blank counts as "
                   "absent.",
    "anyOf": [
        {"type": "string", "maxLength": 64, "pattern": r"^\s*[0-9]( *[0-9]){43}\s*$"},
        {"type": "string", "pattern": r"^\s*$"},
        {"type": "null"},
    ],
})]


def _currency(value) -> str:
    currency = clean_text(value, 3)
    if currency is None:
        return "BRL"
    if not _CURRENCY.fullmatch(currency):
        fail(_("Expected a three-letter currency code, such as BRL."))
    return currency.upper()


Currency = Annotated[str, PlainValidator(_currency), WithJsonSchema({
    "type": ["string", "null"], "pattern": r"^\s*([A-Za-z]{3}\s*)?$", "default": "BRL",
    "description": "Three letters; blank or null: BRL.",
})]
