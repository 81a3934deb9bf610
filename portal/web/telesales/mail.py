"""The e-mail that brings a shared cart to its customer, with a first-access link when they have no password."""
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ...accounts import users as accounts
from ...core import outbox
from ...core.templating import store_settings
from ...models import Cart, LoginLinkPurpose, User
from ...telesales import carts, links


def queue_share_mail(cart: Cart, customer: User, raw: str) -> None:
    """Queue the link for `customer`; without a password yet, a first-access link that leads on to the cart."""
    path = url_for("customer.shared_cart", token=raw)
    access = None
    if not customer.password_hash:
        access_token = accounts.issue_login_link(customer, LoginLinkPurpose.first_access,
                                                 hours=current_app.config["LOGIN_LINK_HOURS"])
        access = url_for("auth.set_password", token=access_token, next=path, _external=True)
    settings = store_settings()
    context = {
        "user": customer, "link": url_for("customer.shared_cart", token=raw, _external=True), "access": access,
        "hours": current_app.config["LOGIN_LINK_HOURS"], "store_name": settings.store_name, "cart": cart,
        "total": carts.total_cents(cart),
    }
    locale = customer.locale or settings.default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = _("A cart is waiting for you")
        text = render_template("email/shared_cart.txt", subject=subject, **context)
        html = render_template("email/shared_cart.html", subject=subject, **context)
    outbox.queue_email(key="shared-cart:" + links.hash_token(raw)[:32], to=customer.email,
                       subject=f"{subject} - {settings.store_name}", text=text, html=html)
