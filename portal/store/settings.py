"""Verbs on the store settings: compare-and-set saves, colours, the portal switch and its checklist."""
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..accounts import audit
from ..accounts.users import normalise_email
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import OrderStatus, StoreSettings, TrustedHost
from ..models.base import utcnow
from ..models.settings import DEFAULT_ACCENT, DEFAULT_PRIMARY
from .colours import normalise_hex

STORE_FIELDS = ("store_name", "support_email", "timezone", "country", "state", "default_locale", "old_portal_url",
                "account_pages_enabled", "late_quiet_days", "late_opens_ticket", "late_emails_shopper",
                "mail_ticket_received", "mail_ticket_closed", "mail_order_shipped", "mail_order_delivered",
                "mail_order_cancelled")
MAIL_SWITCHES = ("mail_ticket_received", "mail_ticket_closed", "mail_order_shipped", "mail_order_delivered",
                 "mail_order_cancelled")
LATE_QUIET_DAYS = (1, 30)
COLOUR_FIELDS = ("primary_color", "accent_color")


def settings_row() -> StoreSettings:
    """Return the settings row, creating it when the store has none yet."""
    settings = db.session.get(StoreSettings, 1)
    if settings is None:
        settings = StoreSettings(id=1)
        db.session.add(settings)
        db.session.flush()
    return settings


CHANGED_MEANWHILE = _l("Someone else changed these settings meanwhile. Check the current values and save "
                       "again; your entries are kept below.")


def compare_and_set(column, row_id: int, version: int | None, values: dict | None = None) -> None:
    """Write the values and bump the version column only if it still holds `version`, else raise Conflict.

    The check and the write are one UPDATE ... WHERE id = :id AND version = :v, so two processes cannot both win.
    """
    model = column.class_
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, column == version)
        .values({**(values or {}), column.key: column + 1})
        .execution_options(synchronize_session=False)
    )
    if version is None or result.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE, field="version")


def save(actor, version: int | None, values: dict, action: str, counter=StoreSettings.version) -> StoreSettings:
    """Write the values only if nobody saved the same form since `version` was read, and audit what changed."""
    settings = settings_row()
    before = {key: getattr(settings, key) for key in values}
    compare_and_set(counter, settings.id, version, values)
    db.session.refresh(settings)
    old, new = audit.changes(before, values)
    audit.record(actor, action, "store_settings", old, new)
    return settings


# --- store settings -------------------------------------------------------------------------------------


@cache
def timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def holiday_regions() -> dict[str, tuple[str, ...]]:
    """Return the countries the `holidays` package knows, each with its subdivisions."""
    try:
        import holidays
    except ImportError:
        return {}
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


def check_timezone(value: str) -> str:
    if value not in timezones():
        raise ValidationError(_l("Choose a time zone from the list, such as America/Sao_Paulo."), field="timezone")
    return value


def check_region(country: str, state: str) -> tuple[str, str]:
    """Return the country and state upper-cased when the holiday calendar knows them."""
    country, state = (country or "").strip().upper(), (state or "").strip().upper()
    regions = holiday_regions()
    if not regions:
        return country, state
    if country not in regions:
        raise ValidationError(_l("This country has no holiday calendar; use a code such as BR."), field="country")
    if state and state not in regions[country]:
        raise ValidationError(_l("This state is not known for %(country)s; use a code such as SP.",
                                 country=country), field="state")
    return country, state


def check_old_portal_url(value: str) -> str:
    """Return the old customer area's address, or an empty string; only http(s) links are kept."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(text) > 2048
            or any(ch.isspace() for ch in text)):
        raise ValidationError(_l("Enter a full web address starting with https://."), field="old_portal_url")
    return text


def clean_store_values(data: dict) -> dict:
    """Validate the store-settings form's values; raise ValidationError on the first bad field."""
    name = " ".join(str(data.get("store_name") or "").split())
    if not 1 <= len(name) <= 120:
        raise ValidationError(_l("The store name needs 1 to 120 characters."), field="store_name")
    email = (data.get("support_email") or "").strip()
    country, state = check_region(data.get("country"), data.get("state"))
    locale = data.get("default_locale")
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError(_l("Choose one of the portal's languages."), field="default_locale")
    return {
        "store_name": name,
        "support_email": normalise_email(email, field="support_email") if email else "",
        "timezone": check_timezone(data.get("timezone")),
        "country": country,
        "state": state,
        "default_locale": locale,
        "old_portal_url": check_old_portal_url(data.get("old_portal_url")),
        "account_pages_enabled": bool(data.get("account_pages_enabled")),
        "late_quiet_days": check_late_quiet_days(data.get("late_quiet_days")),
        "late_opens_ticket": bool(data.get("late_opens_ticket")),
        "late_emails_shopper": bool(data.get("late_emails_shopper")),
        **{name: bool(data.get(name)) for name in MAIL_SWITCHES},
    }


def check_late_quiet_days(value) -> int:
    """Return the working days without carrier news after which a shipped order is late (1 to 30).

    Nothing given keeps the store's current number.
    """
    low, high = LATE_QUIET_DAYS
    if value is None or str(value).strip() == "":
        return StoreSettings.get().late_quiet_days or 3
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = None
    if days is None or not low <= days <= high:
        raise ValidationError(_l("Enter a whole number of working days from %(low)d to %(high)d.", low=low, high=high),
                              field="late_quiet_days")
    return days


def save_store_settings(actor, version, data: dict) -> StoreSettings:
    return save(actor, version, clean_store_values(data), "settings.update")


# --- colours --------------------------------------------------------------------------------------------


def save_colours(actor, version, primary: str, accent: str) -> StoreSettings:
    """Store the theme colours as lower-case #rrggbb; contrast is the page's warning, not a refusal."""
    values = {}
    for name, value in (("primary_color", primary), ("accent_color", accent)):
        values[name] = normalise_hex(value)
        if values[name] is None:
            raise ValidationError(_l("Enter a colour as # and six hex digits, such as #0b5cad."), field=name)
    return save(actor, version, values, "colours.update", StoreSettings.colours_version)


def reset_colours(actor, version) -> StoreSettings:
    return save(actor, version, {"primary_color": DEFAULT_PRIMARY, "accent_color": DEFAULT_ACCENT}, "colours.reset",
                StoreSettings.colours_version)


# --- activation -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    untyped_statuses: list[str] = field(default_factory=list)
    rules_need_review: bool = False
    no_trusted_host: bool = False

    @property
    def open_items(self) -> int:
        return bool(self.untyped_statuses) + self.rules_need_review + self.no_trusted_host

    @property
    def ready(self) -> bool:
        return self.open_items == 0


def checklist() -> Checklist:
    """Say what the merchant should still do before buyers use the portal."""
    untyped = db.session.scalars(
        db.select(OrderStatus.name)
        .where(OrderStatus.is_builtin.is_(False), OrderStatus.retired.is_(False), OrderStatus.type.is_(None))
        .order_by(OrderStatus.name)
    )
    has_host = db.session.scalar(db.select(TrustedHost.id).limit(1)) is not None
    return Checklist(untyped_statuses=list(untyped), rules_need_review=settings_row().rules_need_review,
                     no_trusted_host=not has_host)


def set_portal_active(actor, version, active: bool, confirmed: bool) -> StoreSettings:
    """Switch the portal on or off; switching on with open checklist items needs `confirmed`."""
    if active and not confirmed and not checklist().ready:
        raise ValidationError(_l("Some checklist items are still open. Tick the confirmation to switch the "
                                 "portal on anyway."), field="confirm")
    return save(actor, version, {"portal_active": bool(active)}, "portal.on" if active else "portal.off",
                StoreSettings.switch_version)


def mark_statuses_changed() -> None:
    """Note that the statuses changed, so that the rules need a new review; leaves `version` alone."""
    settings_row().statuses_changed_at = utcnow()
    db.session.flush()


def mark_rules_reviewed() -> None:
    settings_row().rules_reviewed_at = utcnow()
    db.session.flush()
