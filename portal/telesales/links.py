"""Shared cart links: an unguessable token of which only the SHA-256 is kept, expiring, good for one order."""
import base64
import hashlib
import io
import secrets
from datetime import timedelta

import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..core.errors import DomainError, NotFound, ValidationError
from ..extensions import db
from ..models import Cart, CartState, StoreSettings
from ..models.base import utcnow
from . import carts

TOKEN_BYTES = 32
MAX_TOKEN = 100


class LinkGone(DomainError):
    """The link expired or its cart was already placed."""

    status_code = 410
    code = "gone"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def share(cart: Cart) -> str:
    """Make the cart a shared one and return the link's token (shown once: only its hash is kept)."""
    carts.require_open(cart)
    if not cart.items:
        raise ValidationError(_l("Add at least one product before sharing the cart."), field="cart")
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    cart.share_token_hash = hash_token(raw)
    cart.shared_at = now
    cart.share_expires_at = now + timedelta(days=StoreSettings.get().cart_link_days or 7)
    db.session.flush()
    return raw


def get_shared_cart(raw: str) -> Cart:
    """Return the open shared cart of a token; NotFound for a token that never was, LinkGone when it is over."""
    token = str(raw or "")
    if not token or len(token) > MAX_TOKEN:
        raise NotFound(_l("This cart link is not valid."), field="token")
    cart = db.session.scalar(db.select(Cart).where(Cart.share_token_hash == hash_token(token))
                             .options(selectinload(Cart.items)))
    if cart is None:
        raise NotFound(_l("This cart link is not valid."), field="token")
    if cart.state is not CartState.open:
        raise LinkGone(_l("This cart link was already used."), field="token")
    if cart.share_expires_at is None or cart.share_expires_at <= utcnow():
        raise LinkGone(_l("This cart link has expired. Ask the store for a new one."), field="token")
    return cart


def qr_data_uri(url: str) -> str:
    """Return the link as a QR code, an SVG in a data: URI (the CSP allows data: images, not inline SVG styles)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
