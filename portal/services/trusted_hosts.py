"""Verbs on the list of trusted tracking hosts."""
import re

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import TrustedHost
from .errors import ValidationError

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
