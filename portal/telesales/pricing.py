"""Money as the operator types it: reais with a comma or a dot, turned into integer cents, and manual prices."""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationError
from ..models import CartItem, StoreSettings

# Digits, then at most one decimal separator (comma or dot) and any number of decimals (checked apart).
_AMOUNT = re.compile(r"(?P<units>[0-9]{1,12})(?:[.,](?P<decimals>[0-9]*))?", re.ASCII)
MAX_REASON = 300
MIN_REASON = 3


def parse_cents(text, field: str = "price", allow_zero: bool = False) -> int:
    """Turn "12,50" or "12.50" into 1250; refuse empty, negative, non-numeric and more than two decimals."""
    value = str(text if text is not None else "").strip().replace(" ", "")
    if value.startswith("R$"):
        value = value[2:]
    if not value:
        raise ValidationError(_l("Enter an amount."), field=field)
    if value.startswith("-"):
        raise ValidationError(_l("The amount cannot be negative."), field=field)
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise ValidationError(_l("Enter the amount as a number, such as 49,90."), field=field)
    decimals = match.group("decimals") or ""
    if len(decimals) > 2:
        raise ValidationError(_l("The amount can have at most two decimals."), field=field)
    cents = int(match.group("units")) * 100 + int(decimals.ljust(2, "0"))
    if cents == 0 and not allow_zero:
        raise ValidationError(_l("The amount must be more than zero."), field=field)
    return cents


def format_cents(cents: int) -> str:
    """Return cents as the amount an order keeps (Decimal text with two places)."""
    return f"{Decimal(cents) / 100:.2f}"


def to_decimal(cents: int) -> Decimal:
    return Decimal(cents) / 100


def set_manual_price(item: CartItem, price_text, reason: str) -> CartItem:
    """Give the line a manual price (up or down) with its reason; the catalogue price is kept beside it."""
    cents = parse_cents(price_text)
    ceiling = StoreSettings.get().manual_price_ceiling_cents
    if ceiling and cents > ceiling:
        raise ValidationError(_l("The price cannot be above %(ceiling)s.", ceiling=format_cents(ceiling)),
                              field="price")
    reason = " ".join(str(reason or "").split())
    if len(reason) < MIN_REASON:
        raise ValidationError(_l("Say why the price changes (at least 3 characters)."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_l("The reason can have at most 300 characters."), field="reason")
    item.unit_price_cents = cents
    item.manual_reason = None if cents == item.list_price_cents else reason
    return item
