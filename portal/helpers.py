"""Template filters and globals."""
from decimal import Decimal

from flask import Flask, g
from flask_babel import format_currency, format_date, format_datetime


def store_settings():
    """Return the store settings, read once per request."""
    if "store_settings" not in g:
        from .models import StoreSettings

        g.store_settings = StoreSettings.get()
    return g.store_settings


def money(value, currency: str = "BRL") -> str:
    return format_currency(Decimal(value or 0), currency)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(lambda d, fmt="short": format_datetime(d, fmt) if d else "", "datetime")
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_global(store_settings, "store_settings")
    from .services.seller_portal import seller_portal_link

    app.add_template_global(seller_portal_link, "seller_portal_link")
