"""Verbs on the list of trusted tracking hosts: reading what the merchant pasted, adding and removing, audited."""
import ipaddress
import re
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import trackers

from ..accounts import audit
from ..core.errors import ValidationError
from ..extensions import db
from ..models import TrustedHost

HOST_RE = re.compile(
    r"""^(?=.{1,253}$)                       # whole name length
    (?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+  # one or more labels with their dots
    [a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$           # a top-level label that is not all digits
    """,
    re.VERBOSE,
)


def normalise_host(value: str) -> str:
    """Return a valid, lower-cased DNS host name or raise ValidationError."""
    host = str(value or "").strip().lower().rstrip(".")
    if not HOST_RE.match(host) or host.startswith("xn--") or ".xn--" in host:
        raise ValidationError(_l("Enter a host name such as rastreio.example.com."), field="host")
    return host


def add_trusted_host(value: str) -> TrustedHost:
    host = normalise_host(value)
    existing = db.session.scalar(db.select(TrustedHost).filter_by(host=host))
    if existing:
        return existing
    trusted = TrustedHost(host=host)
    db.session.add(trusted)
    db.session.flush()
    return trusted


def remove_trusted_host(value: str) -> bool:
    host = str(value or "").strip().lower().rstrip(".")
    trusted = db.session.scalar(db.select(TrustedHost).filter_by(host=host))
    if trusted is None:
        return False
    db.session.delete(trusted)
    db.session.flush()
    return True


def _looks_like_link(text: str) -> bool:
    """Tell whether a value without a scheme is a host followed by a path, query or fragment."""
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    return head != text and bool(head) and "@" not in head


def host_from_input(value: str) -> tuple[str, bool, bool]:
    """Return the host a merchant typed or pasted, whether it was taken out of a longer link, and whether
    that link named a port other than the default one (links on it open in a new tab)."""
    text = str(value or "").strip()
    reduced = other_port = False
    if "://" in text or _looks_like_link(text):
        try:
            parts = urlsplit(text if "://" in text else "https://" + text)
            hostname, port = parts.hostname or "", parts.port
        except ValueError:
            parts, hostname, port = None, "", None
        if parts is None or parts.scheme.lower() not in ("http", "https") or parts.username is not None:
            raise ValidationError(_l("This link has no usable host name; enter only the host, such as "
                                     "rastreio.example.com."), field="host")
        default = 443 if parts.scheme.lower() == "https" else 80
        text, reduced, other_port = hostname, True, port is not None and port != default
    if "*" in text:
        raise ValidationError(_l("Wildcards are not allowed: add each host name on its own."), field="host")
    if any(ch in text for ch in "/?#@"):
        raise ValidationError(_l("Enter the host name only, without a path."), field="host")
    if ":" in text and not _is_ip(text.strip("[]")):
        raise ValidationError(_l("Enter the host name only, without a port."), field="host")
    if _is_ip(text.strip("[]")):
        raise ValidationError(_l("IP addresses are not allowed; enter a host name."), field="host")
    if not text.isascii() or text.lower().startswith("xn--") or ".xn--" in text.lower():
        raise ValidationError(_l("International (Unicode or xn--) host names are not supported: browsers and "
                                 "the portal could read them differently, so their links are shown as text. "
                                 "Use the carrier's plain ASCII host name."), field="host")
    return normalise_host(text), reduced, other_port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def explain(value: str, hosts) -> tuple[trackers.TrackingLink, str]:
    """Classify a shipping code or link as the order page will, and say why in the user's language."""
    link = trackers.classify(value, hosts)
    s10 = trackers.parse_s10(str(value or "").strip())
    if s10 is not None:
        if s10.valid:
            return link, _("A Correios code with a correct check digit: buyers get the Correios tracking history.")
        return link, _("This looks like a Correios code, but its check digit is wrong, so no tracking link is "
                       "shown.")
    if link.kind is trackers.TrackingKind.embed:
        host = urlsplit(link.url).hostname
        return link, _("An https link on the trusted host %(host)s: it opens inside the portal.", host=host)
    if link.kind is trackers.TrackingKind.new_tab:
        parts = urlsplit(link.url)
        if parts.hostname not in set(hosts):
            return link, _("The host %(host)s is not on the trusted list, so the link opens in a new tab.",
                           host=parts.hostname)
        if parts.scheme != "https":
            return link, _("The host is trusted, but the link is not https; only https pages open inside the "
                           "portal, so it opens in a new tab.")
        return link, _("The link uses a non-standard port, so it opens in a new tab.")
    return link, _("Neither a valid Correios code nor a well-formed web link: the code is shown as text, "
                   "without a tracking link.")


def add_host(actor, value: str) -> tuple[TrustedHost, bool, bool]:
    """Trust a host (a pasted link is reduced to its host); return it, whether it was reduced, and whether
    the pasted link used another port."""
    host, reduced, other_port = host_from_input(value)
    existing = db.session.scalar(db.select(TrustedHost).filter_by(host=host))
    if existing is not None:
        raise ValidationError(_l("%(host)s is already on the list.", host=host), field="host")
    trusted = add_trusted_host(host)
    audit.record(actor, "host.add", host, None, {"host": host})
    return trusted, reduced, other_port


def remove_host(actor, trusted: TrustedHost) -> None:
    host = trusted.host
    db.session.delete(trusted)
    db.session.flush()
    audit.record(actor, "host.remove", host, {"host": host}, None)
