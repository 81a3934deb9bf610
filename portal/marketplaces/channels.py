"""The merchant's verbs on sales channels: their settings, addresses, seller-portal links and secrets, audited."""
import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..accounts import audit
from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import Channel
from . import secrets as channel_secrets
from . import seller_portal

CODE = re.compile(r"[a-z0-9_]{2,50}")
CHANNEL_FIELDS = ("name", "is_marketplace", "sla_hours", "sla_working_days", "active", "integrated", "outbound_url",
                  "seller_portal_url", "locale", "survey_enabled")
OVERLAP_CHOICES = (0, 1, 24, 72)
MAX_URL = 2048
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?", re.ASCII)
NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.ASCII)
# Names that resolve on the local network or to this machine, never on the open internet.
INTERNAL_SUFFIXES = frozenset({"localhost", "local", "internal", "localdomain", "lan", "home", "intranet"})


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
    if values.get("locale") and values["locale"] not in current_app.config["LANGUAGES"]:
        raise ValidationError(_l("This language is not available."), field="locale")
    clean = dict(values)
    if "survey_enabled" in values:
        clean["survey_enabled"] = bool(values["survey_enabled"])
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
