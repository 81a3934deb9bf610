"""Template filters and globals."""
import contextlib
from decimal import Decimal

from flask import Flask, current_app, g
from flask_babel import format_currency, format_date, format_datetime
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db


def store_settings():
    """Return the store settings, read once per request (defaults while the database cannot be read)."""
    if "store_settings" not in g:
        from ..models import StoreSettings

        try:
            g.store_settings = StoreSettings.get()
        except SQLAlchemyError:
            current_app.logger.warning("Store settings unreadable; using the defaults for this request")
            # The failed statement leaves the transaction unusable: without the rollback, the request's next
            # query (loading the user) fails with PendingRollbackError, a 500, instead of trying the database.
            with contextlib.suppress(SQLAlchemyError):
                db.session.rollback()
            g.store_settings = StoreSettings(**_defaults(StoreSettings))
    return g.store_settings


def _defaults(model) -> dict:
    """Return the row a model would get from its column defaults (a transient object has none of them)."""
    values = {"id": 1}
    for column in model.__table__.columns:
        if column.default is not None and column.default.is_scalar:
            values[column.key] = column.default.arg
    return values


def money(value, currency: str = "BRL") -> str:
    return format_currency(Decimal(value or 0), currency)


def cents(value, currency: str = "BRL") -> str:
    """Format integer cents (how carts keep money) as an amount of the currency."""
    return format_currency(Decimal(value or 0) / 100, currency)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(cents, "cents")
    app.add_template_filter(lambda d, fmt="short": format_datetime(d, fmt) if d else "", "datetime")
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_global(store_settings, "store_settings")
