"""Views of the customer blueprint: the shopper's orders, their timeline and tracking."""
import hashlib
import re
from datetime import datetime

from flask import Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user

import trackers

from ... import access
from ...core.assets import long_lived, revalidated
from ...core.security import allow_frames_from
from ...core.templating import store_settings
from ...extensions import db, login
from ...models.settings import DEFAULT_ACCENT, DEFAULT_PRIMARY
from ...orders import tracking_refresh
from ...orders.timeline import build_timeline
from ...store import lookups
from ...store.colours import readable_on, text_on_white
from ...tickets.actions import cancelled_units
from ...tickets.order_history import build_history
from . import bp
from .serving import resolve_customer

PUBLIC_ENDPOINTS = {"customer.theme_css", "customer.survey", "customer.unsubscribe", "customer.unsubscribe_confirm"}
MAX_PAGE = 100_000
HEX_COLOUR = re.compile(r"\A#[0-9a-fA-F]{6}\Z")


@bp.before_request
def require_login():
    """Send anonymous visitors to the login page; every page here but the theme is personal.

    Then settle whose area it is (`g.customer`): the customer an operator serves, or the signed-in user.
    """
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login.unauthorized()
    return resolve_customer()


@bp.route("/")
def index():
    """The portal's front door: staff not acting for a customer go to their queue, everyone else to the orders."""
    if current_user.role.is_staff and g.customer.id == current_user.id:
        return redirect(url_for("staff.queue"))
    return redirect(url_for("customer.orders"))


@bp.route("/orders")
def orders():
    """List the shopper's own orders, newest first."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    pagination = db.paginate(access.customer_orders_query(g.customer), page=page,
                             per_page=current_app.config["ORDERS_PER_PAGE"], error_out=True)
    return render_template("customer/orders.html", pagination=pagination)


def _order_and_steps(number: str):
    order = access.get_order_or_404(number, g.customer)
    hosts = lookups.trusted_hosts()
    return order, build_timeline(order, hosts), hosts


def _tracking_of(steps) -> trackers.TrackingLink | None:
    return next((step.tracking for step in steps if step.tracking is not None), None)


@bp.route("/orders/<number>")
def order(number: str):
    """Show one order: timeline, tracking action, items, totals and addresses."""
    order, steps, hosts = _order_and_steps(number)
    link = _tracking_of(steps)
    if link is not None and link.kind is trackers.TrackingKind.embed:
        allow_frames_from(hosts)
    cancelled = cancelled_units(order)
    return render_template("customer/order.html", order=order, steps=steps, link=link, cancelled=cancelled,
                           history=build_history(order, steps, cancelled=cancelled))


@bp.route("/orders/<number>/tracking")
def tracking_page(number: str):
    """Show the tracking history (Correios) or the embedded carrier page, for browsers without JS."""
    order, steps, hosts = _order_and_steps(number)
    link = _tracking_of(steps)
    history = None
    if link is None or link.kind not in (trackers.TrackingKind.correios, trackers.TrackingKind.embed):
        abort(404)
    if link.kind is trackers.TrackingKind.embed:
        allow_frames_from(hosts)
    else:
        history = tracking_refresh.current_history(link.code)
    return render_template("customer/tracking.html", order=order, link=link, history=history,
                           events=_display_events(history))


@bp.route("/orders/<number>/tracking.json")
def tracking_json(number: str):
    """Return the Correios history of the order's object as JSON."""
    _order, steps, _hosts = _order_and_steps(number)
    link = _tracking_of(steps)
    if link is None or link.kind is not trackers.TrackingKind.correios:
        abort(404)
    history = tracking_refresh.current_history(link.code)
    return jsonify(
        code=link.code,
        available=history.available,
        refreshing=history.refreshing,
        public_url=history.public_url,
        fetched_at=history.fetched_at.isoformat() if history.fetched_at else None,
        events=_display_events(history),
    )


def _display_events(history) -> list[dict]:
    """Add the store-time, user-locale date to each event."""
    if history is None:
        return []
    events = []
    for event in history.events:
        shown = dict(event)
        try:
            shown["when_display"] = format_datetime(datetime.fromisoformat(event.get("when")), "short")
        except (TypeError, ValueError):
            shown["when_display"] = ""
        events.append(shown)
    return events


def theme_colours() -> tuple[str, str]:
    settings = store_settings()
    primary = settings.primary_color if HEX_COLOUR.match(settings.primary_color or "") else DEFAULT_PRIMARY
    accent = settings.accent_color if HEX_COLOUR.match(settings.accent_color or "") else DEFAULT_ACCENT
    return primary.lower(), accent.lower()


@bp.app_template_global()
def theme_version() -> str:
    """Return a short fingerprint of the theme colours, to bust caches when they change."""
    return hashlib.sha256("".join(theme_colours()).encode()).hexdigest()[:10]


@bp.route("/theme.css")
def theme_css():
    """Serve the store's colours as CSS custom properties."""
    primary, accent = theme_colours()
    css = (
        ":root {\n"
        f"  --color-primary: {primary};\n  --color-on-primary: {readable_on(primary)};\n"
        f"  --color-primary-text: {text_on_white(primary)};\n"
        f"  --color-accent: {accent};\n  --color-on-accent: {readable_on(accent)};\n"
        f"  --color-accent-text: {text_on_white(accent)};\n"
        "}\n"
    )
    response = Response(css, mimetype="text/css")
    response.set_etag(theme_version())
    if request.args.get("v") == theme_version():
        long_lived(response)
    else:
        revalidated(response)
    return response.make_conditional(request)
