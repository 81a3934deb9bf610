"""Order-update e-mails to the shopper: shipped, delivered, cancelled, late; each with the order's timeline.

`notify_change(order, before)` is called wherever an order's status or facts change (intake, the status
change verb): it compares the furthest event the timeline shows before and after, and queues the mail of
a newly reached one, so that an unchanged or repeated status sends nothing. Outbox keys are one per order
and event (`order-shipped:<number>`), so that no event is mailed twice whatever path reports it again.

Each event has the merchant's switch in StoreSettings; a shopper who unsubscribed (`order_mail_off`) gets
none of them. Every order mail carries List-Unsubscribe with a signed link (RFC 8058 one-click); ticket
mail does not, being answers to the shopper's own request.
"""
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.routing import BuildError

import trackers

from ..core import outbox
from ..core.errors import NotFound
from ..extensions import db
from ..models import Order, StoreSettings, TrustedHost, User
from .timeline import build_timeline

EVENTS = ("shipped", "delivered", "cancelled")
# The merchant's switch of each event (the late mail's existed before the others).
SWITCHES = {"shipped": "mail_order_shipped", "delivered": "mail_order_delivered",
            "cancelled": "mail_order_cancelled", "late": "late_emails_shopper"}
MAX_TOKEN = 200
_SALT = "order-mail-unsubscribe"


def furthest_event(order: Order) -> str | None:
    """Return the furthest event of EVENTS the order's timeline shows done, or None."""
    if order.status is None:
        return None
    done = {step.name for step in build_timeline(order) if step.state == "done"}
    return next((name for name in reversed(EVENTS) if name in done), None)


def notify_change(order: Order, before: str | None) -> None:
    """Queue the mail of the event the order reached since `before` (what furthest_event said then)."""
    event = furthest_event(order)
    if event is not None and event != before:
        queue_order_mail(order, event)


def wanted(order: Order, event: str, settings: StoreSettings | None = None) -> bool:
    """Tell whether the merchant sends this event and the shopper still takes order mail."""
    settings = settings or StoreSettings.get()
    customer = order.customer
    switch = getattr(settings, SWITCHES[event])
    if switch is None:  # a store without its settings row yet: the column's default
        switch = StoreSettings.__table__.c[SWITCHES[event]].default.arg
    return bool(switch) and customer is not None and bool(customer.email) and not customer.order_mail_off


def queue_order_mail(order: Order, event: str, **extra) -> None:
    """Add the event's e-mail to the outbox, unless switched off or unsubscribed."""
    if wanted(order, event):
        outbox.queue_email(**order_mail(order, event, **extra))


def _external(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, _external=True, **values)
    except (BuildError, RuntimeError):
        return None


def tracking_for_mail(link: trackers.TrackingLink | None, order: Order) -> dict | None:
    """Say how the mail shows the tracking: the portal's page for a Correios code, an https link, or the code."""
    if link is None:
        return None
    if link.kind is trackers.TrackingKind.correios:
        return {"url": _external("customer.tracking_page", number=order.number), "code": link.code}
    if link.kind in (trackers.TrackingKind.embed, trackers.TrackingKind.new_tab) and (link.url or "").startswith(
            "https://"):
        return {"url": link.url, "code": None}
    return {"url": None, "code": order.shipping_code}


SUBJECTS = {
    "shipped": _l("Your order %(number)s is on its way"),
    "delivered": _l("Your order %(number)s was delivered"),
    "cancelled": _l("Your order %(number)s was cancelled"),
    "late": _l("Your order %(number)s is running late"),
}


def order_mail(order: Order, event: str, ticket=None) -> dict:
    """Return queue_email's arguments for one order event, in the shopper's language, with the timeline."""
    settings = StoreSettings.get()
    customer = order.customer
    steps = build_timeline(order, TrustedHost.all_hosts())
    link = next((step.tracking for step in steps if step.tracking is not None), None)
    unsubscribe = _external("customer.unsubscribe", token=token_for(customer))
    context = {"customer": customer, "order": order, "ticket": ticket, "store_name": settings.store_name,
               "event": event, "steps": steps, "tracking": tracking_for_mail(link, order),
               "link": _external("customer.order", number=order.number), "unsubscribe": unsubscribe,
               "carrier_quiet": order.late_reason == "carrier_quiet"}
    with force_locale(customer.locale or settings.default_locale):
        subject = str(SUBJECTS[event]) % {"number": order.number}
        text = render_template("email/order_update.txt", subject=subject, **context)
        html = render_template("email/order_update.html", subject=subject, **context)
    if event == "late":
        episode = order.late_since.strftime("%Y%m%d%H%M%S") if order.late_since else "0"
        key = f"order-late:{order.number}:{episode}"
    else:
        key = f"order-{event}:{order.number}"
    return {"to": customer.email, "subject": f"{subject} - {settings.store_name}", "text": text, "html": html,
            "key": key, "headers": unsubscribe_headers(unsubscribe)}


def unsubscribe_headers(url: str | None) -> dict[str, str]:
    """Return the RFC 2369 / RFC 8058 headers of an order mail; none when no link can be built."""
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def token_for(customer: User) -> str:
    """Return the signed token naming the customer; it allows turning their order mail off, nothing else."""
    return _serializer().dumps({"customer": customer.id})


def customer_from_token(raw: str) -> User:
    """Return the customer a token names; NotFound when it was not signed by us or names nobody."""
    token = str(raw or "")
    try:
        payload = _serializer().loads(token) if token and len(token) <= MAX_TOKEN else None
    except BadSignature:
        payload = None
    customer_id = payload.get("customer") if isinstance(payload, dict) else None
    customer = db.session.get(User, customer_id) if isinstance(customer_id, int) else None
    if customer is None:
        raise NotFound(_l("This unsubscribe link is not valid."), field="token")
    return customer


def set_order_mail(customer: User, on: bool) -> None:
    """Turn the customer's order-update e-mails on or off."""
    customer.order_mail_off = not on
    db.session.flush()
