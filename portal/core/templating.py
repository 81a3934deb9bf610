"""Template filters and globals."""
import contextlib
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from flask import Flask, current_app, g, url_for
from flask_babel import format_currency, format_date, format_datetime, get_locale, get_timezone
from markupsafe import Markup, escape
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


def datetime_text(value, fmt: str = "short") -> str:
    """Format a moment for the request's locale and zone; the same text is remembered for the process."""
    return _formatted(value, fmt, str(get_locale()), str(get_timezone())) if value else ""


@lru_cache(maxsize=8192)
def _formatted(value, fmt: str, locale: str, zone: str) -> str:
    # The text depends on nothing but the moment, the format, the locale and the zone (the key); Babel's own
    # formatting reads the same locale and zone from the request.
    return format_datetime(value, fmt)


def time_tag(value, fmt: str = "short") -> Markup:
    """Return a <time> element for the moment (empty when there is none), as the `when` macros show it."""
    if not value:
        return Markup("")
    return Markup(f'<time datetime="{escape(value.isoformat())}">{escape(datetime_text(value, fmt))}</time>')  # noqa: S704


_SLOT = "__row__"


def url_filler(endpoint: str, field: str, **values) -> Callable[[object], str]:
    """Return a function giving the endpoint's URL for one value of `field`: url_for runs once, not once per row.

    The value is quoted as the route's default converter quotes it, so the URL is the one url_for would build.
    """
    before, after = url_for(endpoint, **values, **{field: _SLOT}).split(_SLOT, 1)
    return lambda value: before + quote(str(value), safe="!$&'()*+,/:;=@") + after


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(cents, "cents")
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_global(time_tag, "time_tag")
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_global(store_settings, "store_settings")
