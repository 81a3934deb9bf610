"""The merchant's verbs on text modules and sales channels, each audited."""
import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..extensions import db
from ..models import Channel, Order, TextModule, Ticket
from ..models.base import utcnow
from . import audit, channel_secrets, seller_portal
from .errors import Conflict, ValidationError
from .ordering import swap_with_neighbour

CODE = re.compile(r"[a-z0-9_]{2,50}")
MODULE_FIELDS = ("title", "body", "channel_id")
CHANNEL_FIELDS = ("name", "is_marketplace", "sla_hours", "sla_working_days", "active", "integrated", "outbound_url",
                  "seller_portal_url")
OVERLAP_CHOICES = (0, 1, 24, 72)
MAX_URL = 2048
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?", re.ASCII)
SAMPLE_TICKET_NUMBER = "12345678903"
NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.ASCII)
# Names that resolve on the local network or to this machine, never on the open internet.
INTERNAL_SUFFIXES = frozenset({"localhost", "local", "internal", "localdomain", "lan", "home", "intranet"})


def modules_query(channel_id: int | None, store_wide: bool):
    """Select the modules of one channel (or the store-wide ones, or all), in their order."""
    query = db.select(TextModule).order_by(TextModule.channel_id.is_(None), TextModule.channel_id,
                                           TextModule.position, TextModule.id)
    if store_wide:
        return query.where(TextModule.channel_id.is_(None))
    if channel_id is not None:
        query = query.where(TextModule.channel_id == channel_id)
    return query


def _next_position(channel_id: int | None) -> int:
    same = TextModule.channel_id.is_(None) if channel_id is None else TextModule.channel_id == channel_id
    return (db.session.scalar(db.select(func.max(TextModule.position)).where(same)) or 0) + 1


def create_module(actor, channel_id: int | None, title: str, body: str) -> TextModule:
    """Add a text module at the end of its channel's list."""
    module = TextModule(channel_id=channel_id, title=title.strip(), body=body.strip(),
                        position=_next_position(channel_id), created_at=utcnow())
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "text_module.create", module.title, None, {k: getattr(module, k) for k in MODULE_FIELDS})
    return module


def update_module(actor, module: TextModule, channel_id: int | None, title: str, body: str) -> TextModule:
    """Change a module's text, title or channel (a new channel puts it at the end of that list)."""
    before = {key: getattr(module, key) for key in MODULE_FIELDS}
    if channel_id != module.channel_id:
        module.position = _next_position(channel_id)
    module.channel_id, module.title, module.body = channel_id, title.strip(), body.strip()
    db.session.flush()
    old, new = audit.changes(before, {key: getattr(module, key) for key in MODULE_FIELDS})
    audit.record(actor, "text_module.update", module.title, old, new)
    return module


def set_retired(actor, module: TextModule, retired: bool) -> TextModule:
    """Retire a module (agents no longer see it) or bring it back."""
    if module.retired != retired:
        module.retired = retired
        db.session.flush()
        audit.record(actor, "text_module.retire" if retired else "text_module.restore", module.title,
                     {"retired": not retired}, {"retired": retired})
    return module


def move_module(actor, module: TextModule, step: int) -> TextModule:
    """Swap the module with its neighbour in its channel's list (step -1 = up, +1 = down)."""
    siblings = list(db.session.scalars(modules_query(module.channel_id, module.channel_id is None)))
    if swap_with_neighbour(siblings, module, step) is None:
        return module
    db.session.flush()
    audit.record(actor, "text_module.move", module.title, None, {"position": module.position})
    return module


def sample_ticket(channel_id: int | None) -> Ticket | None:
    """Build an unsaved ticket on the channel's latest order (any order for store-wide modules), for previews."""
    query = db.select(Order).order_by(Order.placed_at.desc(), Order.id.desc()).limit(1)
    if channel_id is not None:
        query = query.where(Order.channel_id == channel_id)
    order = db.session.scalar(query)
    if order is None:
        return None
    # Never added to the session: the relationships below have no backrefs that could cascade it in.
    ticket = Ticket(number=SAMPLE_TICKET_NUMBER, subject="", channel_id=order.channel_id,
                    customer_id=order.customer_id, order_id=order.id)
    ticket.order, ticket.channel, ticket.customer = order, order.channel, order.customer
    return ticket


def check_web_url(value: str, field: str) -> str:
    """Return the address when it is a full https URL (http only for this machine outside production)."""
    text = (value or "").strip()
    if len(text) > MAX_URL:
        raise ValidationError(_l("Use at most %(max)d characters.", max=MAX_URL), field=field)
    malformed = ValidationError(_l("Enter a full web address, such as https://hub.example.com/portal/events."),
                                field=field)
    if not text.isascii() or not text.isprintable() or " " in text or "\\" in text:
        raise malformed
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise malformed from None
    if "@" in parts.netloc:
        raise ValidationError(_l("Leave out the user name and password: the signature proves who calls."),
                              field=field)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or not text.lower().startswith(parts.scheme + "://"):
        raise malformed
    local = host in LOCAL_HOSTS and current_app.config.get("PORTAL_ENV") != "production"
    if parts.scheme != "https" and not local:
        raise ValidationError(_l("Use an https:// address (http:// only for localhost or 127.0.0.1 outside "
                                 "production)."), field=field)
    if not local:
        _check_public_name(host, field)
    if not HOST.fullmatch(host):
        raise malformed
    return text


def _check_public_name(host: str, field: str) -> None:
    """Refuse a host that is an IP address in any spelling, or a name without a domain (an internal machine)."""
    name = host.rstrip(".")
    labels = name.split(".")
    # Browsers and resolvers read "2130706433", "0x7f.1" or "0177.0.0.1" as IPv4 addresses: a host whose last
    # label is a number is one.
    if _is_ip_literal(name) or NUMERIC_LABEL.fullmatch(labels[-1]):
        raise ValidationError(_l("Use the marketplace's host name, not an IP address."), field=field)
    if len(labels) < 2 or labels[-1] in INTERNAL_SUFFIXES:
        raise ValidationError(_l("Use the marketplace's full public host name, such as hub.example.com."),
                              field=field)


def _is_ip_literal(host: str) -> bool:
    """Return True when the host is an IPv4 or IPv6 address as written."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_portal_template(value: str) -> str:
    """Return the seller-portal link template when its placeholders and its address are right."""
    text = (value or "").strip()
    field = "seller_portal_url"
    names = seller_portal.placeholders(text)
    unknown = sorted(set(names) - set(seller_portal.PLACEHOLDERS))
    if unknown:
        raise ValidationError(_l("Unknown placeholder {%(name)s}: use {delivery_number} and, if needed, "
                                 "{order_number}.", name=unknown[0]), field=field)
    if "delivery_number" not in names:
        raise ValidationError(_l("Put {delivery_number} where the marketplace expects the delivery number."),
                              field=field)
    sample = seller_portal.fill(text, {name: "0" for name in seller_portal.PLACEHOLDERS})
    if "{" in sample or "}" in sample:
        raise ValidationError(_l("Write each placeholder with one opening and one closing brace."), field=field)
    try:
        netloc = urlsplit(text).netloc
    except ValueError:
        netloc = ""
    if "{" in netloc:
        raise ValidationError(_l("Put the placeholders in the path or the query, not in the host."), field=field)
    check_web_url(sample, field)
    return text


def _clean_channel_values(values: dict) -> dict:
    hours = values.get("sla_hours")
    if hours is None or not 1 <= hours <= 24 * 30:
        raise ValidationError(_l("The response time must be between 1 and 720 hours."), field="sla_hours")
    clean = dict(values)
    if "integrated" not in values:
        return clean
    clean["integrated"] = bool(values.get("integrated")) and bool(values.get("is_marketplace"))
    if values.get("integrated") and not values.get("is_marketplace"):
        raise ValidationError(_l("Only a marketplace can be integrated."), field="integrated")
    outbound = (values.get("outbound_url") or "").strip()
    if clean["integrated"] and not outbound:
        raise ValidationError(_l("Enter the address the answers are delivered to."), field="outbound_url")
    clean["outbound_url"] = check_web_url(outbound, "outbound_url") if outbound else None
    template = (values.get("seller_portal_url") or "").strip()
    clean["seller_portal_url"] = check_portal_template(template) if template else None
    return clean


def create_channel(actor, code: str, values: dict) -> Channel:
    """Add a sales channel with its SLA; the code is what the API and marketplaces use and never changes."""
    code = (code or "").strip().lower()
    if not CODE.fullmatch(code):
        raise ValidationError(_l("Use 2 to 50 lower-case letters, digits or underscores."), field="code")
    if db.session.scalar(db.select(Channel.id).where(Channel.code == code)) is not None:
        raise Conflict(_l("A channel with the code %(code)s already exists.", code=code), field="code")
    values = _clean_channel_values(values)
    channel = Channel(code=code, **values)
    db.session.add(channel)
    db.session.flush()
    audit.record(actor, "channel.create", code, None, values)
    return channel


def update_channel(actor, channel: Channel, values: dict) -> Channel:
    """Change a channel's name, marketplace flag, SLA, activity or integration; open tickets keep their due time."""
    values = _clean_channel_values(values)
    if channel.code == Channel.STORE_CODE and (values.get("is_marketplace") or not values.get("active", True)):
        raise ValidationError(_l("The store's own channel is always active and is not a marketplace."),
                              field="is_marketplace")
    before = {key: getattr(channel, key) for key in CHANNEL_FIELDS}
    for key, value in values.items():
        setattr(channel, key, value)
    db.session.flush()
    old, new = audit.changes(before, {key: getattr(channel, key) for key in CHANNEL_FIELDS})
    audit.record(actor, "channel.update", channel.code, old, new)
    return channel


def rotate_channel_secret(actor, channel: Channel, overlap_hours: int, shown_fingerprint: str) -> str:
    """Give the channel a new signing secret, the old one accepted during the overlap; return the new secret.

    `shown_fingerprint` is the fingerprint of the secret the merchant saw: a form posted twice (a reload, or two
    admins at once) would otherwise drop the secret the marketplace still uses.
    """
    if not channel.is_marketplace:
        raise ValidationError(_l("Only a marketplace has a signing secret."), field="overlap_hours")
    if overlap_hours not in OVERLAP_CHOICES:
        raise ValidationError(_l("Choose one of the overlap periods."), field="overlap_hours")
    if shown_fingerprint != secret_fingerprint(channel):
        raise Conflict(_l("The secret was rotated meanwhile and the new one was shown once. Rotate again only "
                          "if that secret was lost."))
    secret = channel_secrets.rotate_secret(channel, overlap_hours)
    db.session.flush()
    expires = channel.previous_secret_expires_at
    audit.record(actor, "channel.secret_rotate", channel.code, None,
                 {"secret": "rotated", "overlap_hours": overlap_hours,
                  "previous_accepted_until": expires.isoformat() if expires else None})
    return secret


def secret_fingerprint(channel: Channel) -> str:
    """Return a short non-secret token that changes whenever the channel's secret does."""
    digest = hashlib.sha256((channel.webhook_secret or "").encode()).hexdigest()
    return digest[:16] if channel.webhook_secret else "none"
